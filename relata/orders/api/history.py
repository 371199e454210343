"""A client's purchase history through the API (the same as the purchases panel of its
card, with longer lists)."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from relata.api.auth import actor_of
from relata.clients.selectors.clients import client_get
from relata.core.access import require
from relata.orders.api.schemas import PurchaseHistoryOut
from relata.orders.selectors.history import purchase_history

router = Router(tags=["orders"])


@router.get(
    "/clients/{client_id}/purchases",
    response=PurchaseHistoryOut,
    summary="A client's purchases: totals, products bought and the latest orders",
)
def client_purchases(request: HttpRequest, client_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "catalog", "view")
    client = client_get(actor, client_id)
    history = purchase_history(actor, client, products_limit=500, orders_limit=50)
    return {
        "client_id": client.pk,
        "orders_count": history.orders_count,
        "first_order_at": history.first_order_at,
        "last_order_at": history.last_order_at,
        "revenue": [{"currency": c, "amount": a} for c, a in sorted(history.revenue.items())],
        "paid": [{"currency": c, "amount": a} for c, a in sorted(history.paid.items())],
        "products": history.products,
        "recent_orders": history.recent_orders,
    }
