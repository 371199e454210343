"""Manager performance (issue 7, item 5; product.md §8): for each member who owns anything
in the period — deals won and lost, revenue, plan versus actual, activities and tasks,
and how fast new leads are answered.

Rows: one per member within the actor's scope (own: the actor alone; team: the members of
the actor's team subtree; all: everyone) who has any figure in any of the three tables.
The same members appear in all three tables (zeros where they have nothing), and a
member with nothing at all in the period has no row. (A dashboard widget computes only
its own table, so it lists the members with a figure in that table.) Everything is read from the scoped
selectors (deals, orders, plans, activities, tasks, leads the actor may see), so a
narrower scope never counts more.

Attribution is by the records' current owners, as plan versus actual does: a deal, an
order, a lead by its owner; an activity by its author; a task by its assignee.

Each measure is one aggregate query per table (grouped by member, and by kind for the
activities); only the leads' response times are read one row per lead (their median is
computed in Python), all in one query.

Definitions (also in each table's note):

- Won / lost: deals closed as won / lost in the period (`Deal.closed_at`, in the
  workspace's time zone). Amounts are in the workspace's default currency; deals in other
  currencies are counted but their amounts left out.
- Win rate: won / (won + lost).
- Revenue: `relata.analytics.services.classes.purchases` — orders paid in full in the
  default currency whose last payment falls in the period — attributed to the order's
  owner (the manager who sold it; orders from a deal take the deal's owner).
- Average won deal: won amount / won deals with an amount in the default currency.
- Days to win: the average time from a won deal's creation to its closing, in days.
- Plan: the member's personal plans (`SalesPlan` with a manager) in the default currency
  whose month or quarter lies wholly inside the period. Without the pipeline filter, a
  plan for all pipelines replaces the pipeline plans of the same month or quarter; with it,
  only the plans of that pipeline count. A quarter's plan replaces the monthly plans of
  its three months. Plan % = won amount / plan; in the totals, the won amount of the
  members with a plan / their plans.
- Activities: contacts logged by the member (author) that took place in the period and
  not in the future, per kind; tasks completed in the period (by assignee), completed
  after their due time, and the tasks due in the period still open and overdue now.
- First response to a lead: from the lead's creation to the earliest of its first change
  of status (taken into work), its qualification or rejection, and the first contact
  with the lead's known client that is not incoming and not a note. Leads typed in by
  hand or imported are left out (nobody waits for an answer to them). The status changes
  are read from the event log (append-only, the administration module's): only their
  times, and only for the leads the actor may see, as the lead's own timeline shows them.
  Lead conversion: the leads received that are qualified by now.
"""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, DurationField, F, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.utils import timezone
from django.utils.translation import gettext as _

from relata.activities.models import ActivityKind, Direction, TaskStatus
from relata.activities.selectors.activities import activities_visible_to
from relata.activities.selectors.tasks import tasks_visible_to
from relata.analytics.reports import columnar
from relata.analytics.reports.filters import ReportFilters, clients_in
from relata.analytics.reports.table import Chart, Column, Table, percent
from relata.analytics.services.classes import Period, purchases
from relata.analytics.services.columnar import CopyState
from relata.clients.models import Client
from relata.core.access import owner_filter, scope_queryset
from relata.core.models import Membership
from relata.core.models.events import Event
from relata.core.money import CENT
from relata.core.selectors.members import members_visible_to
from relata.orders.models import Order
from relata.sales.models import Deal, DealStatus, Lead, LeadSource, LeadStatus, PeriodKind, period_end
from relata.sales.selectors.deals import deals_visible_to
from relata.sales.selectors.leads import leads_visible_to
from relata.sales.selectors.plans import plans_visible_to

TENTH = Decimal("0.1")
SECONDS_PER_DAY = Decimal(86400)
SECONDS_PER_HOUR = Decimal(3600)
# Leads somebody is waiting for an answer to (typed-in and imported ones are not).
INBOUND_SOURCES = [s for s in LeadSource.values if s not in (LeadSource.MANUAL, LeadSource.IMPORT)]
# Contacts that are no answer to anybody.
NOT_A_RESPONSE = [ActivityKind.NOTE, ActivityKind.DOCUMENT_RECEIVED]


