"""Lifetime value (product.md §8 "Customer lifetime value", issue 7 item 2): what each
client, and each holding group, has bought over its whole history.

What is counted: every purchase (`reports.purchases`) dated up to the end of the chosen
period, whenever it began: the period's start is not used (a lifetime has no start), so the
end lets one look at the lifetime values as they stood on a past day. The clients are those
in the filters (`clients_in`: visible to the actor, of the segment and the channel, and
owned by the manager: here the manager is the client's, since the figures are per client).
The product filter does not apply (the value of a client is across all products).

Holdings: a company with its subsidiaries (`Client.parent`), the root company and every
descendant at any depth. Nothing bounds the depth (the services refuse only cycles), so the
workspace's parent links are read in one query and every company's root is found in
Python, each link followed once (a cycle, which the services prevent, would stop the walk).
Only the members in the filters count; the holding is named after its root company when
the actor may see it, else after its topmost member the actor sees (the actor's scope
never shows a name it hides elsewhere).

One aggregate query gives every client's figures; the tables, the summary and the holdings
are computed from those rows.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Aggregate, Count, DecimalField, Max, Min, Sum
from django.utils import formats
from django.utils.translation import gettext as _

from relata.analytics.reports import columnar
from relata.analytics.reports.filters import ReportFilters, of_clients_in
from relata.analytics.reports.purchases import as_date, money, purchases
from relata.analytics.reports.table import Chart, Column, Table, percent
from relata.clients.models import Client
from relata.clients.selectors.clients import clients_visible_to
from relata.core.models import Membership
from relata.core.money import CENT

TOP_CLIENTS = 100
TOP_HOLDINGS = 100
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class ClientLifetime:
    client_id: int
    name: str
    first_purchase: dt.date
    last_purchase: dt.date
    orders: int
    revenue: Decimal
    products: int  # distinct products bought

    @property
    def average_order(self) -> Decimal:
        return (self.revenue / self.orders).quantize(CENT)


def client_lifetimes(actor: Membership, filters: ReportFilters) -> list[ClientLifetime]:
    """Every client in the filters with purchases up to the period's end, highest revenue
    first (ties by name, then id); one query."""
    rows = (
        of_clients_in(purchases(actor.workspace, start=None, end=filters.date_to + ONE_DAY), actor, filters)
        .values("client_id", "client__name")
        .annotate(
            first=Min("purchased_on"),
            last=Max("purchased_on"),
            orders=Count("id", distinct=True),
            revenue=Sum("lines__total"),
            products=Count("lines__product_id", distinct=True),
        )
    )
    found = [
        ClientLifetime(
            client_id=row["client_id"],
            name=row["client__name"],
            first_purchase=as_date(row["first"]),
            last_purchase=as_date(row["last"]),
            orders=row["orders"],
            revenue=money(row["revenue"]),
            products=row["products"],
        )
        for row in rows
    ]
    return sorted(found, key=lambda c: (-c.revenue, c.name, c.client_id))


def holding_roots(workspace_id: int) -> tuple[dict[int, int], dict[int, int]]:
    """The root and the depth (the root: 0) of every company of the workspace in a holding,
    i.e. with a parent or with subsidiaries. One query for the links."""
    parents: dict[int, int] = dict(
        Client.objects.filter(workspace_id=workspace_id, parent__isnull=False).values_list("pk", "parent_id")
    )
    root: dict[int, int] = {}
    depth: dict[int, int] = {}
    for start in parents:
        path: list[int] = []
        node = start
        while node in parents and node not in root and node not in path:
            path.append(node)
            node = parents[node]
        if node in root:
            top, base = root[node], depth[node]
        else:  # the root (no parent), or the company where a cycle closes
            top, base = node, 0
            root[node], depth[node] = node, 0
        for offset, member in enumerate(reversed(path), start=1):
            if member != top:
                root[member], depth[member] = top, base + offset
    return root, depth


def lifetime_report(actor: Membership, filters: ReportFilters) -> list[Table]:
    lifetimes = client_lifetimes(actor, filters)
    as_of = _as_of(filters)
    return [
        lifetime_summary(lifetimes, as_of),
        lifetime_clients(lifetimes, as_of),
        lifetime_holdings(actor, lifetimes, as_of),
    ]


def _as_of(filters: ReportFilters) -> str:
    return _("All purchases up to %(day)s (the period's start is not used).") % {
        "day": formats.date_format(filters.date_to, "SHORT_DATE_FORMAT")
    }


def lifetime_summary(lifetimes: list[ClientLifetime], as_of: str) -> Table:
    return _summary_table(
        count=len(lifetimes),
        revenue=sum((c.revenue for c in lifetimes), Decimal("0.00")),
        median=Decimal(statistics.median(c.revenue for c in lifetimes)) if lifetimes else None,
        products=sum(c.products for c in lifetimes),
        orders=sum(c.orders for c in lifetimes),
        as_of=as_of,
    )


def summary_widget(actor: Membership, filters: ReportFilters) -> Table:
    """The summary alone, aggregated in the database (no row per client reaches Python):
    the clients' count, revenue and orders over their per-client sums, the median (the
    two middle values: `_Middle` on PostgreSQL, by position on SQLite) and the distinct
    client–product pairs. From the columnar copy where the reader may use it."""
    state = columnar.copy_for(actor, filters, Client)
    if state is not None:
        found = columnar.lifetime_figures(state, filters)
        table = _summary_table(
            count=found["count"],
            revenue=money(found["revenue"]),
            median=found["median"],
            products=found["pairs"],
            orders=found["orders"],
            as_of=_as_of(filters),
        )
        return columnar.noted(table, state)
    orders = of_clients_in(purchases(actor.workspace, start=None, end=filters.date_to + ONE_DAY), actor, filters)
    per_client = orders.values("client_id").annotate(spent=Sum("total"), bought=Count("id"))
    sums: dict[str, Aggregate] = {"count": Count("client_id"), "revenue": Sum("spent"), "orders": Sum("bought")}
    if connection.vendor == "postgresql":  # the two middle values in the same pass
        sums |= {"low": _Middle("spent"), "high": _Middle("spent", descending=True)}
    found = per_client.aggregate(**sums)
    count = found["count"] or 0
    median = None
    if count and "low" in found:
        median = (Decimal(found["low"]) + Decimal(found["high"])) / 2
    elif count:  # SQLite: the middle one or two by position
        middle = [
            money(value)
            for value in per_client.order_by("spent", "client_id").values_list("spent", flat=True)[
                (count - 1) // 2 : count // 2 + 1
            ]
        ]
        median = sum(middle, Decimal(0)) / len(middle)
    # From the orders to their lines in one join (`lines_of` would re-read the orders
    # through a semi-join: 4× slower for a manager's clients at 1M).
    pairs = orders.filter(lines__product_id__isnull=False).values("client_id", "lines__product_id").distinct().count()
    return _summary_table(
        count=count,
        revenue=money(found["revenue"]),
        median=median,
        products=pairs,
        orders=found["orders"] or 0,
        as_of=_as_of(filters),
    )


class _Middle(Aggregate):
    """PostgreSQL's percentile_disc(0.5): the lower of the two middle values, or with
    `descending` the upper one (the same one for an odd count). Exact for numeric, where
    percentile_cont would average in floating point."""

    function = "percentile_disc"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s%(direction)s)"

    def __init__(self, expression: str, *, descending: bool = False) -> None:
        super().__init__(expression, output_field=DecimalField())
        self.extra["direction"] = " DESC" if descending else ""


def _summary_table(
    *, count: int, revenue: Decimal, median: Decimal | None, products: int, orders: int, as_of: str
) -> Table:
    row = {
        "clients": count,
        "revenue": revenue,
        "average": (revenue / count).quantize(CENT) if count else None,
        "median": median.quantize(CENT) if median is not None else None,
        "products": (Decimal(products) / count).quantize(CENT) if count else None,
        "orders": (Decimal(orders) / count).quantize(CENT) if count else None,
    }
    return Table(
        key="lifetime_summary",
        title=_("Lifetime value: summary"),
        columns=[
            Column("clients", _("Clients with purchases"), "int"),
            Column("revenue", _("Revenue"), "money"),
            Column("average", _("Average per client"), "money"),
            Column("median", _("Median per client"), "money"),
            Column("products", _("Products per client, average"), "number"),
            Column("orders", _("Orders per client, average"), "number"),
        ],
        rows=[row] if count else [],
        note=as_of,
    )


def lifetime_clients(lifetimes: list[ClientLifetime], as_of: str, *, top: int = TOP_CLIENTS) -> Table:
    rows = [
        {
            "client": c.name,
            "first_purchase": c.first_purchase,
            "last_purchase": c.last_purchase,
            "orders": c.orders,
            "revenue": c.revenue,
            "average_order": c.average_order,
            "products": c.products,
        }
        for c in lifetimes[:top]
    ]
    return Table(
        key="lifetime_clients",
        title=_("Clients with the highest lifetime revenue"),
        columns=[
            Column("client", _("Client")),
            Column("first_purchase", _("First purchase"), "date"),
            Column("last_purchase", _("Last purchase"), "date"),
            Column("orders", _("Orders"), "int"),
            Column("revenue", _("Revenue"), "money"),
            Column("average_order", _("Average order"), "money"),
            Column("products", _("Products bought"), "int"),
        ],
        rows=rows,
        chart=Chart("bar", "client", ["revenue"]),
        note=" ".join([_("The top %(top)d clients by revenue.") % {"top": top}, as_of]),
    )


def lifetime_holdings(
    actor: Membership, lifetimes: list[ClientLifetime], as_of: str, *, top: int = TOP_HOLDINGS
) -> Table:
    """Per holding group with purchases: revenue, orders and the member companies that
    bought (only the clients in the filters count)."""
    root, depth = holding_roots(actor.workspace_id)
    members: dict[int, list[ClientLifetime]] = defaultdict(list)
    for c in lifetimes:
        if c.client_id in root:
            members[root[c.client_id]].append(c)
    visible_roots = dict(clients_visible_to(actor).filter(pk__in=list(members)).values_list("pk", "name"))
    groups = []
    for root_id, bought in members.items():
        if root_id in visible_roots:
            name = visible_roots[root_id]
        else:
            topmost = min(bought, key=lambda c: (depth[c.client_id], c.name, c.client_id))
            name = _("Group of %(company)s") % {"company": topmost.name}
        revenue = sum((c.revenue for c in bought), Decimal("0.00"))
        groups.append((name, root_id, revenue, len(bought), sum(c.orders for c in bought)))
    groups.sort(key=lambda g: (-g[2], g[0], g[1]))
    total = sum((c.revenue for c in lifetimes), Decimal("0.00"))
    rows = [
        {
            "holding": name,
            "companies": companies,
            "orders": orders,
            "revenue": revenue,
            "share": percent(revenue, total),
        }
        for name, _root, revenue, companies, orders in groups[:top]
    ]
    return Table(
        key="lifetime_holdings",
        title=_("Holdings"),
        columns=[
            Column("holding", _("Holding")),
            Column("companies", _("Companies with purchases"), "int"),
            Column("orders", _("Orders"), "int"),
            Column("revenue", _("Revenue"), "money"),
            Column("share", _("Share of all clients' revenue, %"), "percent"),
        ],
        rows=rows,
        chart=Chart("bar", "holding", ["revenue"]),
        note=" ".join(
            [
                _(
                    "A holding is a company with its subsidiaries at every level; the top %(top)d by revenue. "
                    "Named after the parent company, or after its topmost member you can see."
                )
                % {"top": top},
                as_of,
            ]
        ),
    )
