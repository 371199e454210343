"""Abstract bases every business model inherits.

`WorkspaceModel` ties a row to one workspace and declares which module's permissions
guard it (`access_module`) and where its owner is (`owner_field`). Reads go through
`relata.core.access` (`visible_to`, `get_visible`), never through the bare manager.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, TypeVar, cast

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from relata.core.models.members import Membership


_M = TypeVar("_M", bound=models.Model)


class WorkspaceQuerySet(models.QuerySet[_M]):
    def visible_to(self, actor: Membership, action: str = "view") -> WorkspaceQuerySet[_M]:
        """This queryset narrowed to what `actor` may see (workspace, module, scope)."""
        from relata.core.access import scope_queryset

        return cast("WorkspaceQuerySet[_M]", scope_queryset(actor, self, action))


WorkspaceManager = models.Manager.from_queryset(WorkspaceQuerySet)


class WorkspaceModel(models.Model):
    workspace = models.ForeignKey(
        "core.Workspace", on_delete=models.CASCADE, related_name="+", editable=False, verbose_name=_("workspace")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # The module whose permissions guard this model; None: every member of the
    # workspace may read it (a directory such as users or teams).
    access_module: ClassVar[str | None] = None
    # Path to the owning user's foreign key, used by the own/team visibility scopes;
    # None: the model is not owned and only the workspace and module apply.
    owner_field: ClassVar[str | None] = None

    objects = WorkspaceManager()

    class Meta:
        abstract = True


class OwnedModel(WorkspaceModel):
    """A business record with an owner (client, lead, deal, task, ticket…)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    owner_field: ClassVar[str | None] = "owner"

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["workspace", "owner"], name="%(app_label)s_%(class)s_ws_owner")]


class VersionedModel(models.Model):
    """A record users edit: every save through a service bumps `version`, and a save
    based on a stale version is refused (see `relata.core.concurrency`)."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True