@dataclass
class Sales:
    won: int = 0
    lost: int = 0
    won_amount: Decimal = Decimal("0.00")
    won_priced: int = 0  # won deals with an amount in the default currency
    days_to_win: dt.timedelta = dt.timedelta(0)  # summed over the won deals
    revenue: Decimal = Decimal("0.00")
    plan: Decimal | None = None


@dataclass
class Work:
    kinds: dict[str, int] = field(default_factory=dict)
    tasks_done: int = 0
    tasks_late: int = 0
    tasks_overdue: int = 0


@dataclass
class Response:
    received: int = 0
    qualified: int = 0  # of the leads received, qualified by now
    waits: list[int] = field(default_factory=list)  # seconds, one per answered lead
    unanswered: int = 0


# --- The report ----------------------------------------------------------------------


TABLES = ("managers_sales", "managers_activities", "managers_response")


def managers_report(
    actor: Membership, filters: ReportFilters, *, now: dt.datetime | None = None, only: Iterable[str] = TABLES
) -> list[Table]:
    """The tables of the manager performance report named in `only` (a bounded number of
    queries). The managers' sales are always read: every table lists the managers in the
    order of their revenue."""
    wanted = set(only)
    now = now or timezone.now()
    begin, end = bounds(actor, filters)
    sales, state = _sales(actor, filters, begin, end)
    work = _work(actor, filters, begin, end, now) if "managers_activities" in wanted else {}
    responses = _responses(actor, filters, begin, end, now) if "managers_response" in wanted else {}
    users = set(sales) | set(work) | set(responses)
    in_scope = members_in_scope(actor)
    if filters.manager is not None:
        in_scope = in_scope.filter(user_id=filters.manager)
    names = {
        row["user_id"]: row["user__full_name"] or row["user__email"]
        for row in in_scope.filter(user_id__in=users).values("user_id", "user__full_name", "user__email")
    }
    order = _ordered(names, sales)
    tables = {
        "managers_sales": lambda: _noted(sales_table(order, names, sales), state),
        "managers_activities": lambda: activities_table(order, names, work),
        "managers_response": lambda: response_table(order, names, responses),
    }
    return [tables[key]() for key in TABLES if key in wanted]


def _noted(table: Table, state: CopyState | None) -> Table:
    return table if state is None else columnar.noted(table, state)


def managers_widget(key: str) -> Callable[[Membership, ReportFilters], Table]:
    """The builder of one table of the report, with only that table's queries."""

    def build(actor: Membership, filters: ReportFilters) -> Table:
        return managers_report(actor, filters, only=(key,))[0]

    return build


def members_in_scope(actor: Membership) -> QuerySet[Membership]:
    """The members whose rows the actor may read: own → the actor, team → the members of
    the actor's team subtree, all → everyone (the owner scope applied to the member)."""
    return members_visible_to(actor).filter(**owner_filter(actor, "user"))


def bounds(actor: Membership, filters: ReportFilters) -> tuple[dt.datetime, dt.datetime]:
    """The period as [begin, end) moments in the workspace's time zone."""
    zone = zoneinfo.ZoneInfo(actor.workspace.time_zone)
    begin = dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return begin, end


def _narrowed_clients(actor: Membership, filters: ReportFilters) -> QuerySet[Client] | None:
    """The clients of the segment and channel filters (None when neither is set). The
    manager filter narrows the members, not the clients: a manager's deal with a
    colleague's client is still the manager's."""
    if filters.segment is None and not filters.channel:
        return None
    return clients_in(actor, replace(filters, manager=None))


def _ordered(names: dict[int, str], sales: dict[int, Sales]) -> list[int]:
    """Best first: by won amount, then by name (ties), then by id."""

    def key(user_id: int) -> tuple[Decimal, str, int]:
        won = sales[user_id].won_amount if user_id in sales else Decimal(0)
        return (-won, names[user_id].casefold(), user_id)

    return sorted(names, key=key)


# --- Sales ---------------------------------------------------------------------------


