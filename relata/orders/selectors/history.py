"""A client's purchase history: what it bought, across its orders, within the actor's
scope over those orders (`catalog.view` and the role's scope). Cancelled orders are not
purchases. Amounts are kept per currency: a base may sell in more than one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Min, Sum

from relata.clients.models import Client
from relata.core.models import Membership
from relata.core.money import CENT
from relata.orders.models import Order, OrderLine, OrderStatus
from relata.orders.selectors.orders import orders_visible_to


@dataclass(frozen=True)
class ProductBought:
    product_id: int
    name: str
    currency: str
    quantity: Decimal
    amount: Decimal
    orders: int
    last_bought_at: dt.datetime


@dataclass(frozen=True)
class PurchaseHistory:
    orders_count: int
    first_order_at: dt.datetime | None
    last_order_at: dt.datetime | None
    revenue: dict[str, Decimal] = field(default_factory=dict)  # currency → total of the orders
    paid: dict[str, Decimal] = field(default_factory=dict)
    products: list[ProductBought] = field(default_factory=list)
    recent_orders: list[Order] = field(default_factory=list)


def purchase_history(
    actor: Membership, client: Client, *, products_limit: int = 50, orders_limit: int = 10
) -> PurchaseHistory:
    """The client's purchases the actor may see: totals, the products (most spent on
    first) and the latest orders. `client` was fetched through the access mechanism."""
    orders = orders_visible_to(actor, client_id=client.pk).exclude(status=OrderStatus.CANCELLED)
    span = orders.aggregate(count=Count("id"), first=Min("created_at"), last=Max("created_at"))
    revenue: dict[str, Decimal] = {}
    paid: dict[str, Decimal] = {}
    for row in orders.order_by().values("currency").annotate(total=Sum("total"), paid=Sum("paid_amount")):
        # SQLite sums decimals without their scale: money is shown to the cent everywhere.
        revenue[row["currency"]] = row["total"].quantize(CENT)
        paid[row["currency"]] = row["paid"].quantize(CENT)
    lines = (
        OrderLine.objects.filter(order__in=orders.order_by().values("id"))
        .order_by()
        .values("product_id", "product__name", "order__currency")
        .annotate(
            quantity=Sum("quantity"),
            amount=Sum("total"),
            orders=Count("order_id", distinct=True),
            last=Max("order__created_at"),
        )
        .order_by("-amount", "product__name")[:products_limit]
    )
    products = [
        ProductBought(
            product_id=row["product_id"],
            name=row["product__name"],
            currency=row["order__currency"],
            quantity=row["quantity"],
            amount=row["amount"].quantize(CENT),
            orders=row["orders"],
            last_bought_at=row["last"],
        )
        for row in lines
    ]
    return PurchaseHistory(
        orders_count=span["count"],
        first_order_at=span["first"],
        last_order_at=span["last"],
        revenue=revenue,
        paid=paid,
        products=products,
        recent_orders=list(orders.select_related("deal")[:orders_limit]),
    )


def client_purchases_panel(actor: Membership, client: Client) -> dict[str, object]:
    """The purchases panel of the client's card."""
    return {"client": client, "history": purchase_history(actor, client, products_limit=10, orders_limit=5)}
