"""The forecast (issue 7, item 6): the open deals by the month they are expected to close,
weighted by their probability, against the sales plan and what is already won.

How the figures are read, and why:

- **Deals.** Open deals visible to the actor, of the pipeline when one is chosen, owned by
  the manager, of a client in the segment and channel (as the funnel, `deals_for`).
- **Weighted amount** = amount × the deal's probability / 100. A deal's probability is a
  field of its own: the stage's `probability` is given to the deal when it enters the
  stage, and a manager may then set it per deal; the deal's figure is the better
  estimate, and it is the one the plans page's forecast uses, so the two agree.
- **Months.** The current month and the five after it, unless the period filter ends
  after the current month: then the period's months from the current one on. Deals
  expected before today, or with no expected close date, make one "overdue or undated"
  row; the current month's row holds those expected from today to its end.
- **Plan** of a month: the visible monthly sales plans in the workspace's currency (a
  quarter's plan is not split into months). The managers' own plans are added up; a
  month with none takes the plans of the outermost planned teams instead (a team's plan
  covers its sub-teams and members, so adding both would count it twice). With the
  manager filter, that manager's plans only. With a pipeline chosen, the plans for that
  pipeline; without, each manager's or team's plan for all pipelines, or where it has
  none the sum of its plans per pipeline. The plan is not narrowed by segment or channel.
- **Won** of a month: deals won (closed) in that month under the same filters.
- **Money** in the workspace's currency only, never converted.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from relata.analytics.reports.filters import ReportFilters
from relata.analytics.reports.funnel import (
    amount_sum,
    deals_for,
    moments,
    money,
    month_label,
    month_start,
    workspace_zone,
)
from relata.analytics.reports.table import Chart, Column, Table, percent
from relata.analytics.services.classes import add_months
from relata.core.access import require, scope_queryset
from relata.core.models import Membership, Team
from relata.core.money import MONEY_DIGITS
from relata.sales.models import Deal, DealStatus, PeriodKind
from relata.sales.selectors.plans import plans_visible_to, workspace_today

DEFAULT_MONTHS = 6


def forecast_months(filters: ReportFilters, today: dt.date) -> list[dt.date]:
    """The first days of the months the forecast shows (see the module's docstring)."""
    current = today.replace(day=1)
    last = filters.date_to.replace(day=1)
    if last > current:
        month = max(current, filters.date_from.replace(day=1))
    else:
        month, last = current, add_months(current, DEFAULT_MONTHS - 1)
    months = []
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def _weighted(currency: str) -> Any:
    product = ExpressionWrapper(
        F("amount") * F("probability"), output_field=DecimalField(max_digits=MONEY_DIGITS + 3, decimal_places=2)
    )
    return amount_sum(Q(), currency, field=product)  # type: ignore[arg-type]


def forecast_report(actor: Membership, filters: ReportFilters) -> list[Table]:
    """Table `forecast` (one row per month, then the overdue or undated deals)."""
    require(actor, "analytics", "view")
    currency = actor.workspace.default_currency
    today = workspace_today(actor)
    months = forecast_months(filters, today)
    end = add_months(months[-1], 1)
    deals = deals_for(actor, filters, pipeline=filters.pipeline)
    table = Table(
        key="forecast",
        title=_("Forecast by expected close month"),
        columns=[
            Column("month", _("Month")),
            Column("deals", _("Open deals"), "int"),
            Column("amount", _("Amount"), "money"),
            Column("weighted", _("Weighted amount"), "money"),
            Column("plan", _("Plan"), "money"),
            Column("won", _("Won so far"), "money"),
            Column("expected", _("Won and weighted, of plan"), "percent"),
        ],
        chart=Chart("bar", x="month", series=["weighted", "plan"]),
        note=_(
            "Open deals by expected close month; weighted: amount × the deal's probability. Months: the current "
            "one and the five after it, or the period's months from the current one on when the period ends "
            "later. Plan: the managers' monthly plans (or, without any, the outermost teams'). Amounts in "
            "%(currency)s only."
        )
        % {"currency": currency},
    )
    open_deals = deals.filter(status=DealStatus.OPEN)
    expected: dict[dt.date, dict[str, Any]] = {}
    for row in (
        open_deals.filter(expected_close_date__gte=today, expected_close_date__lt=end)
        .annotate(month=TruncMonth("expected_close_date"))
        .values("month")
        .annotate(n=Count("id"), total=amount_sum(Q(), currency), weighted=_weighted(currency))
    ):
        expected[month_start(row["month"], workspace_zone(actor))] = dict(row)
    overdue = open_deals.filter(Q(expected_close_date__isnull=True) | Q(expected_close_date__lt=today)).aggregate(
        n=Count("id"), total=amount_sum(Q(), currency), weighted=_weighted(currency)
    )
    won = _won_by_month(actor, deals, months, currency)
    plans = plan_by_month(actor, filters, months)
    if not (expected or overdue["n"] or any(won.values()) or any(v is not None for v in plans.values())):
        return [table]
    for month in months:
        found = expected.get(month, {"n": 0, "total": 0, "weighted": 0})
        weighted = money(Decimal(str(found["weighted"] or 0)) / 100)
        plan = plans.get(month)
        table.rows.append(
            {
                "month": month_label(month),
                "deals": found["n"],
                "amount": money(found["total"]),
                "weighted": weighted,
                "plan": plan,
                "won": won.get(month, Decimal("0.00")),
                "expected": percent(won.get(month, 0) + weighted, plan) if plan is not None else None,
            }
        )
    table.rows.append(
        {
            "month": _("Overdue or undated"),
            "deals": overdue["n"],
            "amount": money(overdue["total"]),
            "weighted": money(Decimal(str(overdue["weighted"] or 0)) / 100),
            "plan": None,
            "won": None,
            "expected": None,
        }
    )
    planned = [row["plan"] for row in table.rows if row["plan"] is not None]
    plan_total = sum(planned, Decimal("0.00")) if planned else None
    won_total = sum((row["won"] for row in table.rows if row["won"] is not None), Decimal("0.00"))
    weighted_months = sum((row["weighted"] for row in table.rows[:-1]), Decimal("0.00"))
    table.totals = {
        "month": _("Total"),
        "deals": sum(row["deals"] for row in table.rows),
        "amount": sum((row["amount"] for row in table.rows), Decimal("0.00")),
        "weighted": sum((row["weighted"] for row in table.rows), Decimal("0.00")),
        "plan": plan_total,
        "won": won_total,
        "expected": percent(won_total + weighted_months, plan_total) if plan_total is not None else None,
    }
    return [table]


def _won_by_month(
    actor: Membership, deals: QuerySet[Deal], months: list[dt.date], currency: str
) -> dict[dt.date, Decimal]:
    zone = workspace_zone(actor)
    start, end = moments(actor, months[0], add_months(months[-1], 1) - dt.timedelta(days=1))
    won: dict[dt.date, Decimal] = {}
    for row in (
        deals.filter(status=DealStatus.WON, closed_at__gte=start, closed_at__lt=end)
        .annotate(month=TruncMonth("closed_at", tzinfo=zone))
        .values("month")
        .annotate(total=amount_sum(Q(), currency))
    ):
        month = month_start(row["month"], zone)
        won[month] = won.get(month, Decimal("0.00")) + money(row["total"])
    return won


def plan_by_month(actor: Membership, filters: ReportFilters, months: list[dt.date]) -> dict[dt.date, Decimal | None]:
    """The plan of each month (None: no plan), read as the module's docstring says."""
    plans = plans_visible_to(actor).filter(
        period_kind=PeriodKind.MONTH,
        period_start__gte=months[0],
        period_start__lte=months[-1],
        currency=actor.workspace.default_currency,
    )
    if filters.manager is not None:
        plans = plans.filter(manager_id=filters.manager)
    if filters.pipeline is not None:
        plans = plans.filter(pipeline_id=filters.pipeline)
    # month → (manager id or None, team id or None) → pipeline id or None → target
    subjects: dict[dt.date, dict[tuple[int | None, int | None], dict[int | None, Decimal]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for row in plans.order_by().values("period_start", "manager_id", "team_id", "pipeline_id", "target_amount"):
        subjects[row["period_start"]][(row["manager_id"], row["team_id"])][row["pipeline_id"]] = row["target_amount"]
    parents: dict[int, int | None] = {}
    if any(team for month in subjects.values() for (_manager, team) in month):
        parents = dict(scope_queryset(actor, Team.objects.all()).values_list("id", "parent_id"))
    result: dict[dt.date, Decimal | None] = {}
    for month in months:
        planned = subjects.get(month)
        if not planned:
            result[month] = None
            continue

        def target(by_pipeline: dict[int | None, Decimal]) -> Decimal:
            if None in by_pipeline:
                return by_pipeline[None]
            return sum(by_pipeline.values(), Decimal("0.00"))

        managers = [target(p) for (manager, _team), p in planned.items() if manager is not None]
        if managers:
            result[month] = money(sum(managers, Decimal("0.00")))
            continue
        teams = {team: p for (_manager, team), p in planned.items() if team is not None}
        outermost = [p for team, p in teams.items() if not _has_planned_ancestor(team, teams, parents)]
        result[month] = money(sum((target(p) for p in outermost), Decimal("0.00")))
    return result


def _has_planned_ancestor(team: int, planned: dict[int, Any], parents: dict[int, int | None]) -> bool:
    seen = {team}
    parent = parents.get(team)
    while parent is not None and parent not in seen:
        if parent in planned:
            return True
        seen.add(parent)
        parent = parents.get(parent)
    return False
