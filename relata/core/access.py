"""The one access mechanism (design.md § Access).

Every read of business data narrows its queryset with `scope_queryset` (usually through
`Model.objects.visible_to(actor)` inside a selector), and every page or API operation
checks its permission with `require`. Single records are fetched with `get_visible`:

- the module is switched off                → 404 (it does not exist for this workspace)
- the role lacks the module permission      → 403 (before any record is looked up)
- the record is in another workspace or outside the actor's scope → 404
- visible, but the role may not change it   → 403

Background jobs receive the actor's membership id and use the same functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from relata.core.models.roles import Scope

if TYPE_CHECKING:
    from relata.core.models.members import Membership

M = TypeVar("M", bound=Model)


class ModuleDisabled(Http404):
    """The module is switched off for the workspace: it answers like a missing page."""


def require(actor: Membership, module: str, action: str) -> None:
    """Raise unless `actor` may do `action` in `module` (404 if the module is off)."""
    if not actor.workspace.module_enabled(module):
        raise ModuleDisabled(module)
    if not actor.can(module, action):
        raise PermissionDenied(f"{module}.{action}")


def require_module(actor: Membership, module: str) -> None:
    if not actor.workspace.module_enabled(module):
        raise ModuleDisabled(module)


def scope_queryset(actor: Membership, queryset: QuerySet[M], action: str = "view") -> QuerySet[M]:
    """`queryset` narrowed to the actor's workspace, module permission and scope.

    Never raises: without the permission the result is simply empty, so that a side
    path (search, autocomplete, a count on a dashboard) can never show more.
    """
    model = queryset.model
    queryset = queryset.filter(workspace_id=actor.workspace_id)
    if not actor.is_active:
        return queryset.none()
    module = getattr(model, "access_module", None)
    if module is not None and not actor.can(module, action):
        return queryset.none()
    owner_field = getattr(model, "owner_field", None)
    if owner_field is None:
        return queryset
    return queryset.filter(**owner_filter(actor, owner_field))


def owners_in_scope(actor: Membership, model: type[Model]) -> list[int] | None:
    """The users whose rows of `model` `scope_queryset(actor, …)` keeps, as a list: None
    when it keeps every row of the workspace (no owner condition), [] when none. For
    reading figures from a copy that holds each row's owner (analytics)."""
    if not actor.is_active:
        return []
    module = getattr(model, "access_module", None)
    if module is not None and not actor.can(module, "view"):
        return []
    if getattr(model, "owner_field", None) is None:
        return None
    condition = owner_filter(actor, "owner")
    if not condition:
        return None
    if "owner__in" in condition:
        return list(condition["owner__in"])
    return [condition["owner"]]


def owner_filter(actor: Membership, owner_field: str) -> dict[str, Any]:
    """Lookup kwargs that keep the rows owned by users within the actor's scope."""
    scope = actor.scope
    if scope == Scope.ALL:
        return {}
    if scope == Scope.TEAM and actor.team_subtree_ids:
        return {f"{owner_field}__in": actor.team_user_ids}
    return {owner_field: actor.user_id}


def get_visible(
    actor: Membership,
    model_or_queryset: type[M] | QuerySet[M],
    pk: Any,
    *,
    for_write: bool = False,
    action: str | None = None,
) -> M:
    """The record `pk` if the actor may see it; with `for_write`, also change it.

    `action` overrides the permission checked for writing ("change" by default,
    e.g. "delete" or "assign"). Models without an `access_module` (jobs, directories)
    have no write permission of their own: their services decide who may change them.
    """
    queryset = (
        model_or_queryset if isinstance(model_or_queryset, QuerySet) else model_or_queryset._default_manager.all()
    )
    module = getattr(queryset.model, "access_module", None)
    if module is not None:
        require(actor, module, "view")
    try:
        obj = scope_queryset(actor, queryset, "view").get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404(queryset.model._meta.verbose_name) from exc
    if for_write and module is not None:
        require(actor, module, action or "change")
    return obj
