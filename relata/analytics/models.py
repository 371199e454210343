"""Analytics: the classes of clients (ABC, XYZ, RFM) computed from their purchases, and
the workspace's settings of that computation.

`ClientClass` rows are derived data: written only by `classes_recompute`, which replaces
all rows of a workspace at once, and never edited. A client without purchases in the
period has no row (so no class). Business tables are never written by analytics.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from relata.core.models import VersionedModel, WorkspaceModel
from relata.core.money import MONEY_DIGITS


class AbcClass(models.TextChoices):
    A = "A", pgettext_lazy("ABC class", "A")
    B = "B", pgettext_lazy("ABC class", "B")
    C = "C", pgettext_lazy("ABC class", "C")


class XyzClass(models.TextChoices):
    X = "X", pgettext_lazy("XYZ class", "X")
    Y = "Y", pgettext_lazy("XYZ class", "Y")
    Z = "Z", pgettext_lazy("XYZ class", "Z")


class RfmSegment(models.TextChoices):
    CHAMPIONS = "champions", pgettext_lazy("RFM segment", "Champions")
    LOYAL = "loyal", pgettext_lazy("RFM segment", "Loyal")
    POTENTIAL = "potential", pgettext_lazy("RFM segment", "Potential loyalists")
    ATTENTION = "attention", pgettext_lazy("RFM segment", "Need attention")
    AT_RISK = "at_risk", pgettext_lazy("RFM segment", "At risk")
    HIBERNATING = "hibernating", pgettext_lazy("RFM segment", "Hibernating")
    LOST = "lost", pgettext_lazy("RFM segment", "Lost")


class AnalyticsSettings(WorkspaceModel, VersionedModel):
    """Thresholds of the workspace's classes, in percent. ABC: A while the revenue share of
    the clients ranked above is below `abc_a`, B while below `abc_a + abc_b`, else C.
    XYZ: X when the coefficient of variation ≤ `xyz_x`, Y when ≤ `xyz_y`, else Z."""

    abc_a = models.DecimalField(_("A: share of revenue, %"), max_digits=5, decimal_places=2, default=Decimal(80))
    abc_b = models.DecimalField(_("B: share of revenue, %"), max_digits=5, decimal_places=2, default=Decimal(15))
    xyz_x = models.DecimalField(_("X: variation up to, %"), max_digits=6, decimal_places=2, default=Decimal(10))
    xyz_y = models.DecimalField(_("Y: variation up to, %"), max_digits=6, decimal_places=2, default=Decimal(25))
    period_months = models.PositiveSmallIntegerField(_("period, months"), default=12)

    access_module: ClassVar[str | None] = "analytics"

    class Meta:
        verbose_name = _("analytics settings")
        verbose_name_plural = _("analytics settings")
        constraints = [models.UniqueConstraint(fields=["workspace"], name="analytics_settings_once")]

    def __str__(self) -> str:
        return f"{self.abc_a}/{self.abc_b} {self.xyz_x}/{self.xyz_y}"


class ClientClass(WorkspaceModel):
    # Derived rows, rewritten all at once by one INSERT … SELECT from the orders (whose own
    # keys are checked): no database-level foreign keys, whose deferred checks at commit
    # took a third of a recomputation at 1M clients. Deleting a client or a workspace still
    # deletes its rows (Django's on_delete), and the (workspace, abc, xyz) index serves
    # lookups by workspace.
    workspace = models.ForeignKey(
        "core.Workspace",
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        verbose_name=_("workspace"),
        db_constraint=False,
        db_index=False,
    )
    client = models.OneToOneField(
        "clients.Client",
        on_delete=models.CASCADE,
        related_name="analytics_class",
        verbose_name=_("client"),
        db_constraint=False,
    )
    abc = models.CharField(_("ABC"), max_length=1, choices=AbcClass.choices, blank=True)
    xyz = models.CharField(_("XYZ"), max_length=1, choices=XyzClass.choices, blank=True)
    variation = models.DecimalField(
        _("variation, %"), max_digits=9, decimal_places=2, null=True, blank=True
    )  # the coefficient of variation of the monthly amounts; none when they are all zero
    r = models.PositiveSmallIntegerField(_("recency score"))
    f = models.PositiveSmallIntegerField(_("frequency score"))
    m = models.PositiveSmallIntegerField(_("monetary score"))
    rfm_segment = models.CharField(_("RFM segment"), max_length=12, choices=RfmSegment.choices)
    revenue = models.DecimalField(_("revenue"), max_digits=MONEY_DIGITS, decimal_places=2)
    orders = models.PositiveIntegerField(_("orders"))
    last_purchase = models.DateField(_("last purchase"))
    recency_days = models.PositiveIntegerField(_("days since the last purchase"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))  # exclusive: the first day after the period
    computed_at = models.DateTimeField(_("computed"))

    access_module: ClassVar[str | None] = "analytics"
    owner_field: ClassVar[str | None] = "client__owner"

    class Meta:
        verbose_name = _("client class")
        verbose_name_plural = _("client classes")
        ordering = ["-revenue", "client_id"]
        indexes = [
            models.Index(fields=["workspace", "abc", "xyz"], name="analytics_class_ws_abc_xyz"),
            models.Index(fields=["workspace", "rfm_segment"], name="analytics_class_ws_segment"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(r__gte=1, r__lte=5, f__gte=1, f__lte=5, m__gte=1, m__lte=5),
                name="analytics_class_scores",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.abc or '-'}{self.xyz or '-'} {self.r}{self.f}{self.m}"

    @property
    def rfm(self) -> str:
        return f"{self.r}{self.f}{self.m}"


class Dashboard(WorkspaceModel, VersionedModel):
    """The widgets of a role's analytics dashboard, in order (keys of
    relata.analytics.reports.widgets.WIDGETS). A role without a row gets its default."""

    role = models.OneToOneField("core.Role", on_delete=models.CASCADE, related_name="+", verbose_name=_("role"))
    widgets = models.JSONField(_("widgets"), default=list)

    access_module: ClassVar[str | None] = "analytics"

    class Meta:
        verbose_name = _("dashboard")
        verbose_name_plural = _("dashboards")

    def __str__(self) -> str:
        return str(self.role)
