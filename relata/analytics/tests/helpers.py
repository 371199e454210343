"""Purchases the analytics tests build through the orders services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from relata.analytics.services.classes import add_months
from relata.clients.models import Client
from relata.core.models import Membership
from relata.loyalty.tests import helpers as loyalty_helpers
from relata.orders.models import Order
from relata.orders.services.orders import payment_create
from relata.orders.tests.helpers import company, product, warehouse

__all__ = ["Shop", "company"]


class Shop(loyalty_helpers.Shop):
    """Orders of a service (no stock needed), under names of its own so that it can sit in
    the permission matrix's world next to the other apps' records."""

    def __init__(self, admin: Membership) -> None:
        self.admin = admin
        self.service = product(admin, "Analytics consulting", kind="service")
        self.warehouse = warehouse(admin, "Analytics store")


def period_end() -> dt.date:
    """The default end of the period: the first day of the current month."""
    return timezone.localdate().replace(day=1)


def day_in(months_before_end: int, day: int = 10) -> dt.date:
    """A day of the month `months_before_end` months before the period's end (1: the last
    month of the period)."""
    return add_months(period_end(), -months_before_end).replace(day=day)


def buy(shop: Shop, client: Client, amount: str, on: dt.date, *, paid: str | None = None) -> Order:
    """An order of `amount` paid in full on `on` (or only `paid` of it; "0": unpaid)."""
    order = shop.order(client, amount)
    part = amount if paid is None else paid
    if part != "0":
        payment_create(shop.admin, order.pk, values={"amount": part, "date": on.isoformat()})
    order.refresh_from_db()
    return order
