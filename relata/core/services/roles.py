from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from relata.core.access import get_visible, require
from relata.core.audit import diff, record_event, snapshot
from relata.core.concurrency import save_versioned
from relata.core.errors import invalid
from relata.core.models import Membership, Role, Scope
from relata.core.modules import ALL_PERMISSIONS
from relata.core.services.members import _ensure_an_administrator_remains

ROLE_FIELDS = ["name", "description", "scope", "permissions"]


def _clean_permissions(permissions: Iterable[str]) -> list[str]:
    codes = sorted(set(permissions))
    unknown = [code for code in codes if code not in ALL_PERMISSIONS]
    if unknown:
        raise invalid("permissions", _("Unknown permission: %(codes)s.") % {"codes": ", ".join(unknown)})
    # Without "view" the other actions of a module could not be reached.
    missing_view = sorted(
        {code.split(".")[0] for code in codes} - {c.split(".")[0] for c in codes if c.endswith(".view")}
    )
    if missing_view:
        raise invalid(
            "permissions",
            _("Grant “view” in a module before other actions in it: %(modules)s.")
            % {"modules": ", ".join(missing_view)},
        )
    return codes


def _clean_scope(scope: str) -> str:
    if scope not in Scope.values:
        raise invalid("scope", _("Choose own, team or all."))
    return scope


def _name_taken(actor: Membership, name: str, exclude_pk: int | None = None) -> bool:
    queryset = Role.objects.filter(workspace_id=actor.workspace_id, name__iexact=name)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.exists()


@transaction.atomic
def role_create(actor: Membership, *, name: str, description: str = "", scope: str, permissions: Iterable[str]) -> Role:
    require(actor, "admin", "create")
    name = name.strip()
    if not name:
        raise invalid("name", _("Enter the role's name."))
    if _name_taken(actor, name):
        raise invalid("name", _("A role with this name already exists."))
    role = Role(
        workspace_id=actor.workspace_id,
        name=name,
        description=description.strip(),
        scope=_clean_scope(scope),
        permissions=_clean_permissions(permissions),
    )
    try:
        with transaction.atomic():
            role.save()
    except IntegrityError as exc:
        raise invalid("name", _("A role with this name already exists.")) from exc
    record_event(
        kind="role.created",
        workspace=actor.workspace,
        actor=actor.user,
        target=role,
        changes=diff({}, snapshot(role, ROLE_FIELDS)),
    )
    return role


@transaction.atomic
def role_update(
    actor: Membership,
    role_id: int,
    *,
    version: int,
    name: str,
    description: str = "",
    scope: str,
    permissions: Iterable[str],
) -> Role:
    """Change a role's name, scope or permissions; every member with it is affected at
    their next request. Built-in roles may be renamed back to their default by an
    empty name."""
    require(actor, "admin", "change")
    role = get_visible(actor, Role, role_id, for_write=True)
    name = name.strip()
    if not name and not role.is_builtin:
        raise invalid("name", _("Enter the role's name."))
    if name and _name_taken(actor, name, exclude_pk=role.pk):
        raise invalid("name", _("A role with this name already exists."))
    before = snapshot(role, ROLE_FIELDS)
    role.name = name
    role.description = description.strip()
    role.scope = _clean_scope(scope)
    role.permissions = _clean_permissions(permissions)
    save_versioned(role, expected_version=version, fields=ROLE_FIELDS)
    role.__dict__.pop("permission_set", None)
    _ensure_an_administrator_remains(actor.workspace_id)
    changes = diff(before, snapshot(role, ROLE_FIELDS))
    if changes:
        added = sorted(set(role.permissions) - set(before["permissions"]))
        removed = sorted(set(before["permissions"]) - set(role.permissions))
        record_event(
            kind="role.changed",
            workspace=actor.workspace,
            actor=actor.user,
            target=role,
            changes=changes,
            data={"permissions_added": added, "permissions_removed": removed},
        )
    return role


@transaction.atomic
def role_delete(actor: Membership, role_id: int) -> None:
    require(actor, "admin", "delete")
    role = get_visible(actor, Role, role_id, for_write=True, action="delete")
    if role.is_builtin:
        raise invalid("role", _("Built-in roles cannot be deleted; change their permissions instead."))
    in_use = Membership.objects.filter(role=role).count()
    if in_use:
        raise invalid(
            "role",
            _("The role is given to %(count)d member(s); give them another role first.") % {"count": in_use},
        )
    record_event(
        kind="role.deleted",
        workspace=actor.workspace,
        actor=actor.user,
        target=role,
        changes=diff(snapshot(role, ROLE_FIELDS), {}),
    )
    role.delete()
