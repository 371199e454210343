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

Both querysets carry `purchased_on` and no ordering; callers narrow them (by client, owner,
product) and aggregate in the database. SQLite sums decimals as floating point: round the
sums to the cent (`money`) before comparing or ranking them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import DateField, Max, Model, OuterRef, QuerySet, Subquery

from relata.core.models import Workspace
from relata.core.money import CENT
from relata.orders.models import Order, OrderLine, OrderStatus, Payment

PAID_STATUSES = (OrderStatus.PAID, OrderStatus.CLOSED)

M = TypeVar("M", bound=Model)


def last_payment_day(order: str) -> Subquery:
    """The date of the last payment of the order that `OuterRef(order)` names."""
    days = (
        Payment.objects.filter(order=OuterRef(order)).order_by().values("order").annotate(day=Max("date")).values("day")
    )
    return Subquery(days, output_field=DateField())


def purchases(workspace: Workspace, *, start: dt.date | None, end: dt.date) -> QuerySet[Order]:
    """The workspace's orders that are purchases dated in [start, end), with `purchased_on`
    (`start` None: from the beginning)."""
    orders = Order.objects.filter(
        workspace_id=workspace.pk, status__in=PAID_STATUSES, currency=workspace.default_currency
    ).annotate(purchased_on=last_payment_day("pk"))
    return _dated(orders, start, end)


def purchase_lines(workspace: Workspace, *, start: dt.date | None, end: dt.date) -> QuerySet[OrderLine]:
    """The lines of the same purchases (`purchases`), each with its order's `purchased_on`:
    for figures by product, where a filter keeps only some lines of an order."""
    lines = OrderLine.objects.filter(
        workspace_id=workspace.pk, order__status__in=PAID_STATUSES, order__currency=workspace.default_currency
    ).annotate(purchased_on=last_payment_day("order_id"))
    return _dated(lines, start, end)


def _dated(queryset: QuerySet[M], start: dt.date | None, end: dt.date) -> QuerySet[M]:
    queryset = queryset.filter(purchased_on__lt=end)
    if start is not None:
        queryset = queryset.filter(purchased_on__gte=start)
    return queryset.order_by()


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