def _sales(
    actor: Membership, filters: ReportFilters, begin: dt.datetime, end: dt.datetime
) -> tuple[dict[int, Sales], CopyState | None]:
    """The managers' sales, and the columnar copy they were read from (None: the database)."""
    currency = actor.workspace.default_currency
    found: dict[int, Sales] = defaultdict(Sales)
    state = columnar.copy_for(actor, filters, Deal, Order, *([Client] if filters.channel else []))
    if state is not None:
        deal_rows, order_rows = columnar.manager_sales(state, filters, (begin, end), currency)
        for owner, won, lost, won_total, priced_count, won_age in deal_rows:
            item = found[owner]
            item.won, item.lost, item.won_priced = won, lost, priced_count
            item.won_amount = _money(won_total)
            item.days_to_win = dt.timedelta(microseconds=int(won_age or 0))
        for owner, revenue in order_rows:
            found[owner].revenue = _money(revenue)
    else:
        _sales_from_database(actor, filters, begin, end, found)
    for user_id, target in plan_targets(actor, filters).items():
        found[user_id].plan = target
    return dict(found), state


def _sales_from_database(
    actor: Membership, filters: ReportFilters, begin: dt.datetime, end: dt.datetime, found: dict[int, Sales]
) -> None:
    currency = actor.workspace.default_currency
    clients = _narrowed_clients(actor, filters)

    deals = (
        deals_visible_to(actor)
        .order_by()
        .filter(status__in=[DealStatus.WON, DealStatus.LOST], closed_at__gte=begin, closed_at__lt=end)
    )
    if filters.pipeline is not None:
        deals = deals.filter(pipeline_id=filters.pipeline)
    if clients is not None:
        deals = deals.filter(client__in=clients.values("pk"))
    won = Q(status=DealStatus.WON)
    priced = won & Q(currency=currency, amount__isnull=False)
    # Case rather than filter=: SQLite refuses FILTER around its timestamp difference.
    age = Case(When(won, then=F("closed_at") - F("created_at")), output_field=DurationField())
    for row in deals.values("owner_id").annotate(
        # Names unlike the model's fields: an annotation named "amount" would be what the
        # filters below refer to.
        n_won=Count("id", filter=won),
        n_lost=Count("id", filter=Q(status=DealStatus.LOST)),
        won_total=Sum("amount", filter=priced),
        n_priced=Count("id", filter=priced),
        won_age=Sum(age),
    ):
        item = found[row["owner_id"]]
        item.won, item.lost, item.won_priced = row["n_won"], row["n_lost"], row["n_priced"]
        item.won_amount = _money(row["won_total"])
        item.days_to_win = _duration(row["won_age"])

    orders = scope_queryset(actor, purchases(actor.workspace, Period(filters.date_from, end_date(filters))))
    if filters.pipeline is not None:
        orders = orders.filter(deal__pipeline_id=filters.pipeline)
    if clients is not None:
        orders = orders.filter(client__in=clients.values("pk"))
    for order_row in orders.values("owner_id").annotate(revenue=Sum("total")):
        found[order_row["owner_id"]].revenue = _money(order_row["revenue"])


def end_date(filters: ReportFilters) -> dt.date:
    """The first day after the period."""
    return filters.date_to + dt.timedelta(days=1)


