from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from relata.core.models.base import VersionedModel, WorkspaceModel


class Team(WorkspaceModel, VersionedModel):
    """A department. Teams form a tree; the "team" scope sees a team and its sub-teams."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent team")
    )
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="core_team_name_unique")]

    def __str__(self) -> str:
        return self.name
