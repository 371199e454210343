"""ABC, XYZ and RFM classes of clients (product.md §8), computed in the database.

Revenue: the totals of the order lines of the client's orders that are paid in full
(status paid or closed), in the workspace's default currency, whose purchase date falls in
the period [start, end). The purchase date of an order is the date of its last payment (the
day it became paid in full). Revenue is meant net of refunds; there are no refunds in
Relata yet, so nothing is subtracted. Orders in other currencies are left out until
exchange rates exist. Cancelled, unpaid and part-paid orders are not purchases. (The one
definition of purchases is `relata.analytics.reports.purchases`, shared with the reports.)

Two paths compute the same classes. On PostgreSQL, `classes_sql` computes and stores
them in one INSERT … SELECT (window functions over exact `numeric`). On SQLite, which sums
decimals as floating point, the functions here do: each measure is one aggregate query
over the workspace's rows (one row per client, or per client and month for XYZ); the
recency and frequency scores are ranked in SQL with window functions, and the ABC running
share, the monetary score and the coefficient of variation are computed in Python over
the aggregated rows, exact in money. Revenue is summed over the orders' totals (the sum of
their lines), not over the lines.

Scores (RFM): each measure is scored 1–5 by quintile among the clients with purchases, with
the mid-rank of ties: score = 1 + ⌊5 × (worse + equal / 2) / n⌋, where `worse` counts the
clients with a strictly worse value and `equal` those with the same value (the client
included). Five distinct clients score 1…5; tied clients share a score; a lone client
scores 3. Better is: more recent (recency), more orders (frequency), more revenue
(monetary). Recency is counted in days from the last purchase to the period's end
(exclusive), so a purchase on the period's last day is 1 day old.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from django.db.models import Count, F, Max, QuerySet, Sum, Window
from django.db.models.functions import Rank, TruncMonth

from relata.analytics.models import AbcClass, RfmSegment, XyzClass
from relata.analytics.reports.purchases import purchases as dated_purchases
from relata.core.models import Workspace
from relata.core.money import CENT
from relata.orders.models import Order

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Period:
    """Whole calendar months: `start` is the first day of the first month, `end` the first
    day after the last one (exclusive)."""

    start: dt.date
    end: dt.date

    @property
    def months(self) -> list[dt.date]:
        found, month = [], self.start
        while month < self.end:
            found.append(month)
            month = add_months(month, 1)
        return found


@dataclass(frozen=True)
class Thresholds:
    """Percents: ABC shares of revenue (A, B; C is the rest), XYZ variation limits."""

    abc_a: Decimal = Decimal(80)
    abc_b: Decimal = Decimal(15)
    xyz_x: Decimal = Decimal(10)
    xyz_y: Decimal = Decimal(25)


@dataclass(frozen=True)
class ClientMeasures:
    client_id: int
    revenue: Decimal
    orders: int
    last_purchase: dt.date
    recency_days: int
    abc: str
    xyz: str
    variation: Decimal | None
    r: int
    f: int
    m: int
    rfm_segment: str


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


# --- The queries ------------------------------------------------------------------------


def by_month(rows: Iterable[Mapping[str, Any]], key: str) -> dict[int, dict[dt.date, Decimal]]:
    """Aggregated rows (`key`, "month", "amount") as {key: {month: amount in cents}}."""
    found: dict[int, dict[dt.date, Decimal]] = defaultdict(dict)
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        found[row[key]][month] = (row["amount"] or Decimal(0)).quantize(CENT)
    return dict(found)


def purchases(workspace: Workspace, period: Period) -> QuerySet[Order]:
    """The workspace's orders that are purchases in the period, with `purchased_on`
    (the definition is `relata.analytics.reports.purchases`, shared with the reports)."""
    return dated_purchases(workspace, start=period.start, end=period.end)


def revenue_by_client(workspace: Workspace, period: Period) -> dict[int, Decimal]:
    """Revenue per client with purchases (one aggregate query)."""
    rows = purchases(workspace, period).values("client_id").annotate(revenue=Sum("total"))
    return {row["client_id"]: (row["revenue"] or Decimal(0)).quantize(CENT) for row in rows}


def monthly_amounts(workspace: Workspace, period: Period) -> dict[int, dict[dt.date, Decimal]]:
    """Per client and calendar month of the purchase date: the amount bought (one query)."""
    rows = (
        purchases(workspace, period)
        .annotate(month=TruncMonth("purchased_on"))
        .values("client_id", "month")
        .annotate(amount=Sum("total"))
    )
    return by_month(rows, "client_id")


def recency_frequency(workspace: Workspace, period: Period) -> dict[int, dict[str, Any]]:
    """Per client: orders, last purchase and the recency and frequency scores, ranked in
    SQL (RANK and a COUNT per tie group over the aggregated rows; one query)."""
    rows = (
        purchases(workspace, period)
        .values("client_id")
        .annotate(orders=Count("id"), last=Max("purchased_on"))
        .annotate(
            r_worse=Window(Rank(), order_by=F("last").asc()),
            r_equal=Window(Count("client_id"), partition_by=[F("last")]),
            f_worse=Window(Rank(), order_by=F("orders").asc()),
            f_equal=Window(Count("client_id"), partition_by=[F("orders")]),
            n=Window(Count("client_id")),
        )
    )
    found: dict[int, dict[str, Any]] = {}
    for row in rows:
        last = row["last"]
        last = dt.date.fromisoformat(last) if isinstance(last, str) else last
        found[row["client_id"]] = {
            "orders": row["orders"],
            "last_purchase": last,
            "r": score(row["r_worse"] - 1, row["r_equal"], row["n"]),
            "f": score(row["f_worse"] - 1, row["f_equal"], row["n"]),
        }
    return found


# --- The classes (pure functions over the aggregated rows) ------------------------------


def score(worse: int, equal: int, total: int) -> int:
    """The quintile score 1–5 by mid-rank (see the module's docstring)."""
    return 1 + (5 * (2 * worse + equal)) // (2 * total)


def quintile_scores(values: Mapping[int, Decimal]) -> dict[int, int]:
    """Scores of `values` (higher is better), the formula of `score`."""
    ordered = sorted(values.values())
    total = len(ordered)
    counts: dict[Decimal, int] = defaultdict(int)
    for value in ordered:
        counts[value] += 1
    worse: dict[Decimal, int] = {}
    seen = 0
    for value in sorted(counts):
        worse[value] = seen
        seen += counts[value]
    return {key: score(worse[value], counts[value], total) for key, value in values.items()}


def abc_ranking(revenues: Mapping[int, Decimal]) -> list[tuple[int, Decimal]]:
    """Clients with revenue > 0 by revenue descending, ties by id."""
    return sorted(((k, v) for k, v in revenues.items() if v > 0), key=lambda item: (-item[1], item[0]))


def abc_classes(revenues: Mapping[int, Decimal], thresholds: Thresholds) -> dict[int, str]:
    """§8: a client is A when the revenue share of the clients ranked above it is below
    `abc_a` %, else B when below `abc_a + abc_b` %, else C (the client that crosses a
    boundary belongs to the upper class). Exact: shares are compared as cross products."""
    ranking = abc_ranking(revenues)
    total = sum((revenue for _client, revenue in ranking), Decimal(0))
    classes: dict[int, str] = {}
    above = Decimal(0)
    for client_id, revenue in ranking:
        if above * HUNDRED < thresholds.abc_a * total:
            classes[client_id] = AbcClass.A
        elif above * HUNDRED < (thresholds.abc_a + thresholds.abc_b) * total:
            classes[client_id] = AbcClass.B
        else:
            classes[client_id] = AbcClass.C
        above += revenue
    return classes


def xyz_class(amounts: Iterable[Decimal], months: int, thresholds: Thresholds) -> tuple[str, Decimal | None]:
    """The XYZ class and the coefficient of variation (population standard deviation /
    mean, in %, to the cent, halves up) of the monthly amounts over `months` months
    (missing months are zero). No class when the mean is zero.

    Computed as √(months·Σa² − (Σa)²) / Σa, which is σ / mean: exact sums and one square
    root, the same arithmetic as the PostgreSQL path (`classes_sql`)."""
    values = list(amounts)
    with localcontext() as context:
        context.prec = 60  # Σa² of money needs more than the default 28 digits to stay exact
        total = sum(values, Decimal(0))
        if total <= 0:
            return "", None
        spread = months * sum((value * value for value in values), Decimal(0)) - total * total
        variation = (max(spread, Decimal(0)).sqrt() * HUNDRED / total).quantize(CENT, rounding=ROUND_HALF_UP)
    if variation <= thresholds.xyz_x:
        return XyzClass.X, variation
    if variation <= thresholds.xyz_y:
        return XyzClass.Y, variation
    return XyzClass.Z, variation


def rfm_segment(r: int, f: int) -> str:
    """The named segment of a (recency, frequency) pair:

    ======  ===============  =================  ===========
    R \\ F   1–2              3                  4–5
    ======  ===============  =================  ===========
    4–5     potential        potential          champions
    3       need attention   loyal              loyal
    2       hibernating      at risk            at risk
    1       lost             at risk            at risk
    ======  ===============  =================  ===========
    """
    if r >= 4:
        return RfmSegment.CHAMPIONS if f >= 4 else RfmSegment.POTENTIAL
    if r == 3:
        return RfmSegment.LOYAL if f >= 3 else RfmSegment.ATTENTION
    if f >= 3:
        return RfmSegment.AT_RISK
    return RfmSegment.HIBERNATING if r == 2 else RfmSegment.LOST


def client_measures(workspace: Workspace, period: Period, thresholds: Thresholds) -> list[ClientMeasures]:
    """Every client of the workspace with purchases in the period, with its classes
    (three aggregate queries)."""
    revenues = revenue_by_client(workspace, period)
    monthly = monthly_amounts(workspace, period)
    rf = recency_frequency(workspace, period)
    abc = abc_classes(revenues, thresholds)
    m_scores = quintile_scores(revenues)
    months = len(period.months)
    measures = []
    for client_id, row in sorted(rf.items()):
        xyz, variation = xyz_class(monthly.get(client_id, {}).values(), months, thresholds)
        measures.append(
            ClientMeasures(
                client_id=client_id,
                revenue=revenues.get(client_id, Decimal("0.00")),
                orders=row["orders"],
                last_purchase=row["last_purchase"],
                recency_days=(period.end - row["last_purchase"]).days,
                abc=abc.get(client_id, ""),
                xyz=xyz,
                variation=variation,
                r=row["r"],
                f=row["f"],
                m=m_scores.get(client_id, 1),
                rfm_segment=rfm_segment(row["r"], row["f"]),
            )
        )
    return measures