def plan_targets(actor: Membership, filters: ReportFilters) -> dict[int, Decimal]:
    """Per manager: the sum of their personal plans lying wholly inside the period (see the
    module's docstring for the pipeline and quarter rules). One query."""
    plans = (
        plans_visible_to(actor)
        .order_by()
        .filter(
            manager__isnull=False,
            currency=actor.workspace.default_currency,
            period_start__gte=filters.date_from,
            period_start__lte=filters.date_to,
        )
    )
    if filters.pipeline is not None:
        plans = plans.filter(pipeline_id=filters.pipeline)
    rows = [
        row
        for row in plans.values("manager_id", "period_kind", "period_start", "pipeline_id", "target_amount")
        if period_end(row["period_kind"], row["period_start"]) <= end_date(filters)
    ]
    # Per manager and period: the plan for all pipelines if there is one, else the sum of
    # the pipeline plans (with the pipeline filter only that pipeline's plans are left).
    periods: dict[tuple[int, str, dt.date], dict[int | None, Decimal]] = defaultdict(dict)
    for row in rows:
        periods[(row["manager_id"], row["period_kind"], row["period_start"])][row["pipeline_id"]] = Decimal(
            row["target_amount"]
        )
    quarters = {(manager, start) for manager, kind, start in periods if kind == PeriodKind.QUARTER}
    targets: dict[int, Decimal] = defaultdict(Decimal)
    for (manager, kind, start), by_pipeline in periods.items():
        if kind == PeriodKind.MONTH and (manager, _quarter_of(start)) in quarters:
            continue  # the quarter's plan covers this month
        amount = by_pipeline[None] if None in by_pipeline else sum(by_pipeline.values(), Decimal(0))
        targets[manager] += amount
    return {manager: amount.quantize(CENT) for manager, amount in targets.items()}


def _quarter_of(day: dt.date) -> dt.date:
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def sales_table(order: list[int], names: dict[int, str], sales: dict[int, Sales]) -> Table:
    rows = [_sales_row(names[user_id], sales.get(user_id, Sales())) for user_id in order]
    total = Sales(plan=None)
    planned_won = Decimal("0.00")  # the won amount of the managers with a plan
    for user_id in order:
        item = sales.get(user_id, Sales())
        total.won += item.won
        total.lost += item.lost
        total.won_amount += item.won_amount
        total.won_priced += item.won_priced
        total.days_to_win += item.days_to_win
        total.revenue += item.revenue
        if item.plan is not None:
            total.plan = (total.plan or Decimal("0.00")) + item.plan
            planned_won += item.won_amount
    totals = None
    if rows:
        totals = _sales_row(_("Total"), total)
        # Against the plans there are: a manager without a plan adds nothing to either side.
        totals["plan_percent"] = percent(planned_won, total.plan) if total.plan is not None else None
    return Table(
        key="managers_sales",
        title=_("Sales by manager"),
        columns=[
            Column("manager", _("Manager")),
            Column("won", _("Deals won"), "int"),
            Column("won_amount", _("Won amount"), "money"),
            Column("lost", _("Deals lost"), "int"),
            Column("win_rate", _("Win rate, %"), "percent"),
            Column("revenue", _("Revenue"), "money"),
            Column("average_won", _("Average won deal"), "money"),
            Column("days_to_win", _("Days to win"), "number"),
            Column("plan", _("Plan"), "money"),
            Column("plan_percent", _("Plan, %"), "percent"),
        ],
        rows=rows,
        totals=totals,
        chart=Chart("bar", "manager", ["won_amount", "plan"]),
        note=_(
            "Deals closed in the period by their owner; amounts in the workspace's currency. Win rate: won of won "
            "and lost. Revenue: orders paid in full in the period (the day of the last payment) by the order's "
            "owner. Days to win: from the deal's creation to its winning. Plan: the manager's monthly and quarterly "
            "plans lying wholly inside the period; plan % is the won amount of the plan (in the total, of the "
            "managers with a plan)."
        ),
    )


def _sales_row(label: str, item: Sales) -> dict[str, Any]:
    return {
        "manager": label,
        "won": item.won,
        "won_amount": item.won_amount,
        "lost": item.lost,
        "win_rate": percent(item.won, item.won + item.lost),
        "revenue": item.revenue,
        "average_won": (item.won_amount / item.won_priced).quantize(CENT) if item.won_priced else None,
        "days_to_win": _days(item.days_to_win, item.won),
        "plan": item.plan,
        "plan_percent": percent(item.won_amount, item.plan) if item.plan is not None else None,
    }


# --- Activities and tasks -------------------------------------------------------------


