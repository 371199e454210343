"""The funnel of one pipeline (issue 7, item 3): how far the deals created in the period
got, how long they stayed in each stage, and where and why they were lost.

How the figures are read, and why:

- **Stage order** is the pipeline's: `position`, then id (as the board and `stages_of`).
- **Reached a stage.** Skipping is not recorded: a deal created straight into a later
  stage, or moved past stages, has a StageVisit only for the stages it entered. A funnel
  counts a deal in every stage up to the furthest one it entered (by stage order), so a
  deal that entered stage N counts for stages 1…N whether or not it stayed in the ones
  before; moving back does not undo how far it got. Each row is then a subset of the one
  above and conversions never exceed 100 %.
- **Which deals.** Deals of the pipeline (the deal's current pipeline) created in the
  period, within the actor's scope; the manager filter is the deal's owner, segment and
  channel narrow by the deal's client (`clients_in`, without its owner condition: the
  manager is the deal's). Visits to stages of another pipeline (a deal moved across
  pipelines) are not counted in this one.
- **Time in stage.** From the visits of those deals to the stage: each deal's stays in
  the stage added up (a deal that came back counts once, with all its stays), averaged
  over the deals that stayed there. A stay still going on counts up to now, so deals
  stuck in a stage show; skipped stages add no time.
- **Money.** Amounts in the workspace's currency only; deals in other currencies are
  counted but their amounts are not added (never converted), as in the client classes.
- **Segment** (of the loss tables) is the client's lifecycle status today.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from relata.analytics.reports import columnar
from relata.analytics.reports.filters import ReportFilters, clients_in
from relata.analytics.reports.table import Chart, Column, Table, percent
from relata.clients.models import Client, LifecycleStatus
from relata.core.access import require, scope_queryset
from relata.core.models import Membership
from relata.sales.models import Deal, DealStatus, LossReason, Pipeline, Stage, StageVisit
from relata.sales.selectors.deals import deals_visible_to, pipelines_visible_to, stages_of

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
DAY_SECONDS = Decimal(86400)


# --- What the reports of this family share --------------------------------------------


def workspace_zone(actor: Membership) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(actor.workspace.time_zone)


def moments(actor: Membership, first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Days `first`…`last` (inclusive) as [from, to) moments in the workspace's time zone."""
    zone = workspace_zone(actor)
    return (
        dt.datetime.combine(first, dt.time.min, tzinfo=zone),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


def money(value: Any) -> Decimal:
    """A sum from the database as money (SQLite sums decimals as floats)."""
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def month_label(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def month_start(value: Any, zone: zoneinfo.ZoneInfo) -> dt.date:
    """The first day of a month a TruncMonth returned (a date, or a moment on SQLite and
    PostgreSQL alike, read in the workspace's time zone)."""
    if isinstance(value, dt.datetime):
        value = value.astimezone(zone).date() if timezone.is_aware(value) else value.date()
    return dt.date(value.year, value.month, 1)


def deals_for(actor: Membership, filters: ReportFilters, *, pipeline: int | None) -> QuerySet[Deal]:
    """The deals a sales report counts: visible to the actor, of the pipeline (when given),
    owned by the manager, and of a client in the segment and channel (when set)."""
    deals = deals_visible_to(actor).order_by()
    if pipeline is not None:
        deals = deals.filter(pipeline_id=pipeline)
    if filters.manager is not None:
        deals = deals.filter(owner_id=filters.manager)
    if filters.segment is not None or filters.channel:
        # The manager filter is the deal's owner here, not the client's.
        clients = clients_in(actor, replace(filters, manager=None))
        deals = deals.filter(client__in=clients.order_by().values("pk"))
    return deals


def amount_sum(condition: Q, currency: str, field: str = "amount") -> Sum:
    """Sum of the amounts in the workspace's currency of the rows meeting `condition`."""
    return Sum(field, filter=condition & Q(currency=currency))


# --- The funnel -------------------------------------------------------------------------


def funnel_pipeline(actor: Membership, filters: ReportFilters) -> Pipeline | None:
    """The pipeline the funnel is of: the one the filter names (checked visible by
    `report_filters`), else the first visible one; None when the actor sees none."""
    pipelines = pipelines_visible_to(actor)
    if filters.pipeline is not None:
        chosen = pipelines.filter(pk=filters.pipeline).first()
        if chosen is not None:
            return chosen
    return pipelines.first()


def funnel_report(actor: Membership, filters: ReportFilters) -> list[Table]:
    """Tables `funnel_stages`, `funnel_losses`, `funnel_losses_by_manager`,
    `funnel_losses_by_channel` and `funnel_losses_by_segment` (empty without a visible
    pipeline). A fixed number of queries whatever the number of deals and stages."""
    pipeline, stages, deals, currency = _funnel_of(actor, filters)
    return [
        _stages_table(actor, pipeline, stages, deals, currency),
        _losses_table(actor, stages, deals, currency),
        *_outcome_tables(actor, deals, currency),
    ]


def stages_widget(actor: Membership, filters: ReportFilters) -> Table:
    """From the columnar copy where the reader may use it."""
    pipeline, stages, deals, currency = _funnel_of(actor, filters)
    state = columnar.copy_for(actor, filters, Deal, StageVisit, *([Client] if filters.channel else []))
    if state is None or pipeline is None or not stages:
        return _stages_table(actor, pipeline, stages, deals, currency)
    start, end = moments(actor, filters.date_from, filters.date_to)
    reached, now_here, time_in = columnar.funnel_figures(
        state, filters, pipeline.pk, [stage.pk for stage in stages], currency, (start, end), timezone.now()
    )
    figures = StageFigures(reached, now_here, time_in)
    return columnar.noted(_stages_table(actor, pipeline, stages, deals, currency, figures), state)


def losses_widget(actor: Membership, filters: ReportFilters) -> Table:
    _pipeline, stages, deals, currency = _funnel_of(actor, filters)
    return _losses_table(actor, stages, deals, currency)


def _funnel_of(actor: Membership, filters: ReportFilters) -> tuple[Pipeline | None, list[Stage], QuerySet[Deal], str]:
    """The funnel's pipeline, its stages, the deals counted and the currency of amounts."""
    require(actor, "analytics", "view")
    pipeline = funnel_pipeline(actor, filters)
    stages = stages_of(actor, pipeline) if pipeline is not None else []
    deals: QuerySet[Deal]
    if pipeline is None:
        deals = Deal.objects.none()
    else:
        start, end = moments(actor, filters.date_from, filters.date_to)
        deals = deals_for(actor, filters, pipeline=pipeline.pk).filter(created_at__gte=start, created_at__lt=end)
    return pipeline, stages, deals, actor.workspace.default_currency


def _stage_index(stages: list[Stage], field: str) -> Case:
    """The stage's place in the pipeline (0 = first) from the stage id in `field`."""
    return Case(
        *[When(**{field: stage.pk}, then=Value(index)) for index, stage in enumerate(stages)],
        default=Value(-1),
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class StageFigures:
    """What the funnel's table is made of."""

    reached: dict[int, tuple[int, Decimal]]  # per furthest stage (its index): deals, their amount
    now_here: dict[tuple[int, str], int]  # per (stage id, status): the deals there now
    time_in: dict[int, tuple[dt.timedelta, int]]  # per stage id: the stays' total, the deals that stayed


def _stage_figures(actor: Membership, stages: list[Stage], deals: QuerySet[Deal], currency: str) -> StageFigures:
    stay = ExpressionWrapper(
        Coalesce("left_at", Value(timezone.now(), output_field=DateTimeField())) - F("entered_at"),
        output_field=DurationField(),
    )
    stage_ids = [stage.pk for stage in stages]
    visits = scope_queryset(actor, StageVisit.objects.filter(deal__in=deals.values("pk"), stage_id__in=stage_ids))
    return StageFigures(
        reached=_reached(stages, deals, currency),
        now_here={
            (row["stage_id"], row["status"]): row["n"]
            for row in deals.values("stage_id", "status").annotate(n=Count("id"))
        },
        time_in={
            row["stage_id"]: (row["total"] or dt.timedelta(0), row["n"])
            for row in visits.order_by().values("stage_id").annotate(total=Sum(stay), n=Count("deal_id", distinct=True))
        },
    )


def _stages_table(
    actor: Membership,
    pipeline: Pipeline | None,
    stages: list[Stage],
    deals: QuerySet[Deal],
    currency: str,
    figures: StageFigures | None = None,
) -> Table:
    columns = [
        Column("stage", _("Stage")),
        Column("deals", _("Deals reached"), "int"),
        Column("amount", _("Their amount"), "money"),
        Column("conversion_previous", _("From the previous stage"), "percent"),
        Column("conversion_first", _("From the first stage"), "percent"),
        Column("days", _("Average days in the stage"), "number"),
        Column("open", _("Open here now"), "int"),
        Column("won", _("Won from here"), "int"),
        Column("lost", _("Lost here"), "int"),
    ]
    table = Table(
        key="funnel_stages",
        title=_("Funnel: %(pipeline)s") % {"pipeline": pipeline.name} if pipeline else _("Funnel"),
        columns=columns,
        chart=Chart("funnel", x="stage", series=["deals"]),
        note=_(
            "Deals of the pipeline created in the period. A deal counts in every stage up to the furthest one it "
            "entered, skipped stages included. Days in a stage: each deal's stays there added up, averaged over "
            "the deals that stayed; a stay still going on counts up to now. Amounts in %(currency)s only."
        )
        % {"currency": currency},
    )
    if not stages:
        return table
    figures = figures or _stage_figures(actor, stages, deals, currency)
    reached, now_here, time_in = figures.reached, figures.now_here, figures.time_in
    first: int | None = None
    previous: int | None = None
    for index, stage in enumerate(stages):
        # Deals whose furthest stage is this one or a later one.
        count = sum(n for depth, (n, _t) in reached.items() if depth >= index)
        amount = sum((t for depth, (_n, t) in reached.items() if depth >= index), Decimal("0.00"))
        total, stayed = time_in.get(stage.pk, (dt.timedelta(0), 0))
        days = None
        if stayed:
            days = (Decimal(total.total_seconds()) / DAY_SECONDS / stayed).quantize(TENTH, rounding=ROUND_HALF_UP)
        if first is None:
            first = count
        table.rows.append(
            {
                "stage": stage.name,
                "deals": count,
                "amount": amount,
                "conversion_previous": percent(count, previous) if index else None,
                "conversion_first": percent(count, first),
                "days": days,
                "open": now_here.get((stage.pk, DealStatus.OPEN), 0),
                "won": now_here.get((stage.pk, DealStatus.WON), 0),
                "lost": now_here.get((stage.pk, DealStatus.LOST), 0),
            }
        )
        previous = count
    table.totals = {
        "stage": _("Total"),
        "deals": sum(n for n, _t in reached.values()),
        "amount": sum((t for _n, t in reached.values()), Decimal("0.00")),
        "open": sum(n for (_s, status), n in now_here.items() if status == DealStatus.OPEN),
        "won": sum(n for (_s, status), n in now_here.items() if status == DealStatus.WON),
        "lost": sum(n for (_s, status), n in now_here.items() if status == DealStatus.LOST),
    }
    if not table.totals["deals"]:
        table.rows, table.totals = [], None
    return table


def _reached(stages: list[Stage], deals: QuerySet[Deal], currency: str) -> dict[int, tuple[int, Decimal]]:
    """Per furthest stage (its index): the deals and their amount. A deal's furthest stage
    is the latest of the pipeline's stages it visited (its current one when it has no
    visit there). One statement: the deals grouped with their visits, then by depth (a
    GROUP BY over a GROUP BY, so the ORM's query is wrapped; it was a correlated subquery
    per deal, several times slower over millions of visits)."""
    per_deal = (
        deals.annotate(
            depth=Coalesce(
                Max(
                    _stage_index(stages, "stage_visits__stage_id"),
                    filter=Q(stage_visits__stage_id__in=[stage.pk for stage in stages]),
                ),
                _stage_index(stages, "stage_id"),
            ),
            counted=Case(When(currency=currency, then=F("amount")), default=None),
        )
        .order_by()
        .values("depth", "counted")
    )
    try:
        inner, params = per_deal.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (no deals at all)
        return {}
    # The deals are the actor's already (scoped by `deals`), and their visits come by the join.
    sql = f"SELECT depth, COUNT(*), SUM(counted) FROM ({inner}) per_deal GROUP BY depth"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {depth: (n, money(total)) for depth, n, total in cursor.fetchall()}


def _losses_table(actor: Membership, stages: list[Stage], deals: QuerySet[Deal], currency: str) -> Table:
    table = Table(
        key="funnel_losses",
        title=_("Where and why deals are lost"),
        columns=[
            Column("stage", _("Stage")),
            Column("reason", _("Loss reason")),
            Column("count", _("Lost deals"), "int"),
            Column("amount", _("Their amount"), "money"),
            Column("share", _("Share of all lost"), "percent"),
        ],
        note=_("Lost deals of the funnel by the stage they were lost in and the reason given."),
    )
    rows = list(
        deals.filter(status=DealStatus.LOST)
        .values("stage_id", "loss_reason_id")
        .annotate(n=Count("id"), total=amount_sum(Q(), currency))
    )
    if not rows:
        return table
    order = {stage.pk: index for index, stage in enumerate(stages)}
    names = {stage.pk: stage.name for stage in stages}
    reasons = {
        reason.pk: reason.display_name
        for reason in scope_queryset(actor, LossReason.objects.filter(pk__in={row["loss_reason_id"] for row in rows}))
    }
    lost = sum(row["n"] for row in rows)
    rows.sort(
        key=lambda row: (order.get(row["stage_id"], len(order)), -row["n"], reasons.get(row["loss_reason_id"], ""))
    )
    for row in rows:
        table.rows.append(
            {
                "stage": names.get(row["stage_id"], "—"),
                "reason": reasons.get(row["loss_reason_id"], "—"),
                "count": row["n"],
                "amount": money(row["total"]),
                "share": percent(row["n"], lost),
            }
        )
    table.totals = {
        "stage": _("Total"),
        "count": lost,
        "amount": sum((r["amount"] for r in table.rows), Decimal("0.00")),
        "share": percent(lost, lost),
    }
    return table


def _outcome_columns(label: str) -> list[Column]:
    return [
        Column("name", label),
        Column("lost", _("Lost"), "int"),
        Column("won", _("Won"), "int"),
        Column("win_rate", _("Win rate"), "percent"),
        Column("lost_amount", _("Lost amount"), "money"),
    ]


def _outcome_table(key: str, title: str, label: str, rows: list[dict[str, Any]]) -> Table:
    """A table of won and lost deals per group; groups with neither are left out."""
    table = Table(
        key=key,
        title=title,
        columns=_outcome_columns(label),
        note=_("Won and lost deals of the funnel; win rate: won of those closed."),
    )
    for row in rows:
        if not (row["won"] or row["lost"]):
            continue
        table.rows.append(
            {
                "name": row["name"],
                "lost": row["lost"],
                "won": row["won"],
                "win_rate": percent(row["won"], row["won"] + row["lost"]),
                "lost_amount": money(row["lost_amount"]),
            }
        )
    if table.rows:
        won = sum(r["won"] for r in table.rows)
        lost = sum(r["lost"] for r in table.rows)
        table.totals = {
            "name": _("Total"),
            "lost": lost,
            "won": won,
            "win_rate": percent(won, won + lost),
            "lost_amount": sum((r["lost_amount"] for r in table.rows), Decimal("0.00")),
        }
    return table


def _outcomes(deals: QuerySet[Deal], currency: str, *fields: str) -> list[dict[str, Any]]:
    return list(
        deals.values(*fields).annotate(
            won=Count("id", filter=Q(status=DealStatus.WON)),
            lost=Count("id", filter=Q(status=DealStatus.LOST)),
            lost_amount=amount_sum(Q(status=DealStatus.LOST), currency),
        )
    )


def _outcome_tables(actor: Membership, deals: QuerySet[Deal], currency: str) -> list[Table]:
    closed = deals.filter(status__in=[DealStatus.WON, DealStatus.LOST])
    managers = [
        {**row, "name": row["owner__full_name"] or row["owner__email"]}
        for row in _outcomes(closed, currency, "owner_id", "owner__full_name", "owner__email")
    ]
    managers.sort(key=lambda row: row["name"].casefold())
    by_channel: dict[str, dict[str, Any]] = {}
    for row in _outcomes(closed, currency, "client__source"):
        # A deal without a client has no source at all (NULL); a client's is "" when not stated.
        source = row["client__source"]
        name = _("No client") if source is None else (source or _("Source not stated"))
        group = by_channel.setdefault(name, {"name": name, "won": 0, "lost": 0, "lost_amount": Decimal("0.00")})
        group["won"] += row["won"]
        group["lost"] += row["lost"]
        group["lost_amount"] += money(row["lost_amount"])
    statuses = _outcomes(closed, currency, "client__status_id")
    known = {
        status.pk: status
        for status in LifecycleStatus.objects.filter(
            workspace_id=actor.workspace_id, pk__in={row["client__status_id"] for row in statuses}
        )
    }
    for row in statuses:
        status = known.get(row["client__status_id"])
        row["name"] = status.display_name if status is not None else _("No client")
        row["position"] = (status.position, status.pk) if status is not None else (1 << 16, 0)
    statuses.sort(key=lambda row: row["position"])
    return [
        _outcome_table("funnel_losses_by_manager", _("Won and lost by manager"), _("Manager (deal owner)"), managers),
        _outcome_table(
            "funnel_losses_by_channel",
            _("Won and lost by channel"),
            _("Channel (client's source)"),
            sorted(by_channel.values(), key=lambda row: (-row["lost"], row["name"].casefold())),
        ),
        _outcome_table(
            "funnel_losses_by_segment",
            _("Won and lost by client status"),
            _("Client's lifecycle status"),
            statuses,
        ),
    ]
