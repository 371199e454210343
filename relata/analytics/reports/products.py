"""ABC (and XYZ) of products (issue 7, item 1): each product's share of the revenue in
the report's period, ranked, with the same class rule and thresholds as the clients'
(relata.analytics.services.classes.abc_classes), and the variation of its monthly revenue.

Revenue is the clients' revenue broken down by order line: lines of orders paid in full
whose purchase date (the last payment's) falls in the period, in the default currency —
`purchases()` of the classes. Within the actor's scope over orders, narrowed by the
filters' clients; the product filter does not apply (a ranking of one product says
nothing). Three queries: the lines per product, per product and month, and the names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from relata.analytics.reports import columnar
from relata.analytics.reports.filters import ReportFilters, of_clients_in
from relata.analytics.reports.table import Chart, Column, Table, percent
from relata.analytics.services.classes import (
    Period,
    abc_classes,
    by_month,
    purchases,
    xyz_class,
)
from relata.analytics.services.recompute import settings_of, thresholds_of
from relata.catalog.selectors.products import products_visible_to
from relata.clients.models import Client
from relata.core.access import scope_queryset
from relata.core.models import Membership
from relata.core.money import CENT
from relata.orders.models import Order, OrderLine


def period_of(filters: ReportFilters) -> Period:
    """The report's days as the classes' half-open period."""
    return Period(start=filters.date_from, end=filters.date_to + dt.timedelta(days=1))


def month_count(filters: ReportFilters) -> int:
    start, end = filters.date_from.replace(day=1), filters.date_to.replace(day=1)
    return (end.year - start.year) * 12 + end.month - start.month + 1


def purchased_lines(actor: Membership, filters: ReportFilters) -> QuerySet[OrderLine]:
    """The order lines of the purchases the actor may see, of the filters' clients."""
    orders = of_clients_in(scope_queryset(actor, purchases(actor.workspace, period_of(filters))), actor, filters)
    return OrderLine.objects.filter(order__in=orders.values("pk")).order_by()


def product_abc(actor: Membership, filters: ReportFilters) -> list[Table]:
    lines = purchased_lines(actor, filters)
    rows = list(
        lines.values("product_id").annotate(
            revenue=Sum("total"),
            quantity=Sum("quantity"),
            orders=Count("order_id", distinct=True),
            clients=Count("order__client_id", distinct=True),
        )
    )
    revenue = _revenue(rows)
    monthly = _monthly(lines)
    thresholds = thresholds_of(settings_of(actor.workspace))
    classes = abc_classes(revenue, thresholds)
    months = month_count(filters)
    names = dict(products_visible_to(actor).filter(pk__in=list(revenue)).values_list("pk", "name"))
    total = sum(revenue.values(), Decimal(0))
    by_id = {row["product_id"]: row for row in rows}
    ranked = sorted((pk for pk in revenue if revenue[pk] > 0), key=lambda pk: (-revenue[pk], pk))
    table_rows = []
    running = Decimal(0)
    for pk in ranked:
        running += revenue[pk]
        xyz, variation = xyz_class(monthly.get(pk, {}).values(), months, thresholds)
        table_rows.append(
            {
                "product": names.get(pk, f"#{pk}"),
                "abc": classes.get(pk, ""),
                "revenue": revenue[pk],
                "share": percent(revenue[pk], total),
                "cumulative": percent(running, total),
                "quantity": by_id[pk]["quantity"],
                "orders": by_id[pk]["orders"],
                "clients": by_id[pk]["clients"],
                "xyz": xyz,
                "variation": variation,
            }
        )
    products = Table(
        key="products_abc",
        title=_("Products by revenue"),
        note=_(
            "A while the products above hold less than %(a)s %% of the revenue, B while less than %(ab)s %%, "
            "C the rest. XYZ: variation of the monthly revenue over %(months)s months."
        )
        % {
            "a": thresholds.abc_a.normalize(),
            "ab": (thresholds.abc_a + thresholds.abc_b).normalize(),
            "months": months,
        },
        columns=[
            Column("product", _("Product")),
            Column("abc", _("ABC")),
            Column("revenue", _("Revenue"), "money"),
            Column("share", _("Share"), "percent"),
            Column("cumulative", _("Cumulative share"), "percent"),
            Column("quantity", _("Quantity"), "number"),
            Column("orders", _("Orders"), "int"),
            Column("clients", _("Clients"), "int"),
            Column("xyz", _("XYZ")),
            Column("variation", _("Variation, %"), "number"),
        ],
        rows=table_rows,
        totals={"product": _("Total"), "revenue": total, "share": percent(total, total)} if table_rows else None,
    )
    return [_summary(revenue, classes), products]


def summary_widget(actor: Membership, filters: ReportFilters) -> Table:
    """The products per ABC class alone: one query of the revenue per product (no
    distinct counts, no months)."""
    state = columnar.copy_for(actor, filters, Client, Order)
    if state is None:
        revenue = _revenue(purchased_lines(actor, filters).values("product_id").annotate(revenue=Sum("total")))
    else:
        revenue = _revenue(columnar.product_revenue(state, filters))
    table = _summary(revenue, abc_classes(revenue, thresholds_of(settings_of(actor.workspace))))
    return table if state is None else columnar.noted(table, state)


def _revenue(rows: Iterable[Mapping[str, Any]]) -> dict[int, Decimal]:
    return {row["product_id"]: (row["revenue"] or Decimal(0)).quantize(CENT) for row in rows}


def _summary(revenue: dict[int, Decimal], classes: dict[int, str]) -> Table:
    total = sum(revenue.values(), Decimal(0))
    summary_rows = []
    for letter in ("A", "B", "C"):
        members = [pk for pk, amount in revenue.items() if amount > 0 and classes.get(pk) == letter]
        amount = sum((revenue[pk] for pk in members), Decimal(0))
        summary_rows.append(
            {"abc": letter, "products": len(members), "revenue": amount, "share": percent(amount, total)}
        )
    return Table(
        key="products_abc_summary",
        title=_("Products per ABC class"),
        columns=[
            Column("abc", _("ABC")),
            Column("products", _("Products"), "int"),
            Column("revenue", _("Revenue"), "money"),
            Column("share", _("Share"), "percent"),
        ],
        rows=summary_rows if any(amount > 0 for amount in revenue.values()) else [],
        chart=Chart("bar", x="abc", series=["revenue"]),
    )


def _monthly(lines: QuerySet[OrderLine]) -> dict[int, dict[dt.date, Decimal]]:
    """Per product and calendar month of its order's purchase date: the revenue (one
    aggregate query)."""
    rows = (
        lines.annotate(month=TruncMonth("order__paid_on")).values("product_id", "month").annotate(amount=Sum("total"))
    )
    return by_month(rows, "product_id")
