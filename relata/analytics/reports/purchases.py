"""Purchases: the one definition of revenue that every analytics figure uses (product.md §8).

An order is a purchase when it is paid in full (status paid or closed) and in the
workspace's default currency. Its purchase date is the date of its last payment (the day it
became paid in full). Revenue is the total of its lines: a line's total is already net of
the line's discount (quantity × price × (100 − discount %) / 100, VAT included), and the
order's total is the sum of its lines, so order-level and line-level revenue agree.

Cancelled, unpaid and part-paid orders are not purchases. Orders in other currencies are
left out until exchange rates exist. Revenue is meant net of refunds; Relata has no refunds
yet, so nothing is subtracted. (Loyalty points spent on an order are a payment, not a
discount of its lines: the order's revenue is its lines' total either way.)

`purchases` carries `purchased_on` and no ordering; callers narrow it (by client, owner,
product) and aggregate in the database, at order level or over `lines_of` the orders.
SQLite sums decimals as floating point: round the sums to the cent (`money`) before
comparing or ranking them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import DateField, Max, OuterRef, QuerySet, Subquery

from relata.core.models import Workspace
from relata.core.money import CENT
from relata.orders.models import Order, OrderLine, OrderStatus, Payment

PAID_STATUSES = (OrderStatus.PAID, OrderStatus.CLOSED)


def last_payment_day(order_ref: str = "pk") -> Subquery:
    """The date of the last payment of the order at `order_ref` (an outer reference): the
    purchase date of an order paid in full."""
    days = Payment.objects.filter(order=OuterRef(order_ref)).order_by().values("order").annotate(day=Max("date"))
    return Subquery(days.values("day"), output_field=DateField())


def purchases(workspace: Workspace, *, start: dt.date | None, end: dt.date) -> QuerySet[Order]:
    """The workspace's orders that are purchases dated in [start, end), with `purchased_on`
    (`start` None: from the beginning)."""
    orders = (
        Order.objects.filter(workspace_id=workspace.pk, status__in=PAID_STATUSES, currency=workspace.default_currency)
        .annotate(purchased_on=last_payment_day())
        .filter(purchased_on__lt=end)
    )
    if start is not None:
        # An order whose last payment falls in the period has a payment in the period: a
        # cheap semi-join first, so that the last payment is looked up only for those.
        paid_then = Payment.objects.filter(workspace_id=workspace.pk, date__gte=start, date__lt=end)
        orders = orders.filter(pk__in=paid_then.values("order_id")).filter(purchased_on__gte=start)
    return orders.order_by()


def lines_of(orders: QuerySet[Order]) -> QuerySet[OrderLine]:
    """The lines of `orders` (purchases, narrowed as a report needs): for figures by
    product. Each order's purchase date is looked up once, in the subquery, not per line."""
    return OrderLine.objects.filter(order__in=orders.values("pk")).order_by()


def money(value: Any) -> Decimal:
    """A database sum as money to the cent (zero for no rows; SQLite's float sums rounded)."""
    return Decimal(value or 0).quantize(CENT)


def as_date(value: Any) -> dt.date:
    """A date the database returned for an aggregate over `purchased_on` (SQLite answers
    some of them as text or as a datetime)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"not a date: {value!r}")
