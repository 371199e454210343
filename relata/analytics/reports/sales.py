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

Every table is one aggregate query in the database (a GROUP BY over the period's orders,
or over their counted lines when a product is chosen), never a row per order in Python:
the total, the months (and the same months a year before), the days (giving the months
of the year and the weekdays), managers, regions, statuses, ABC classes and products.
Counts of orders and clients are distinct counts, so a table's rows may add up to more
than its total where an order or a client falls in several rows (several products, or a
client served by several managers). SQLite sums decimals as floating point: sums are
rounded to the cent (`money`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Trim, TruncMonth
from django.utils import formats
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relata.analytics.models import AbcClass
from relata.analytics.reports import columnar
from relata.analytics.reports.filters import ReportFilters, of_clients_in
from relata.analytics.reports.purchases import as_date, lines_of, money, purchases
from relata.analytics.reports.table import Chart, Column, Table, percent
from relata.analytics.services.classes import add_months
from relata.catalog.models import Product
from relata.clients.models import Client, LifecycleStatus
from relata.core.models import Membership
from relata.core.money import CENT
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


Group = Callable[[str], Any]  # a grouping expression, given the path from the counted row to its order


def figures_by(
    orders: QuerySet[Order],
    filters: ReportFilters,
    groups: Sequence[Group],
    *,
    narrow: Callable[[QuerySet[Any], str], QuerySet[Any]] | None = None,
    clients: bool = True,
) -> dict[tuple[Any, ...], Figures]:
    """Revenue and distinct orders and clients per value of `groups` (a tuple of their
    values in order; no groups: one entry under ()), in one aggregate query. Without a
    product filter the orders' totals are summed; with one, that product's lines. The
    `groups` and `narrow` reach the order through the path they are given. `clients=False`
    leaves the clients uncounted (0): a distinct count per group is most of the cost of a
    query grouped by day."""
    if filters.product is None:
        rows: QuerySet[Any] = orders
        path, order = "", "pk"
    else:
        rows, path, order = sales_lines(orders, filters), "order__", "order_id"
    if narrow is not None:
        rows = narrow(rows, path)
    sums = {
        "revenue": Sum("total"),
        "orders": Count(order, distinct=bool(path)),  # an order is one row, a line is one of several
    }
    if clients:
        sums["clients"] = Count(f"{path}client_id", distinct=True)
    if not groups:
        found = rows.aggregate(**sums)
        if not found["orders"]:
            return {}
        return {(): Figures(money(found["revenue"]), found["orders"], found.get("clients", 0))}
    keys = {f"g{n}": group(path) for n, group in enumerate(groups)}
    return {
        tuple(row[key] for key in keys): Figures(money(row["revenue"]), row["orders"], row.get("clients", 0))
        for row in rows.values(**keys).annotate(**sums)
    }


def _by_first(found: dict[tuple[Any, ...], Figures]) -> dict[Any, Figures]:
    """Figures keyed by their one group's value."""
    return {key[0]: figures for key, figures in found.items()}


# Grouping expressions, given the path to the order ("" from an order, "order__" from a line).
def _purchase_month(path: str) -> Any:
    return TruncMonth(f"{path}paid_on")


def _purchase_day(path: str) -> Any:
    return F(f"{path}paid_on")


def _owner(path: str) -> Any:
    return F(f"{path}owner_id")


def _owner_name(path: str) -> Any:
    return F(f"{path}owner__full_name")


def _owner_email(path: str) -> Any:
    return F(f"{path}owner__email")


def _region(path: str) -> Any:
    return Trim(Coalesce(f"{path}client__region", Value("")))


def _status(path: str) -> Any:
    return F(f"{path}client__status_id")


def _abc(path: str) -> Any:
    return Coalesce(f"{path}client__analytics_class__abc", Value(""))


def total_of(orders: QuerySet[Order], filters: ReportFilters) -> Figures:
    return figures_by(orders, filters, ()).get((), Figures())


# --- What is counted ------------------------------------------------------------------------


def sales_orders(
    actor: Membership, filters: ReportFilters, *, first: dt.date | None = None, last: dt.date | None = None
) -> QuerySet[Order]:
    """The purchases the report counts, dated from `first` to `last` inclusive (by default
    the filters' period): of the clients in the filters, owned by the manager, holding
    the product."""
    first = first or filters.date_from
    last = last or filters.date_to
    period = purchases(actor.workspace, start=first, end=last + ONE_DAY)
    orders = of_clients_in(period, actor, replace(filters, manager=None))
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
    total = total_of(orders, filters)
    days = _by_first(figures_by(orders, filters, (_purchase_day,), clients=False))  # their tables show no clients
    return [
        sales_by_month(actor, filters, orders, total),
        sales_by_month_of_year(filters, days, total),
        sales_by_weekday(days, total),
        sales_by_product(sales_lines(orders, filters), total),
        sales_by_manager(actor, orders, filters, total),
        sales_by_region(orders, filters, total),
        sales_by_status(actor, orders, filters, total),
        sales_by_abc(orders, filters, total),
    ]


# The dashboard widgets' tables, each with only the queries it needs.


def month_widget(actor: Membership, filters: ReportFilters) -> Table:
    state = columnar.copy_for(actor, filters, Client)
    if state is None:
        orders = sales_orders(actor, filters)
        return sales_by_month(actor, filters, orders, total_of(orders, filters))

    def figures(first: dt.date, last: dt.date, *, by_month: bool, clients: bool = True) -> dict[Any, Figures]:
        found = columnar.sales_figures(state, filters, first, last, by="month" if by_month else None, clients=clients)
        return {key: Figures(money(revenue), orders, count) for key, (revenue, orders, count) in found.items()}

    before_from, before_to = _year_before(filters)
    table = month_table(
        filters,
        _by_month(figures(filters.date_from, filters.date_to, by_month=True)),
        _a_year_later(_by_month(figures(before_from, before_to, by_month=True, clients=False))),
        figures(filters.date_from, filters.date_to, by_month=False).get((), Figures()),
    )
    return columnar.noted(table, state)


def seasonality_widget(actor: Membership, filters: ReportFilters) -> Table:
    """One query: the days give the months of the year and their total (revenue and
    orders add up over days; the table shows no client count)."""
    state = columnar.copy_for(actor, filters, Client)
    if state is None:
        days = _by_first(figures_by(sales_orders(actor, filters), filters, (_purchase_day,), clients=False))
        return sales_by_month_of_year(filters, days, _summed(days.values()))
    found = columnar.sales_figures(state, filters, filters.date_from, filters.date_to, by="day", clients=False)
    days = {key[0]: Figures(money(revenue), orders, 0) for key, (revenue, orders, _count) in found.items()}
    return columnar.noted(sales_by_month_of_year(filters, days, _summed(days.values())), state)


def product_widget(actor: Membership, filters: ReportFilters) -> Table:
    state = columnar.copy_for(actor, filters, Client)
    if state is None:
        orders = sales_orders(actor, filters)
        return sales_by_product(sales_lines(orders, filters), total_of(orders, filters))
    revenue, count, clients = columnar.sales_figures(state, filters, filters.date_from, filters.date_to).get(
        (), (None, 0, 0)
    )
    table = product_table(
        columnar.sales_products(state, filters),
        lambda shown: columnar.sales_orders_without(state, filters, shown),
        Figures(money(revenue), count, clients),
    )
    return columnar.noted(table, state)


def _summed(figures: Iterable[Figures]) -> Figures:
    """Revenue and orders added up (for groups that no order falls in twice: days)."""
    revenue, count = Decimal("0.00"), 0
    for this in figures:
        revenue += this.revenue
        count += this.orders
    return Figures(revenue, count, 0)


def _per_day(days: dict[Any, Figures], key: Callable[[dt.date], int]) -> dict[int, Figures]:
    grouped: dict[int, list[Figures]] = defaultdict(list)
    for day, figures in days.items():
        grouped[key(as_date(day))].append(figures)
    return {number: _summed(found) for number, found in grouped.items()}


def _month_label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _signed_money(value: Decimal) -> str:
    shown = formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"+{shown}" if value > 0 else shown


def sales_by_month(actor: Membership, filters: ReportFilters, orders: QuerySet[Order], total: Figures) -> Table:
    """Every calendar month of the period (zeros where nothing was sold) with the same
    dates a year earlier, the 3-month moving average and, in the note, the linear trend."""
    now = _by_month(figures_by(orders, filters, (_purchase_month,)))
    first, last = _year_before(filters)
    year_before = sales_orders(actor, filters, first=first, last=last)
    before = _a_year_later(_by_month(figures_by(year_before, filters, (_purchase_month,), clients=False)))
    return month_table(filters, now, before, total)


def _year_before(filters: ReportFilters) -> tuple[dt.date, dt.date]:
    return filters.date_from - relativedelta(years=1), filters.date_to - relativedelta(years=1)


def _a_year_later(months: dict[tuple[int, int], Figures]) -> dict[tuple[int, int], Figures]:
    return {(year + 1, month): figures for (year, month), figures in months.items()}


def month_table(
    filters: ReportFilters,
    now: dict[tuple[int, int], Figures],
    before: dict[tuple[int, int], Figures],
    total: Figures,
) -> Table:
    """The months' table from their figures, keyed (year, month): `before` holds the
    figures of a year earlier under the month they compare with."""
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


def _by_month(found: dict[tuple[Any, ...], Figures]) -> dict[tuple[int, int], Figures]:
    months = {}
    for (month,), figures in found.items():
        day = as_date(month)
        months[day.year, day.month] = figures
    return months


def sales_by_month_of_year(filters: ReportFilters, days: dict[Any, Figures], total: Figures) -> Table:
    """Seasonality: January to December, summed over the period's years."""
    found = _per_day(days, lambda day: day.month)
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


def sales_by_weekday(days: dict[Any, Figures], total: Figures) -> Table:
    found = _per_day(days, lambda day: day.isoweekday())
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
    """The `top` products by revenue (ties by name, then id) and one row for the rest.
    Grouped by the product's id alone and named in a second query: grouping by the name
    too made PostgreSQL join the catalogue before sorting millions of lines."""
    found: list[dict[str, Any]] = [
        dict(row)
        for row in lines.values("product_id").annotate(
            quantity=Sum("quantity"), revenue=Sum("total"), orders=Count("order_id", distinct=True)
        )
    ]

    def orders_without(shown: list[int]) -> int:
        others = lines.exclude(product_id__in=shown)
        return int(others.aggregate(orders=Count("order_id", distinct=True))["orders"])

    return product_table(found, orders_without, total, top=top)


def product_table(
    found: list[dict[str, Any]],
    orders_without: Callable[[list[int]], int],
    total: Figures,
    *,
    top: int = TOP_PRODUCTS,
) -> Table:
    """The products' table from their rows (product_id, quantity, revenue, orders);
    `orders_without(ids)` counts the distinct orders of the other products' lines."""
    names = dict(Product.objects.filter(pk__in=[row["product_id"] for row in found]).values_list("pk", "name"))
    products = [
        {
            "pk": row["product_id"],
            "product": names[row["product_id"]],
            "quantity": Decimal(row["quantity"] or 0).quantize(QUANTITY),
            "revenue": money(row["revenue"]),
            "share": None,
            "orders": row["orders"],
        }
        for row in found
    ]
    products.sort(key=lambda p: (-p["revenue"], p["product"], p["pk"]))
    table_rows: list[dict[str, Any]] = [
        {key: value for key, value in p.items() if key != "pk"} | {"share": percent(p["revenue"], total.revenue)}
        for p in products[:top]
    ]
    rest = products[top:]
    if rest:
        revenue = sum((p["revenue"] for p in rest), Decimal("0.00"))
        table_rows.append(
            {
                "product": ngettext("%(count)d other product", "%(count)d other products", len(rest))
                % {"count": len(rest)},
                "quantity": None,
                "revenue": revenue,
                "share": percent(revenue, total.revenue),
                "orders": orders_without([p["pk"] for p in products[:top]]),
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


def _by_revenue_then_label(item: tuple[str, Figures]) -> tuple[Decimal, str]:
    """Rows by revenue descending, ties by label."""
    return -item[1].revenue, item[0]


def sales_by_manager(actor: Membership, orders: QuerySet[Order], filters: ReportFilters, total: Figures) -> Table:
    found = figures_by(orders, filters, (_owner, _owner_name, _owner_email))
    labelled = sorted(((name or email, this) for (_pk, name, email), this in found.items()), key=_by_revenue_then_label)
    return _dimension_table(
        "sales_by_manager",
        _("Sales by manager"),
        ("manager", _("Manager")),
        _dimension_rows(labelled, total, "manager"),
        total,
        chart=Chart("bar", "manager", ["revenue"]),
        note=_("The manager of a sale is the owner of the order."),
    )


def sales_by_region(
    orders: QuerySet[Order], filters: ReportFilters, total: Figures, *, top: int = TOP_REGIONS
) -> Table:
    """Regions of the clients (the region of the client's card; empty: "not set"), the
    `top` by revenue and the rest in one row."""
    not_set = _("not set")
    found = _by_first(figures_by(orders, filters, (_region,)))
    ranked = sorted(found.items(), key=lambda item: (-item[1].revenue, item[0] or not_set))
    labelled = [(region or not_set, this) for region, this in ranked[:top]]
    if len(ranked) > top:
        rest = len(ranked) - top
        others = ngettext("%(count)d other region", "%(count)d other regions", rest) % {"count": rest}
        shown = [region for region, _this in ranked[:top]]

        def the_rest(rows: QuerySet[Any], path: str) -> QuerySet[Any]:
            narrowed: QuerySet[Any] = rows.alias(region=_region(path)).exclude(region__in=shown)
            return narrowed

        labelled.append((others, figures_by(orders, filters, (), narrow=the_rest).get((), Figures())))
    return _dimension_table(
        "sales_by_region",
        _("Sales by region"),
        ("region", _("Region")),
        _dimension_rows(labelled, total, "region"),
        total,
        chart=Chart("bar", "region", ["revenue"]),
        note=_("The region on the client's card."),
    )


def sales_by_status(actor: Membership, orders: QuerySet[Order], filters: ReportFilters, total: Figures) -> Table:
    """By the client's lifecycle status now, in the order of the statuses."""
    found = _by_first(figures_by(orders, filters, (_status,)))
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


def sales_by_abc(orders: QuerySet[Order], filters: ReportFilters, total: Figures) -> Table:
    found = _by_first(figures_by(orders, filters, (_abc,)))
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
