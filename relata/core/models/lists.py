"""The workspace's own short lists (task types, outcomes of contacts, loss reasons):
built-in entries that can be renamed, and the workspace's additions."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from relata.core.models.base import WorkspaceModel


class ListEntry(WorkspaceModel):
    key = models.SlugField(_("built-in key"), max_length=40, blank=True, editable=False)
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("Empty: the built-in name."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(
        _("in use"), default=True, help_text=_("Taken out of use, it stays where it was used but is not offered.")
    )

    # key → the built-in name, translated when shown.
    builtin_names: ClassVar[dict[str, Any]] = {}

    class Meta:
        abstract = True
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "key"], condition=~models.Q(key=""), name="%(app_label)s_%(class)s_key_unique"
            ),
            models.UniqueConstraint(
                "workspace", Lower("name"), condition=~models.Q(name=""), name="%(app_label)s_%(class)s_name_ci"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or str(self.builtin_names.get(self.key, self.key))
