"""Reads of orders, through the access mechanism (`catalog.view` and the role's scope
over the order's owner)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from relata.core.access import get_visible, scope_queryset
from relata.core.models import Membership
from relata.orders.models import Order, OrderLine


def orders_visible_to(
    actor: Membership, *, status: str = "", client_id: int | None = None, deal_id: int | None = None
) -> QuerySet[Order]:
    orders = scope_queryset(actor, Order.objects.all()).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("position", "id"))
    )
    if status:
        orders = orders.filter(status=status)
    if client_id is not None:
        orders = orders.filter(client_id=client_id)
    if deal_id is not None:
        orders = orders.filter(deal_id=deal_id)
    return orders.order_by("-created_at", "-id")


def order_get(actor: Membership, pk: int) -> Order:
    return get_visible(actor, orders_visible_to(actor), pk)
