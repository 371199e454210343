"""Reads of sales plans and plan versus actual, within the actor's scope.

Visibility: scope `all` sees every plan; scope `team` the plans of managers in the
actor's team subtree and of the teams in it; scope `own` only the actor's own plan.
The actual of a plan is read from deals the actor may see too (a narrower scope never
shows more).

Actual = the won deals whose `closed_at` falls inside the period in the workspace's time
zone, owned by the plan's manager, or by the current members of the plan's team and its
sub-teams. Attribution is by the deal's *current* owner and the *current* team
membership: a deal handed to a colleague after it was won, or a manager who changed
teams, moves the figures (the stage history does not record owners at closing time).
Only deals in the plan's currency count; other currencies are shown beside, never
converted. The forecast is the open deals expected to close in the period, amount ×
probability, in the plan's currency.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from relata.core.access import require
from relata.core.models import Membership, Scope, Team
from relata.core.money import MONEY_DIGITS
from relata.core.selectors.teams import team_subtree_ids
from relata.sales.models import DealStatus, PeriodKind, SalesPlan, period_end
from relata.sales.selectors.deals import deals_visible_to

CENT = Decimal("0.01")
_PERIOD = re.compile(r"^(\d{4})-(?:(\d{1,2})|[Qq]([1-4]))$")


def plans_visible_to(actor: Membership) -> QuerySet[SalesPlan]:
    queryset = SalesPlan.objects.filter(workspace_id=actor.workspace_id)
    if not actor.can("sales", "view"):
        return queryset.none()
    if actor.scope == Scope.ALL:
        visible = queryset
    elif actor.scope == Scope.TEAM and actor.team_subtree_ids:
        team_users = Membership.objects.filter(
            workspace_id=actor.workspace_id, team_id__in=actor.team_subtree_ids
        ).values("user_id")
        visible = queryset.filter(Q(manager_id__in=team_users) | Q(team_id__in=actor.team_subtree_ids))
    else:
        visible = queryset.filter(manager_id=actor.user_id)
    return visible.select_related("manager", "team", "pipeline")


def plan_get(actor: Membership, pk: Any, *, for_write: bool = False) -> SalesPlan:
    """The plan if within the actor's scope (else 404); with `for_write`, also needs
    `sales.assign` (else 403). As `get_visible`, whose generic owner scope would hide
    the team plans of a head's subtree."""
    require(actor, "sales", "view")
    try:
        plan = plans_visible_to(actor).get(pk=pk)
    except (SalesPlan.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(SalesPlan._meta.verbose_name) from exc
    if for_write:
        require(actor, "sales", "assign")
    return plan


def plannable_team_ids(actor: Membership) -> frozenset[int] | None:
    """Teams whose plans the actor may set (None: every team of the workspace)."""
    if actor.scope == Scope.ALL:
        return None
    return actor.team_subtree_ids if actor.scope == Scope.TEAM else frozenset()


# --- Periods ---------------------------------------------------------------------------


def period_containing(kind: str, day: dt.date) -> dt.date:
    """The first day of the month or quarter that contains `day`."""
    month = day.month if kind != PeriodKind.QUARTER else (day.month - 1) // 3 * 3 + 1
    return dt.date(day.year, month, 1)


def workspace_today(actor: Membership) -> dt.date:
    return timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(actor.workspace.time_zone)).date()


def parse_period(kind: str, text: str | None, *, today: dt.date) -> dt.date | None:
    """ "2026-12" (a month; for a quarter, the quarter containing it) or "2026-Q4"; empty:
    the current period. None when it cannot be read."""
    if not text:
        return period_containing(kind, today)
    match = _PERIOD.match(text.strip())
    if match is None:
        return None
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else (int(match.group(3)) - 1) * 3 + 1
    if not (1 <= month <= 12 and 2000 <= year <= 2199):
        return None
    return period_containing(kind, dt.date(year, month, 1))


def period_label(kind: str, start: dt.date) -> str:
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}" if kind == PeriodKind.QUARTER else f"{start:%Y-%m}"


def shift_period(kind: str, start: dt.date, steps: int) -> dt.date:
    months = (3 if kind == PeriodKind.QUARTER else 1) * steps
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


# --- Plan versus actual ------------------------------------------------------------------


@dataclass
class PlanProgress:
    plan: SalesPlan
    actual: Decimal = Decimal("0.00")
    won_count: int = 0
    forecast: Decimal = Decimal("0.00")
    # Won in other currencies (currency → amount, and the number of deals), not converted.
    other_currencies: dict[str, Decimal] = field(default_factory=dict)
    other_count: int = 0

    @property
    def percent(self) -> int | None:
        """Actual as a whole percent of the target (None for a target of zero)."""
        if not self.plan.target_amount:
            return None
        return int((self.actual * 100 / self.plan.target_amount).to_integral_value(ROUND_HALF_UP))

    @property
    def count_percent(self) -> int | None:
        if not self.plan.target_count:
            return None
        return round(self.won_count * 100 / self.plan.target_count)

    @property
    def bar(self) -> int:
        """The progress bar's width, 0–100."""
        return max(0, min(100, self.percent or 0))


