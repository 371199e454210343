"""Sales analysis (product.md §8, issue 7 item 4): revenue by month against the year
before, with its moving average and trend; by month of the year and by weekday
(seasonality); by product, manager, region, lifecycle status and ABC class.

What is counted: the purchased order lines (`reports.purchases`: paid in full, in the
default currency, dated by the last payment) dated in the period, of the clients in the
filters (visible to the actor, of the segment and the channel: `clients_in`). The manager
of a sale is the order's owner, so the manager filter keeps the orders that manager owns
(not the clients). The product filter keeps only that product's lines: an order's revenue
is then what it took for that product. Scope: the actor's scope over the clients, as for
the client classes (a manager with scope "own" sees the sales to their own clients).

The report reads the period's sales as one row per order (its counted lines summed, with
the order's date, owner and client's region, status and class): one query, from which the
months, seasons, weekdays, managers, regions, statuses, classes and totals are tallied in
Python (exact decimal sums; at most as many rows as orders in the period). The year before
takes the same query over its dates, and the products one grouped query (and one more for
the orders of the products past the top 50). Every purchase-date lookup is the costly part
of a query, so there are few queries, not one per table. Counts of orders and clients are
distinct counts, so a table's rows may add up to more than its total where an order or a
client falls in several rows (several products, or a client served by several managers).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, TypeVar

from dateutil.relativedelta import relativedelta
from django.db.models import Count, DecimalField, Exists, OuterRef, QuerySet, Subquery, Sum
from django.utils import formats
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relata.analytics.models import AbcClass
from relata.analytics.reports.filters import ReportFilters, clients_in
from relata.analytics.reports.purchases import as_date, lines_of, money, purchases
from relata.analytics.reports.table import Chart, Column, Table, percent
from relata.analytics.services.classes import add_months
from relata.clients.models import LifecycleStatus
from relata.core.models import Membership
from relata.core.money import CENT, MONEY_DIGITS
from relata.orders.models import Order, OrderLine
from relata.orders.models.stock import QUANTITY_PLACES

TOP_PRODUCTS = 50
TOP_REGIONS = 50
ONE_DAY = dt.timedelta(days=1)
QUANTITY = Decimal(1).scaleb(-QUANTITY_PLACES)


@dataclass(frozen=True)
class Figures:
    """Revenue and the distinct orders and clients behind it."""

    revenue: Decimal = Decimal("0.00")
    orders: int = 0
    clients: int = 0

    @property
    def average(self) -> Decimal | None:
        """The average order value (None without orders)."""
        return (self.revenue / self.orders).quantize(CENT) if self.orders else None


@dataclass(frozen=True)
class Sale:
    """One order as the report counts it: its counted lines summed."""

    order_id: int
    client_id: int
    purchased_on: dt.date
    revenue: Decimal
    owner_id: int
    manager: str
    region: str
    status_id: int
    abc: str  # "" when the client has no class


K = TypeVar("K", bound=Hashable)


def tally(sales: Iterable[Sale], key: Callable[[Sale], K]) -> dict[K, Figures]:
    """Figures per value of `key`."""
    revenue: dict[K, Decimal] = defaultdict(Decimal)
    orders: dict[K, int] = defaultdict(int)
    clients: dict[K, set[int]] = defaultdict(set)
    for sale in sales:
        group = key(sale)
        revenue[group] += sale.revenue
        orders[group] += 1
        clients[group].add(sale.client_id)
    return {group: Figures(revenue[group].quantize(CENT), orders[group], len(clients[group])) for group in revenue}


def total_of(sales: Iterable[Sale]) -> Figures:
    return tally(sales, lambda sale: 0).get(0, Figures())


# --- What is counted ------------------------------------------------------------------------


def sales_orders(
    actor: Membership, filters: ReportFilters, *, first: dt.date | None = None, last: dt.date | None = None
) -> QuerySet[Order]:
    """The purchases the report counts, dated from `first` to `last` inclusive (by default
    the filters' period): of the clients in the filters, owned by the manager, holding
    the product."""
    first = first or filters.date_from
    last = last or filters.date_to
    clients = clients_in(actor, replace(filters, manager=None)).order_by().values("pk")
    orders = purchases(actor.workspace, start=first, end=last + ONE_DAY).filter(client_id__in=clients)
    if filters.manager is not None:
        orders = orders.filter(owner_id=filters.manager)
    if filters.product is not None:
        orders = orders.filter(Exists(OrderLine.objects.filter(order=OuterRef("pk"), product_id=filters.product)))
    return orders


def counted(lines: QuerySet[OrderLine], filters: ReportFilters) -> QuerySet[OrderLine]:
    """The lines the report counts: only the product's, when filtered."""
    return lines if filters.product is None else lines.filter(product_id=filters.product)


def sales_lines(orders: QuerySet[Order], filters: ReportFilters) -> QuerySet[OrderLine]:
    """The counted lines of `orders`."""
    return counted(lines_of(orders), filters)


def sales_of(orders: QuerySet[Order], filters: ReportFilters) -> list[Sale]:
    """Each of `orders` with the sum of its counted lines (one query; the lines are summed
    in a subquery per order, so the purchase date is looked up per order, not per line)."""
    line_sum = counted(OrderLine.objects.filter(order=OuterRef("pk")), filters).order_by()
    revenue = Subquery(
        line_sum.values("order").annotate(revenue=Sum("total")).values("revenue"),
        output_field=DecimalField(max_digits=MONEY_DIGITS, decimal_places=2),
    )
    rows = orders.annotate(revenue=revenue).values(
        "pk",
        "client_id",
        "owner_id",
        "owner__full_name",
        "owner__email",
        "client__region",
        "client__status_id",
        "client__analytics_class__abc",
        "purchased_on",
        "revenue",
    )
    return [
        Sale(
            order_id=row["pk"],
            client_id=row["client_id"],
            purchased_on=as_date(row["purchased_on"]),
            revenue=money(row["revenue"]),
            owner_id=row["owner_id"],
            manager=row["owner__full_name"] or row["owner__email"],
            region=(row["client__region"] or "").strip(),
            status_id=row["client__status_id"],
            abc=row["client__analytics_class__abc"] or "",
        )
        for row in rows
    ]


def linear_trend(values: list[Decimal]) -> Decimal | None:
    """The slope of the least-squares line through `values` at 0, 1, 2, … (per step, to
    the cent); None for fewer than two values."""
    n = len(values)
    if n < 2:
        return None
    x_mean = Decimal(n - 1) / 2
    y_mean = sum(values, Decimal(0)) / n
    spread = sum(((i - x_mean) ** 2 for i in range(n)), Decimal(0))
    together = sum(((i - x_mean) * (y - y_mean) for i, y in enumerate(values)), Decimal(0))
    return (together / spread).quantize(CENT)


def moving_average(values: list[Decimal], window: int = 3) -> list[Decimal | None]:
    """The mean of each value and the `window - 1` before it (None until there are enough)."""
    return [
        (sum(values[i - window + 1 : i + 1], Decimal(0)) / window).quantize(CENT) if i >= window - 1 else None
        for i in range(len(values))
    ]


# --- The tables ---------------------------------------------------------------------------


def sales_report(actor: Membership, filters: ReportFilters) -> list[Table]:
    orders = sales_orders(actor, filters)
    sales = sales_of(orders, filters)
    total = total_of(sales)
    return [
        sales_by_month(actor, filters, sales, total),
        sales_by_month_of_year(filters, sales, total),
        sales_by_weekday(sales, total),
        sales_by_product(sales_lines(orders, filters), total),
        sales_by_manager(sales, total),
        sales_by_region(sales, total),
        sales_by_status(actor, sales, total),
        sales_by_abc(sales, total),
    ]


def _month_label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _signed_money(value: Decimal) -> str:
    shown = formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"+{shown}" if value > 0 else shown


def sales_by_month(actor: Membership, filters: ReportFilters, sales: list[Sale], total: Figures) -> Table:
    """Every calendar month of the period (zeros where nothing was sold) with the same
    dates a year earlier, the 3-month moving average and, in the note, the linear trend."""
    now = tally(sales, _month_of)
    year_before = sales_orders(
        actor,
        filters,
        first=filters.date_from - relativedelta(years=1),
        last=filters.date_to - relativedelta(years=1),
    )
    before = {(y + 1, m): f for (y, m), f in tally(sales_of(year_before, filters), _month_of).items()}
    months, month = [], filters.date_from.replace(day=1)
    while month <= filters.date_to:
        months.append((month.year, month.month))
        month = add_months(month, 1)
    revenues = [now.get(key, Figures()).revenue for key in months]
    averages = moving_average(revenues)
    rows = []
    for key, average in zip(months, averages, strict=True):
        this, last = now.get(key, Figures()), before.get(key, Figures())
        rows.append(
            {
                "month": _month_label(*key),
                "revenue": this.revenue,
                "orders": this.orders,
                "clients": this.clients,
                "average_order": this.average,
                "revenue_last_year": last.revenue,
                "change": percent(this.revenue - last.revenue, last.revenue),
                "moving_average": average,
            }
        )
    last_total = sum((before.get(key, Figures()).revenue for key in months), Decimal("0.00"))
    slope = linear_trend(revenues)
    if slope is None:
        trend = _("A trend needs at least two months.")
    else:
        trend = _("Trend: %(slope)s a month (least-squares line through the monthly revenue).") % {
            "slope": _signed_money(slope)
        }
    return Table(
        key="sales_by_month",
        title=_("Sales by month"),
        columns=[
            Column("month", _("Month")),
            Column("revenue", _("Revenue"), "money"),
            Column("orders", _("Orders"), "int"),
            Column("clients", _("Clients"), "int"),
            Column("average_order", _("Average order"), "money"),
            Column("revenue_last_year", _("A year earlier"), "money"),
            Column("change", _("Change, %"), "percent"),
            Column("moving_average", _("3-month moving average"), "money"),
        ],
        rows=rows,
        totals={
            "month": _("Total"),
            "revenue": total.revenue,
            "orders": total.orders,
            "clients": total.clients,
            "average_order": total.average,
            "revenue_last_year": last_total,
            "change": percent(total.revenue - last_total, last_total),
        },
        chart=Chart("line", "month", ["revenue", "revenue_last_year"]),
        note=" ".join(
            [
                trend,
                _(
                    "A year earlier: the same dates a year before. The moving average is of the month "
                    "and the two before it."
                ),
            ]
        ),
    )


def _month_of(sale: Sale) -> tuple[int, int]:
    return sale.purchased_on.year, sale.purchased_on.month


def sales_by_month_of_year(filters: ReportFilters, sales: list[Sale], total: Figures) -> Table:
    """Seasonality: January to December, summed over the period's years."""
    found = tally(sales, lambda sale: sale.purchased_on.month)
    counted: dict[int, int] = dict.fromkeys(range(1, 13), 0)
    month = filters.date_from.replace(day=1)
    while month <= filters.date_to:
        counted[month.month] += 1
        month = add_months(month, 1)
    rows = []
    for number in range(1, 13):
        this = found.get(number, Figures())
        rows.append(
            {
                "month": str(MONTHS[number]),
                "revenue": this.revenue,
                "orders": this.orders,
                "share": percent(this.revenue, total.revenue),
                "months": counted[number],
                "per_month": (this.revenue / counted[number]).quantize(CENT) if counted[number] else None,
            }
        )
    return Table(
        key="sales_by_month_of_year",
        title=_("Seasonality: sales by month of the year"),
        columns=[
            Column("month", _("Month")),
            Column("revenue", _("Revenue"), "money"),
            Column("orders", _("Orders"), "int"),
            Column("share", _("Share, %"), "percent"),
            Column("months", _("Such months in the period"), "int"),
            Column("per_month", _("Revenue per such month"), "money"),
        ],
        rows=rows,
        totals={"month": _("Total"), "revenue": total.revenue, "orders": total.orders, "share": _hundred(total)},
        chart=Chart("bar", "month", ["revenue"]),
        note=_("Each calendar month summed over the years of the period; a month the period covers in part counts."),
    )


def sales_by_weekday(sales: list[Sale], total: Figures) -> Table:
    found = tally(sales, lambda sale: sale.purchased_on.isoweekday())
    rows = []
    for number in range(1, 8):
        this = found.get(number, Figures())
        rows.append(
            {
                "weekday": str(WEEKDAYS[number - 1]),
                "revenue": this.revenue,
                "orders": this.orders,
                "share": percent(this.revenue, total.revenue),
            }
        )
    return Table(
        key="sales_by_weekday",
        title=_("Sales by weekday"),
        columns=[
            Column("weekday", _("Weekday")),
            Column("revenue", _("Revenue"), "money"),
            Column("orders", _("Orders"), "int"),
            Column("share", _("Share, %"), "percent"),
        ],
        rows=rows,
        totals={"weekday": _("Total"), "revenue": total.revenue, "orders": total.orders, "share": _hundred(total)},
        chart=Chart("bar", "weekday", ["revenue"]),
        note=_("The weekday of the purchase date (the day of the last payment)."),
    )


def sales_by_product(lines: QuerySet[OrderLine], total: Figures, *, top: int = TOP_PRODUCTS) -> Table:
    """The `top` products by revenue (ties by name, then id) and one row for the rest."""
    products = [
        {
            "pk": row["product_id"],
            "product": row["product__name"],
            "quantity": Decimal(row["quantity"] or 0).quantize(QUANTITY),
            "revenue": money(row["revenue"]),
            "share": None,
            "orders": row["orders"],
        }
        for row in lines.values("product_id", "product__name").annotate(
            quantity=Sum("quantity"), revenue=Sum("total"), orders=Count("order_id", distinct=True)
        )
    ]
    products.sort(key=lambda p: (-p["revenue"], p["product"], p["pk"]))
    table_rows: list[dict[str, Any]] = [
        {key: value for key, value in p.items() if key != "pk"} | {"share": percent(p["revenue"], total.revenue)}
        for p in products[:top]
    ]
    rest = products[top:]
    if rest:
        revenue = sum((p["revenue"] for p in rest), Decimal("0.00"))
        others = lines.exclude(product_id__in=[p["pk"] for p in products[:top]])
        table_rows.append(
            {
                "product": ngettext("%(count)d other product", "%(count)d other products", len(rest))
                % {"count": len(rest)},
                "quantity": None,
                "revenue": revenue,
                "share": percent(revenue, total.revenue),
                "orders": others.aggregate(orders=Count("order_id", distinct=True))["orders"],
            }
        )
    return Table(
        key="sales_by_product",
        title=_("Sales by product"),
        columns=[
            Column("product", _("Product")),
            Column("quantity", _("Quantity"), "number"),
            Column("revenue", _("Revenue"), "money"),
            Column("share", _("Share, %"), "percent"),
            Column("orders", _("Orders"), "int"),
        ],
        rows=table_rows,
        totals={"product": _("Total"), "revenue": total.revenue, "share": _hundred(total), "orders": total.orders},
        chart=Chart("bar", "product", ["revenue"]),
        note=_("The top %(top)d products by revenue, then the rest in one row.") % {"top": top},
    )


def _dimension_rows(labelled: Iterable[tuple[str, Figures]], total: Figures, key: str) -> list[dict[str, Any]]:
    return [
        {
            key: label,
            "revenue": this.revenue,
            "share": percent(this.revenue, total.revenue),
            "orders": this.orders,
            "clients": this.clients,
            "average_order": this.average,
        }
        for label, this in labelled
    ]


def _dimension_table(
    key: str, title: str, dimension: tuple[str, str], rows: list[dict[str, Any]], total: Figures, **extra: Any
) -> Table:
    name, label = dimension
    return Table(
        key=key,
        title=title,
        columns=[
            Column(name, label),
            Column("revenue", _("Revenue"), "money"),
            Column("share", _("Share, %"), "percent"),
            Column("orders", _("Orders"), "int"),
            Column("clients", _("Clients"), "int"),
            Column("average_order", _("Average order"), "money"),
        ],
        rows=rows,
        totals={
            name: _("Total"),
            "revenue": total.revenue,
            "share": _hundred(total),
            "orders": total.orders,
            "clients": total.clients,
            "average_order": total.average,
        },
        **extra,
    )


def _by_revenue(found: dict[str, Figures]) -> list[tuple[str, Figures]]:
    """Rows by revenue descending, ties by label."""
    return sorted(found.items(), key=lambda item: (-item[1].revenue, item[0]))


def sales_by_manager(sales: list[Sale], total: Figures) -> Table:
    found = tally(sales, lambda sale: (sale.owner_id, sale.manager))
    labelled = sorted(((name, this) for (_id, name), this in found.items()), key=lambda i: (-i[1].revenue, i[0]))
    return _dimension_table(
        "sales_by_manager",
        _("Sales by manager"),
        ("manager", _("Manager")),
        _dimension_rows(labelled, total, "manager"),
        total,
        chart=Chart("bar", "manager", ["revenue"]),
        note=_("The manager of a sale is the owner of the order."),
    )


def sales_by_region(sales: list[Sale], total: Figures, *, top: int = TOP_REGIONS) -> Table:
    """Regions of the clients (the region of the client's card; empty: "not set"), the
    `top` by revenue and the rest in one row."""
    not_set = _("not set")
    labelled = _by_revenue(tally(sales, lambda sale: sale.region or not_set))
    if len(labelled) > top:
        shown = {label for label, _this in labelled[:top]}
        others = ngettext("%(count)d other region", "%(count)d other regions", len(labelled) - top) % {
            "count": len(labelled) - top
        }
        rest = tally((sale for sale in sales if (sale.region or not_set) not in shown), lambda sale: others)
        labelled = [*labelled[:top], *rest.items()]
    return _dimension_table(
        "sales_by_region",
        _("Sales by region"),
        ("region", _("Region")),
        _dimension_rows(labelled, total, "region"),
        total,
        chart=Chart("bar", "region", ["revenue"]),
        note=_("The region on the client's card."),
    )


def sales_by_status(actor: Membership, sales: list[Sale], total: Figures) -> Table:
    """By the client's lifecycle status now, in the order of the statuses."""
    found = tally(sales, lambda sale: sale.status_id)
    statuses = LifecycleStatus.objects.filter(workspace_id=actor.workspace_id, pk__in=list(found))
    labelled = [(status.display_name, found[status.pk]) for status in statuses.order_by("position", "id")]
    return _dimension_table(
        "sales_by_status",
        _("Sales by client status"),
        ("status", _("Client status")),
        _dimension_rows(labelled, total, "status"),
        total,
        chart=Chart("pie", "status", ["revenue"]),
        note=_("The lifecycle status the client has now."),
    )


def sales_by_abc(sales: list[Sale], total: Figures) -> Table:
    found = tally(sales, lambda sale: sale.abc)
    labelled = [(str(label), found[key]) for key, label in AbcClass.choices if key in found]
    if "" in found:
        labelled.append((_("No class"), found[""]))
    return _dimension_table(
        "sales_by_abc",
        _("Sales by ABC class"),
        ("abc", _("ABC class")),
        _dimension_rows(labelled, total, "abc"),
        total,
        chart=Chart("pie", "abc", ["revenue"]),
        note=_(
            "The client's ABC class as last computed (page Client classes, over its own period); "
            "no class: no purchases in that period, or not computed yet."
        ),
    )


def _hundred(total: Figures) -> Decimal | None:
    return percent(total.revenue, total.revenue)
