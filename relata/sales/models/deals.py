"""Deals: a sale in progress along a pipeline, its contact persons and its stage history."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from relata.core.models import OwnedModel, VersionedModel, WorkspaceModel
from relata.core.money import MONEY_DIGITS
from relata.sales.models.pipelines import LossReason, Pipeline, Stage


class DealStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("deal status", "Open")
    WON = "won", pgettext_lazy("deal status", "Won")
    LOST = "lost", pgettext_lazy("deal status", "Lost")


class Deal(OwnedModel, VersionedModel):
    """A sale in progress. `stage` is where the deal is (for a lost deal: where it was
    lost); `status` says whether it is still open. The amount is in `currency`; the
    weighted amount used by forecasts is amount × probability."""

    title = models.CharField(_("title"), max_length=200)
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="deals", verbose_name=_("pipeline"))
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals", verbose_name=_("stage"))
    status = models.CharField(_("status"), max_length=8, choices=DealStatus.choices, default=DealStatus.OPEN)
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deals",
        verbose_name=_("client"),
    )
    amount = models.DecimalField(_("amount"), max_digits=MONEY_DIGITS, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    probability = models.PositiveSmallIntegerField(_("probability, %"), default=0)
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    competitors = models.JSONField(_("competitors"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    stage_entered_at = models.DateTimeField(_("in the stage since"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    loss_reason = models.ForeignKey(
        LossReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deals",
        verbose_name=_("loss reason"),
    )
    loss_note = models.CharField(_("loss comment"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    access_module: ClassVar[str | None] = "sales"

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "owner"], name="sales_deal_ws_owner"),
            models.Index(fields=["workspace", "pipeline", "status", "stage"], name="sales_deal_board"),
            models.Index(fields=["workspace", "client"], name="sales_deal_ws_client"),
            models.Index(fields=["workspace", "status", "closed_at"], name="sales_deal_ws_closed"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(probability__lte=100), name="sales_deal_probability"),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0), name="sales_deal_amount"
            ),
            # A lost deal always says why; an open one is not closed.
            models.CheckConstraint(
                condition=~models.Q(status=DealStatus.LOST) | models.Q(loss_reason__isnull=False),
                name="sales_deal_lost_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(status=DealStatus.OPEN, closed_at__isnull=True)
                | (~models.Q(status=DealStatus.OPEN) & models.Q(closed_at__isnull=False)),
                name="sales_deal_closed_at",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == DealStatus.OPEN


class DealContact(WorkspaceModel):
    """A contact person of the client taking part in the deal."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="contact_links")
    person = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="deal_links")

    access_module: ClassVar[str | None] = "sales"
    owner_field: ClassVar[str | None] = "deal__owner"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["deal", "person"], name="sales_dealcontact_unique")]

    def __str__(self) -> str:
        return f"{self.deal_id}:{self.person_id}"


class StageVisit(WorkspaceModel):
    """One stay of a deal in a stage: when it entered and left, and who moved it. The
    deal's current stage has the visit with `left_at` empty (none once it is closed)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_visits")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="visits", verbose_name=_("stage"))
    entered_at = models.DateTimeField(_("entered"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("moved in by")
    )
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    left_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moved out by"),
    )

    access_module: ClassVar[str | None] = "sales"
    owner_field: ClassVar[str | None] = "deal__owner"

    class Meta:
        verbose_name = _("stage visit")
        verbose_name_plural = _("stage history")
        ordering = ["entered_at", "id"]
        indexes = [models.Index(fields=["workspace", "stage", "entered_at"], name="sales_visit_ws_stage")]
        constraints = [
            models.UniqueConstraint(
                fields=["deal"], condition=models.Q(left_at__isnull=True), name="sales_visit_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.deal_id}@{self.stage_id}"
