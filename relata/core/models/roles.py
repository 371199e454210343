from __future__ import annotations

from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from relata.core.models.base import VersionedModel, WorkspaceModel
from relata.core.roles_builtin import BUILTIN_ROLES


class Scope(models.TextChoices):
    OWN = "own", _("Own records")
    TEAM = "team", _("Own team and its sub-teams")
    ALL = "all", _("All records of the workspace")


_BUILTIN_NAMES = {role.key: role.name for role in BUILTIN_ROLES}


class Role(WorkspaceModel, VersionedModel):
    """A named set of permissions ("module.action" codes) and a visibility scope."""

    key = models.SlugField(
        _("built-in key"), max_length=40, blank=True, editable=False, help_text=_("Set on built-in roles only.")
    )
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("Empty: the built-in name."))
    description = models.CharField(_("description"), max_length=300, blank=True)
    scope = models.CharField(_("visibility"), max_length=8, choices=Scope.choices, default=Scope.OWN)
    permissions = models.JSONField(_("permissions"), default=list)

    access_module = "admin"

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "key"], condition=~models.Q(key=""), name="core_role_builtin_key_unique"
            ),
            models.UniqueConstraint(
                fields=["workspace", "name"], condition=~models.Q(name=""), name="core_role_name_unique"
            ),
            models.CheckConstraint(condition=models.Q(scope__in=["own", "team", "all"]), name="core_role_scope_valid"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_builtin(self) -> bool:
        return bool(self.key)

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        return str(_BUILTIN_NAMES.get(self.key, self.key))

    @cached_property
    def permission_set(self) -> frozenset[str]:
        return frozenset(self.permissions)

    def grants(self, module: str, action: str) -> bool:
        return f"{module}.{action}" in self.permission_set
