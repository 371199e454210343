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

Each table is one aggregate query (the months take two: the period and the year before; the
products one more when there are more than the top 50); the tables share one query for the
totals. Counts of orders and clients are distinct counts, so a table's rows may add up to
more than its total where an order or a client falls in several rows (several products, or
a client served by several managers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import ExtractIsoWeekDay, ExtractMonth, ExtractYear
from django.utils import formats
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relata.analytics.models import AbcClass
from relata.analytics.reports.filters import ReportFilters, clients_in
from relata.analytics.reports.purchases import money, purchase_lines
from relata.analytics.reports.table import Chart, Column, Table, percent
from relata.analytics.services.classes import add_months
from relata.clients.models import LifecycleStatus
from relata.core.models import Membership
from relata.core.money import CENT
from relata.orders.models import OrderLine
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


def measures() -> dict[str, Any]:
    return {
        "revenue": Sum("total"),
        "orders": Count("order_id", distinct=True),
        "clients": Count("order__client_id", distinct=True),
    }


def figures(row: dict[str, Any]) -> Figures:
    return Figures(money(row["revenue"]), row["orders"], row["clients"])


# --- What is counted ------------------------------------------------------------------------


def sales_lines(
    actor: Membership, filters: ReportFilters, *, first: dt.date | None = None, last: dt.date | None = None
) -> QuerySet[OrderLine]:
    """The purchased lines the report counts, dated from `first` to `last` inclusive (by
    default the filters' period)."""
    first = first or filters.date_from
    last = last or filters.date_to
    clients = clients_in(actor, replace(filters, manager=None)).order_by().values("pk")
    lines = purchase_lines(actor.workspace, start=first, end=last + ONE_DAY).filter(order__client_id__in=clients)
    if filters.manager is not None:
        lines = lines.filter(order__owner_id=filters.manager)
    if filters.product is not None:
        lines = lines.filter(product_id=filters.product)
    return lines


def grouped(lines: QuerySet[OrderLine], *keys: Any, **expressions: Any) -> dict[Any, Figures]:
    """Figures per value of `keys` (field names, or names of `expressions`); one query. The
    key of a row is its single value, or the tuple of its values."""
    rows = lines.annotate(**expressions).values(*keys).annotate(**measures())
    found: dict[Any, Figures] = {}
    for row in rows:
        key = row[keys[0]] if len(keys) == 1 else tuple(row[k] for k in keys)
        found[key] = figures(row)
    return found


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
    lines = sales_lines(actor, filters)
    total = figures(lines.aggregate(**measures()))
    return [
        sales_by_month(actor, filters, lines, total),
        sales_by_month_of_year(filters, lines, total),
        sales_by_weekday(lines, total),
        sales_by_product(lines, total),
        sales_by_manager(lines, total),
        sales_by_region(lines, total),
        sales_by_status(actor, lines, total),
        sales_by_abc(lines, total),
    ]


def _month_label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _signed_money(value: Decimal) -> str:
    shown = formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"+{shown}" if value > 0 else shown


def sales_by_month(actor: Membership, filters: ReportFilters, lines: QuerySet[OrderLine], total: Figures) -> Table:
    """Every calendar month of the period (zeros where nothing was sold) with the same
    dates a year earlier, the 3-month moving average and, in the note, the linear trend."""
    year = {"year": ExtractYear("purchased_on"), "month": ExtractMonth("purchased_on")}
    now = grouped(lines, "year", "month", **year)
    before_lines = sales_lines(
        actor,
        filters,
        first=filters.date_from - relativedelta(years=1),
        last=filters.date_to - relativedelta(years=1),
    )
    before = {(y + 1, m): f for (y, m), f in grouped(before_lines, "year", "month", **year).items()}
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


def sales_by_month_of_year(filters: ReportFilters, lines: QuerySet[OrderLine], total: Figures) -> Table:
    """Seasonality: January to December, summed over the period's years."""
    found = grouped(lines, "month", month=ExtractMonth("purchased_on"))
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


def sales_by_weekday(lines: QuerySet[OrderLine], total: Figures) -> Table:
    found = grouped(lines, "weekday", weekday=ExtractIsoWeekDay("purchased_on"))
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


def _by_revenue(found: dict[Any, Figures], label: Any) -> list[tuple[str, Figures]]:
    """Rows by revenue descending, ties by label."""
    return sorted(((label(key), this) for key, this in found.items()), key=lambda item: (-item[1].revenue, item[0]))


def sales_by_manager(lines: QuerySet[OrderLine], total: Figures) -> Table:
    found = grouped(lines, "order__owner_id", "order__owner__full_name", "order__owner__email")
    rows = _dimension_rows(_by_revenue(found, lambda key: key[1] or key[2]), total, "manager")
    return _dimension_table(
        "sales_by_manager",
        _("Sales by manager"),
        ("manager", _("Manager")),
        rows,
        total,
        chart=Chart("bar", "manager", ["revenue"]),
        note=_("The manager of a sale is the owner of the order."),
    )


def sales_by_region(lines: QuerySet[OrderLine], total: Figures, *, top: int = TOP_REGIONS) -> Table:
    """Regions of the clients (as typed: the region field of the client's card); an empty
    one is "not set". Past the top `top`, the rest is summed in one row (every order and
    client has one region, so its counts add up)."""
    found: dict[str, Figures] = {}
    for region, this in grouped(lines, "order__client__region").items():
        label = (region or "").strip() or _("not set")
        found[label] = _plus(found.get(label, Figures()), this)
    labelled = _by_revenue(found, lambda key: key)
    if len(labelled) > top:
        rest = labelled[top:]
        merged = Figures()
        for _label, this in rest:
            merged = _plus(merged, this)
        labelled = [
            *labelled[:top],
            (ngettext("%(count)d other region", "%(count)d other regions", len(rest)) % {"count": len(rest)}, merged),
        ]
    return _dimension_table(
        "sales_by_region",
        _("Sales by region"),
        ("region", _("Region")),
        _dimension_rows(labelled, total, "region"),
        total,
        chart=Chart("bar", "region", ["revenue"]),
        note=_("The region on the client's card."),
    )


def sales_by_status(actor: Membership, lines: QuerySet[OrderLine], total: Figures) -> Table:
    """By the client's lifecycle status now, in the order of the statuses."""
    found = grouped(lines, "order__client__status_id")
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


def sales_by_abc(lines: QuerySet[OrderLine], total: Figures) -> Table:
    found = grouped(lines, "order__client__analytics_class__abc")
    merged: dict[str, Figures] = {}
    for abc, this in found.items():
        merged[abc or ""] = _plus(merged.get(abc or "", Figures()), this)
    labelled = [(str(label), merged[key]) for key, label in AbcClass.choices if key in merged]
    if "" in merged:
        labelled.append((_("No class"), merged[""]))
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


def _plus(a: Figures, b: Figures) -> Figures:
    """Two disjoint groups of orders and clients together."""
    return Figures(a.revenue + b.revenue, a.orders + b.orders, a.clients + b.clients)


def _hundred(total: Figures) -> Decimal | None:
    return percent(total.revenue, total.revenue)
