"""Possible duplicates found in the base, and the trace of merges."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relata.core.models import WorkspaceModel


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("To review")
    DISMISSED = "dismissed", _("Not duplicates")


class DuplicatePair(WorkspaceModel):
    """Two clients that look like one (client_a has the lower id)."""

    client_a = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    client_b = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"), help_text=_("0–100: how sure the finder is."))
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN)

    access_module = "clients"
    owner_field = "client_a__owner"

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(fields=["client_a", "client_b"], name="clients_duplicatepair_unique"),
            models.CheckConstraint(condition=models.Q(client_a__lt=models.F("client_b")), name="clients_pair_order"),
        ]
        indexes = [models.Index(fields=["workspace", "status", "-score"], name="clients_dup_ws_status_score")]

    def __str__(self) -> str:
        return f"{self.client_a_id}~{self.client_b_id}"


class ClientMergeLink(WorkspaceModel):
    """A client absorbed by a merge: its id now means the survivor (for links, the
    timeline of the absorbed record's events and the API)."""

    absorbed_id = models.BigIntegerField(_("absorbed record"))
    survivor = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="absorbed")
    absorbed_name = models.CharField(_("absorbed name"), max_length=255)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    snapshot = models.JSONField(_("absorbed values"), default=dict)

    access_module = "clients"
    owner_field = "survivor__owner"

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        constraints = [models.UniqueConstraint(fields=["workspace", "absorbed_id"], name="clients_merge_absorbed")]

    def __str__(self) -> str:
        return f"{self.absorbed_id}->{self.survivor_id}"