def _money(value: Any) -> Decimal:
    # SQLite sums decimals as floats; amounts are in kopecks/cents.
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def _team_users(workspace_id: int, team_ids: set[int]) -> dict[int, set[int]]:
    """Team id → user ids of the members of the team and its sub-teams (two queries)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Team.objects.filter(workspace_id=workspace_id).values_list("id", "parent_id"):
        children[parent_id].append(pk)
    members: dict[int, set[int]] = defaultdict(set)
    for team_id, user_id in Membership.objects.filter(workspace_id=workspace_id, team__isnull=False).values_list(
        "team_id", "user_id"
    ):
        members[team_id].add(user_id)
    result: dict[int, set[int]] = {}
    for team_id in team_ids:
        users: set[int] = set()
        stack, seen = [team_id], set()
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            users |= members.get(current, set())
            stack.extend(children.get(current, ()))
        result[team_id] = users
    return result


def period_bounds(actor: Membership, kind: str, start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period as [from, to) moments in the workspace's time zone."""
    zone = zoneinfo.ZoneInfo(actor.workspace.time_zone)
    end = period_end(kind, start)
    return dt.datetime.combine(start, dt.time.min, tzinfo=zone), dt.datetime.combine(end, dt.time.min, tzinfo=zone)


def plan_progress(actor: Membership, kind: str, start: dt.date) -> list[PlanProgress]:
    """The plans of the period the actor may see, each with its actual, forecast and
    percent. A fixed number of queries whatever the number of plans: deals are summed
    per owner, pipeline and currency in the database, then added up per plan."""
    require(actor, "sales", "view")
    plans = list(
        plans_visible_to(actor)
        .filter(period_kind=kind, period_start=start)
        .order_by("team__name", "manager__full_name", "pipeline__position", "id")
    )
    if not plans:
        return []
    begin, finish = period_bounds(actor, kind, start)
    deals = deals_visible_to(actor).order_by()
    won: dict[tuple[int, int, str], tuple[Decimal, int]] = {}
    for row in (
        deals.filter(status=DealStatus.WON, closed_at__gte=begin, closed_at__lt=finish)
        .values("owner_id", "pipeline_id", "currency")
        .annotate(total=Sum("amount"), n=Count("id"))
    ):
        won[(row["owner_id"], row["pipeline_id"], row["currency"])] = (_money(row["total"]), row["n"])
    weighted = ExpressionWrapper(
        F("amount") * F("probability"), output_field=DecimalField(max_digits=MONEY_DIGITS + 3, decimal_places=2)
    )
    expected: dict[tuple[int, int, str], Decimal] = {}
    for open_row in (
        deals.filter(
            status=DealStatus.OPEN,
            amount__isnull=False,
            expected_close_date__gte=start,
            expected_close_date__lt=period_end(kind, start),
        )
        .values("owner_id", "pipeline_id", "currency")
        .annotate(total=Sum(weighted))
    ):
        key = (open_row["owner_id"], open_row["pipeline_id"], open_row["currency"])
        expected[key] = _money(Decimal(str(open_row["total"] or 0)) / 100)
    teams = _team_users(actor.workspace_id, {plan.team_id for plan in plans if plan.team_id})
    result = []
    for plan in plans:
        owners = {plan.manager_id} if plan.manager_id else teams.get(plan.team_id or 0, set())
        progress = PlanProgress(plan)
        for (owner, pipeline, currency), (total, count) in won.items():
            if owner not in owners or (plan.pipeline_id and pipeline != plan.pipeline_id):
                continue
            if currency == plan.currency:
                progress.actual += total
                progress.won_count += count
            else:
                progress.other_currencies[currency] = progress.other_currencies.get(currency, Decimal(0)) + total
                progress.other_count += count
        for (owner, pipeline, currency), total in expected.items():
            if (
                owner in owners
                and currency == plan.currency
                and not (plan.pipeline_id and pipeline != plan.pipeline_id)
            ):
                progress.forecast += total
        result.append(progress)
    return result


def team_members(actor: Membership, team: Team) -> QuerySet[Membership]:
    """The active members of `team` and its sub-teams, by name (the plans set-up rows)."""
    subtree = team_subtree_ids(actor.workspace_id, team.pk)
    return (
        Membership.objects.filter(workspace_id=actor.workspace_id, team_id__in=subtree, is_active=True)
        .select_related("user", "role", "workspace", "team")
        .order_by("user__full_name")
    )