def _work(
    actor: Membership, filters: ReportFilters, begin: dt.datetime, end: dt.datetime, now: dt.datetime
) -> dict[int, Work]:
    clients = _narrowed_clients(actor, filters)
    found: dict[int, Work] = defaultdict(Work)

    # Activities are visible by their client's owner; counted for their author, and only
    # for authors within the actor's scope (a colleague's call on my client is not mine to see).
    activities = (
        activities_visible_to(actor)
        .order_by()
        .filter(
            occurred_at__gte=begin,
            occurred_at__lt=min(end, now),
            author_id__in=members_in_scope(actor).values("user_id"),
        )
    )
    if clients is not None:
        activities = activities.filter(client__in=clients.values("pk"))
    for row in activities.values("author_id", "kind").annotate(n=Count("id")):
        found[row["author_id"]].kinds[row["kind"]] = row["n"]

    in_period = Q(status=TaskStatus.DONE, completed_at__gte=begin, completed_at__lt=end)
    # Overdue now, of the tasks due in the period (an empty period stays empty).
    overdue = Q(status=TaskStatus.OPEN, due_at__gte=begin, due_at__lt=min(end, now))
    tasks = tasks_visible_to(actor).order_by().filter(in_period | overdue)
    if clients is not None:
        tasks = tasks.filter(client__in=clients.values("pk"))
    for task_row in tasks.values("assignee_id").annotate(
        done=Count("id", filter=in_period),
        late=Count("id", filter=in_period & Q(completed_at__gt=F("due_at"))),
        overdue=Count("id", filter=overdue),
    ):
        item = found[task_row["assignee_id"]]
        item.tasks_done, item.tasks_late, item.tasks_overdue = task_row["done"], task_row["late"], task_row["overdue"]
    return dict(found)


def activities_table(order: list[int], names: dict[int, str], work: dict[int, Work]) -> Table:
    present = {kind for user_id in order for kind in work.get(user_id, Work()).kinds}
    kinds = [(value, label) for value, label in ActivityKind.choices if value in present]
    columns = [Column("manager", _("Manager"))]
    columns += [Column(f"kind_{value}", str(label), "int") for value, label in kinds]
    columns += [
        Column("activities", _("All activities"), "int"),
        Column("tasks_done", _("Tasks completed"), "int"),
        Column("tasks_late", _("Completed late"), "int"),
        Column("tasks_overdue", _("Overdue now"), "int"),
    ]
    total = Work()
    rows = []
    for user_id in order:
        item = work.get(user_id, Work())
        rows.append(_work_row(names[user_id], item, kinds))
        for kind, count in item.kinds.items():
            total.kinds[kind] = total.kinds.get(kind, 0) + count
        total.tasks_done += item.tasks_done
        total.tasks_late += item.tasks_late
        total.tasks_overdue += item.tasks_overdue
    return Table(
        key="managers_activities",
        title=_("Activities and tasks by manager"),
        columns=columns,
        rows=rows,
        totals=_work_row(_("Total"), total, kinds) if rows else None,
        chart=Chart("stacked", "manager", [f"kind_{value}" for value, _label in kinds]) if kinds else None,
        note=_(
            "Contacts logged by the manager that took place in the period, by kind. Tasks by their assignee: "
            "completed in the period, of them completed after the due time, and tasks due in the period that are "
            "still open now, past their due time."
        ),
    )


