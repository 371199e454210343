"""Custom fields: every workspace records different things about its clients.

Definitions are rows; values live in `Client.custom` (a JSON object keyed by the
field's key), so a new field needs no migration and is filtered with JSON lookups that
work on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from relata.clients.models.clients import ClientKind
from relata.core.models import VersionedModel, WorkspaceModel


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    MONEY = "money", _("Money")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    MULTI_CHOICE = "multichoice", _("Several choices")
    BOOLEAN = "boolean", _("Yes/no")
    USER = "user", _("Colleague")


class CustomField(WorkspaceModel, VersionedModel):
    entity = models.CharField(_("for"), max_length=8, choices=ClientKind.choices)
    key = models.SlugField(_("key"), max_length=40, help_text=_("Used in the API, imports and exports."))
    label = models.CharField(_("label"), max_length=100)
    field_type = models.CharField(_("type"), max_length=12, choices=CustomFieldType.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    help_text = models.CharField(_("hint"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    access_module = "clients"

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["entity", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "entity", "key"], name="clients_customfield_key_unique")
        ]

    def __str__(self) -> str:
        return self.label
