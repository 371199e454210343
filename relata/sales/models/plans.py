"""Sales plans: a target amount (and optionally a number of won deals) for a manager or
a team for one month or quarter, optionally for one pipeline. Plan versus actual is read
by relata/sales/selectors/plans.py from the won deals; nothing here is derived."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from relata.core.models import VersionedModel, WorkspaceModel
from relata.core.money import MONEY_DIGITS
from relata.sales.models.pipelines import Pipeline


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


def period_end(kind: str, start: dt.date) -> dt.date:
    """The first day after the period that starts on `start`."""
    months = 3 if kind == PeriodKind.QUARTER else 1
    month = start.month - 1 + months
    return dt.date(start.year + month // 12, month % 12 + 1, 1)


def is_period_start(kind: str, start: dt.date) -> bool:
    if start.day != 1:
        return False
    return kind != PeriodKind.QUARTER or start.month in (1, 4, 7, 10)


class SalesPlan(WorkspaceModel, VersionedModel):
    """A target for one manager or one team (exactly one of them) for a period.

    `owner_field` is the manager: code that narrows plans by the generic owner scope
    sees fewer plans (a team's plan only with scope `all`), never more; the selectors
    add the team plans within a head's team subtree."""

    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.MONTH)
    period_start = models.DateField(_("period start"), help_text=_("The first day of the month or quarter."))
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("manager"),
    )
    # A team gone (it had no members left) takes its plans with it.
    team = models.ForeignKey(
        "core.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    target_amount = models.DecimalField(_("target amount"), max_digits=MONEY_DIGITS, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    target_count = models.PositiveIntegerField(_("target number of won deals"), null=True, blank=True)
    # None: deals of every pipeline count. A pipeline is deleted only without deals.
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("pipeline")
    )

    access_module: ClassVar[str | None] = "sales"
    owner_field: ClassVar[str | None] = "manager"

    class Meta:
        verbose_name = _("sales plan")
        verbose_name_plural = _("sales plans")
        ordering = ["-period_start", "period_kind", "id"]
        indexes = [models.Index(fields=["workspace", "period_kind", "period_start"], name="sales_plan_ws_period")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(manager__isnull=False) & models.Q(team__isnull=True))
                | (models.Q(manager__isnull=True) & models.Q(team__isnull=False)),
                name="sales_plan_manager_or_team",
            ),
            models.CheckConstraint(condition=models.Q(target_amount__gte=0), name="sales_plan_target_amount"),
            models.CheckConstraint(
                condition=models.Q(period_kind__in=PeriodKind.values), name="sales_plan_period_kind"
            ),
            # One plan per period, manager or team, and pipeline (None counts as a value:
            # a plain unique constraint would let NULLs repeat).
            models.UniqueConstraint(
                models.F("workspace"),
                models.F("period_kind"),
                models.F("period_start"),
                Coalesce("manager", models.Value(0)),
                Coalesce("team", models.Value(0)),
                Coalesce("pipeline", models.Value(0)),
                name="sales_plan_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_kind} {self.period_start:%Y-%m}"

    @property
    def period_end(self) -> dt.date:
        return period_end(self.period_kind, self.period_start)