def _work_row(label: str, item: Work, kinds: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    row: dict[str, Any] = {"manager": label}
    for value, _label in kinds:
        row[f"kind_{value}"] = item.kinds.get(value, 0)
    row.update(
        activities=sum(item.kinds.values()),
        tasks_done=item.tasks_done,
        tasks_late=item.tasks_late,
        tasks_overdue=item.tasks_overdue,
    )
    return row


# --- First response to leads -----------------------------------------------------------


def _responses(
    actor: Membership, filters: ReportFilters, begin: dt.datetime, end: dt.datetime, now: dt.datetime
) -> dict[int, Response]:
    """Per owner: the leads received in the period and, per answered lead, the seconds
    from its creation to its first response (one query, one row per lead)."""
    leads = (
        leads_visible_to(actor).order_by().filter(created_at__gte=begin, created_at__lt=end, source__in=INBOUND_SOURCES)
    )
    clients = _narrowed_clients(actor, filters)
    if clients is not None:
        leads = leads.filter(client__in=clients.values("pk"))
    status_changed = (
        Event.objects.filter(
            workspace_id=actor.workspace_id,
            target_type=ContentType.objects.get_for_model(Lead),
            target_id=OuterRef("pk"),
            kind="lead.changed",
            changes__has_key="status",
        )
        .order_by("occurred_at")
        .values("occurred_at")[:1]
    )
    contacted = (
        activities_visible_to(actor)
        .order_by("occurred_at")
        .filter(client_id=OuterRef("client_id"), occurred_at__gte=OuterRef("created_at"), occurred_at__lte=now)
        .exclude(direction=Direction.INCOMING)
        .exclude(kind__in=NOT_A_RESPONSE)
        .values("occurred_at")[:1]
    )
    rows = leads.annotate(status_changed=Subquery(status_changed), contacted=Subquery(contacted)).values_list(
        "owner_id", "status", "created_at", "status_changed", "contacted", "closed_at"
    )
    found: dict[int, Response] = defaultdict(Response)
    for owner_id, status, created_at, *answers in rows:
        item = found[owner_id]
        item.received += 1
        item.qualified += status == LeadStatus.QUALIFIED
        moments = [moment for moment in answers if moment is not None and moment <= now]
        if moments:
            item.waits.append(max(0, int((min(moments) - created_at).total_seconds())))
        else:
            item.unanswered += 1
    return dict(found)


def response_table(order: list[int], names: dict[int, str], responses: dict[int, Response]) -> Table:
    total = Response()
    rows = []
    for user_id in order:
        item = responses.get(user_id, Response())
        rows.append(_response_row(names[user_id], item))
        total.received += item.received
        total.qualified += item.qualified
        total.unanswered += item.unanswered
        total.waits += item.waits
    return Table(
        key="managers_response",
        title=_("First response to new leads"),
        columns=[
            Column("manager", _("Manager")),
            Column("received", _("Leads received"), "int"),
            Column("answered", _("Answered"), "int"),
            Column("unanswered", _("No response yet"), "int"),
            Column("average_hours", _("Average response, hours"), "number"),
            Column("median_hours", _("Median response, hours"), "number"),
            Column("qualified", _("Qualified"), "int"),
            Column("conversion", _("Lead conversion, %"), "percent"),
        ],
        rows=rows,
        totals=_response_row(_("Total"), total) if rows else None,
        chart=Chart("bar", "manager", ["average_hours", "median_hours"]),
        note=_(
            "Leads that came in during the period (typed-in and imported ones left out), by their owner. The "
            "response is the earliest of: the lead's first change of status (taken into work), its qualification "
            "or rejection, and the first contact logged with the lead's known client after it came in (not an "
            "incoming one, not a note). Times are counted for answered leads only. Conversion: the leads received "
            "that are qualified by now."
        ),
    )


def _response_row(label: str, item: Response) -> dict[str, Any]:
    return {
        "manager": label,
        "received": item.received,
        "answered": len(item.waits),
        "unanswered": item.unanswered,
        "average_hours": _hours(Decimal(sum(item.waits)) / len(item.waits)) if item.waits else None,
        "median_hours": _hours(Decimal(statistics.median(item.waits))) if item.waits else None,
        "qualified": item.qualified,
        "conversion": percent(item.qualified, item.received),
    }


# --- Numbers ---------------------------------------------------------------------------


def _money(value: Any) -> Decimal:
    # SQLite sums decimals as floats.
    return Decimal(str(value or 0)).quantize(CENT)


def _duration(value: Any) -> dt.timedelta:
    if value is None:
        return dt.timedelta(0)
    if isinstance(value, dt.timedelta):
        return value
    return dt.timedelta(microseconds=int(value))


def _days(total: dt.timedelta, count: int) -> Decimal | None:
    if not count:
        return None
    seconds = Decimal(total.days * 86400 + total.seconds) + Decimal(total.microseconds) / 1_000_000
    return (seconds / SECONDS_PER_DAY / count).quantize(TENTH)


def _hours(seconds: Decimal) -> Decimal:
    return (seconds / SECONDS_PER_HOUR).quantize(TENTH)
