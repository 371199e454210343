"""Records the loyalty tests build through the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from relata.catalog.models import Product
from relata.clients.models import Client
from relata.core.models import Event, Membership
from relata.loyalty.models import Card, PointsEntry, Programme, Tier
from relata.loyalty.services.cards import card_issue
from relata.loyalty.services.programmes import programme_create, tier_create
from relata.orders.models import Order, Payment
from relata.orders.services.orders import order_create, payment_create
from relata.orders.tests.helpers import company, product, warehouse

__all__ = ["company"]


def programme(actor: Membership, name: str = "Bonus", **values: Any) -> Programme:
    defaults = {
        "name": name,
        "earn_rate": "5",
        "point_value": "1",
        "max_share": "30",
        "lifetime_days": "365",
    }
    return programme_create(actor, values={**defaults, **values})


def tier(actor: Membership, programme_: Programme, name: str, threshold: str, multiplier: str = "1") -> Tier:
    return tier_create(actor, programme_.pk, values={"name": name, "threshold": threshold, "multiplier": multiplier})


def card(actor: Membership, programme_: Programme, holder: Client, number: str = "1001") -> Card:
    return card_issue(actor, values={"programme": programme_.pk, "holder": holder.pk, "number": number})


class Shop:
    """A service product and a warehouse: orders of services need no stock."""

    def __init__(self, admin: Membership) -> None:
        self.admin = admin
        self.service: Product = product(admin, "Delivery", kind="service")
        self.warehouse = warehouse(admin)

    def order(self, client: Client, total: str, currency: str | None = None) -> Order:
        values: dict[str, Any] = {
            "client": client.pk,
            "warehouse": self.warehouse.pk,
            "lines": [{"product": self.service.pk, "quantity": "1", "price": total}],
        }
        if currency:
            values["currency"] = currency
        return order_create(self.admin, values=values)

    def pay(self, order: Order, amount: str | Decimal | None = None, actor: Membership | None = None) -> Payment:
        order.refresh_from_db()
        return payment_create(actor or self.admin, order.pk, values={"amount": str(amount or order.due)})


def loyalty_state() -> tuple[Any, ...]:
    """Every row the loyalty and payment services write: what a refusal leaves as it was."""
    return (
        list(Programme.objects.order_by("pk").values_list("pk", "name", "version")),
        list(Tier.objects.order_by("pk").values_list("pk", "threshold", "version")),
        list(Card.objects.order_by("pk").values_list("pk", "number", "balance", "tier_id", "is_blocked")),
        list(PointsEntry.objects.order_by("pk").values_list("pk", "points", "remaining")),
        list(Order.objects.order_by("pk").values_list("pk", "status", "paid_amount")),
        Payment.objects.count(),
        Event.objects.filter(kind__regex=r"^(loyalty|order)\.").count(),
    )


def ledger_sum(card_: Card) -> int:
    return sum(PointsEntry.objects.filter(card=card_).values_list("points", flat=True))


def lots_sum(card_: Card) -> int:
    return sum(PointsEntry.objects.filter(card=card_, remaining__isnull=False).values_list("remaining", flat=True))
