from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    pass


class EventQuerySet(models.QuerySet["Event"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Events are append-only.")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("Events are append-only.")


class Event(models.Model):
    """One state change: who, when, which record, what changed.

    The table is append-only (a database trigger refuses UPDATE). It feeds record
    timelines, the audit log and, later, outgoing webhooks. Events of workspace-less
    security incidents (a failed log-in for an unknown address) have no workspace.
    """

    workspace = models.ForeignKey(
        "core.Workspace", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("workspace")
    )
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # The actor's e-mail at the time (or the address typed at a failed log-in).
    actor_label = models.CharField(_("user"), max_length=254, blank=True)
    kind = models.CharField(_("kind"), max_length=64)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("record type")
    )
    target_id = models.BigIntegerField(_("record id"), null=True, blank=True)
    target_repr = models.CharField(_("record"), max_length=200, blank=True)
    # {field: [old, new]} with JSON-safe values.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = EventQuerySet.as_manager()

    # Read through the access mechanism like business rows: the audit log is the
    # administration module's, and events are not owned.
    access_module = "admin"
    owner_field = None

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "-occurred_at"], name="core_event_ws_time"),
            models.Index(fields=["workspace", "target_type", "target_id", "-occurred_at"], name="core_event_ws_target"),
            models.Index(fields=["workspace", "actor", "-occurred_at"], name="core_event_ws_actor"),
            models.Index(fields=["workspace", "kind", "-occurred_at"], name="core_event_ws_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.target_repr}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Events are append-only.")
