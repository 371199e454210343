"""Purchases: the one definition of revenue that every analytics figure uses (product.md §8).

An order is a purchase when it is paid in full (status paid or closed) and in the
workspace's default currency. Its purchase date is the date of its last payment (the day it
became paid in full), stored on the order as `Order.paid_on` by the payment service.
Revenue is the total of its lines: a line's total is already net of the line's discount
(quantity × price × (100 − discount %) / 100, VAT included), and the order's total is the
sum of its lines, so order-level and line-level revenue agree (figures that need no
product use `Order.total` and skip the lines).

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

from django.db.models import F, QuerySet

from relata.core.models import Workspace
from relata.core.money import CENT
from relata.orders.models import Order, OrderLine, OrderStatus

PAID_STATUSES = (OrderStatus.PAID, OrderStatus.CLOSED)


def purchases(workspace: Workspace, *, start: dt.date | None, end: dt.date) -> QuerySet[Order]:
    """The workspace's orders that are purchases dated in [start, end), with `purchased_on`
    (`start` None: from the beginning). `Order.paid_on` is the purchase date, stored when
    the order is paid in full, so a period is a range over its index."""
    orders = Order.objects.filter(
        workspace_id=workspace.pk, status__in=PAID_STATUSES, currency=workspace.default_currency, paid_on__lt=end
    )
    if start is not None:
        orders = orders.filter(paid_on__gte=start)
    return orders.annotate(purchased_on=F("paid_on")).order_by()


def lines_of(orders: QuerySet[Order]) -> QuerySet[OrderLine]:
    """The lines of `orders` (purchases, narrowed as a report needs): for figures by
    product."""
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
