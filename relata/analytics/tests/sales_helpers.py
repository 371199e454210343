"""Hand-made sales for the sales analysis and lifetime value tests: orders of service
products (no stock needed), paid on chosen days through the orders services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from relata.analytics.reports.filters import ReportFilters
from relata.analytics.reports.table import Table
from relata.catalog.models import Product
from relata.clients.models import Client
from relata.clients.services.clients import client_create
from relata.core.models import Membership
from relata.orders.models import Order
from relata.orders.services.orders import order_cancel, order_create, payment_create
from relata.orders.tests.helpers import product, warehouse

Line = tuple[Product, str, str] | tuple[Product, str, str, str]  # product, quantity, price[, discount %]


class Store:
    """The administrator's products and a warehouse to sell them from."""

    def __init__(self, admin: Membership, *names: str) -> None:
        self.admin = admin
        self.warehouse = warehouse(admin, "Sales analysis store")
        self.products: dict[str, Product] = {}
        self.add_products(*names)

    def add_products(self, *names: str) -> list[Product]:
        made = [product(self.admin, name, kind="service") for name in names]
        self.products.update((item.name, item) for item in made)
        return made

    def client(self, name: str, owner: Membership | None = None, **values: Any) -> Client:
        """A company owned by `owner` (default the administrator)."""
        if owner is not None:
            values["owner"] = owner.user_id
        return client_create(self.admin, kind="company", values={"name": name, **values})

    def sell(
        self,
        client: Client,
        lines: list[Line],
        on: dt.date | None,
        *,
        paid: str | None = None,
        owner: Membership | None = None,
        cancel: bool = False,
    ) -> Order:
        """An order of `lines`, paid in full on `on` (or only `paid` of it; "0" or `on`
        None: unpaid), owned by `owner` (default the administrator)."""
        order = order_create(
            self.admin,
            values={
                "client": client.pk,
                "warehouse": self.warehouse.pk,
                "lines": [
                    {"product": line[0].pk, "quantity": line[1], "price": line[2], "discount": (line[3:] or ("0",))[0]}
                    for line in lines
                ],
            },
        )
        if owner is not None:
            Order.objects.filter(pk=order.pk).update(owner=owner.user)
        amount = order.total if paid is None else Decimal(paid)
        if on is not None and amount > 0:
            payment_create(self.admin, order.pk, values={"amount": str(amount), "date": on.isoformat()})
        if cancel:
            order.refresh_from_db()
            order_cancel(self.admin, order.pk, version=order.version)
        order.refresh_from_db()
        return order

    def pay(self, order: Order, amount: str, on: dt.date) -> None:
        payment_create(self.admin, order.pk, values={"amount": amount, "date": on.isoformat()})


def period(first: str, last: str, **filters: Any) -> ReportFilters:
    return ReportFilters(dt.date.fromisoformat(first), dt.date.fromisoformat(last), **filters)


def by_key(tables: list[Table]) -> dict[str, Table]:
    return {table.key: table for table in tables}


def column(table: Table, key: str) -> list[Any]:
    return [row[key] for row in table.rows]
