from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from relata.core.models.base import VersionedModel
from relata.core.modules import MODULES, SWITCHABLE_MODULES


def default_enabled_modules() -> list[str]:
    return list(SWITCHABLE_MODULES)


class Workspace(VersionedModel):
    """One company's CRM. Every business row belongs to exactly one workspace."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    # Switchable modules that are on; modules that cannot be switched off are always on.
    enabled_modules = models.JSONField(_("enabled modules"), default=default_enabled_modules)
    language = models.CharField(_("language"), max_length=8, default="ru")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Moscow")
    default_currency = models.CharField(_("default currency"), max_length=3, default="RUB")
    default_phone_region = models.CharField(_("default phone region"), max_length=2, default="RU")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")

    def __str__(self) -> str:
        return self.name

    def module_enabled(self, module: str) -> bool:
        spec = MODULES.get(module)
        if spec is None:
            return False
        return not spec.switchable or module in self.enabled_modules
