"""Reads of orders, through the access mechanism (`catalog.view` and the role's scope
over the order's owner)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from relata.core.access import get_visible, scope_queryset
from relata.core.models import Membership
from relata.orders.models import (
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PurchaseRequest,
    Shipment,
    ShipmentDocument,
    ShipmentLine,
)
from relata.orders.selectors.stock import warehouses_visible_to
from relata.sales.models import Deal, DealStatus, SalesDocument


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
    related = ("client", "deal", "warehouse", "owner", "created_by")
    return get_visible(actor, orders_visible_to(actor).select_related(*related), pk)


def order_lines(actor: Membership, order: Order) -> QuerySet[OrderLine]:
    """The order's lines in their order, with their products."""
    return (
        scope_queryset(actor, OrderLine.objects.filter(order_id=order.pk))
        .select_related("product")
        .order_by("position", "id")
    )


def order_purchase_requests(actor: Membership, order: Order) -> QuerySet[PurchaseRequest]:
    """The purchase requests made for the order's shortage (or by hand for it)."""
    return (
        scope_queryset(actor, PurchaseRequest.objects.filter(order_id=order.pk))
        .select_related("product", "supplier")
        .order_by("id")
    )


def order_payments(actor: Membership, order: Order) -> QuerySet[Payment]:
    """The order's payments, oldest first."""
    return (
        scope_queryset(actor, Payment.objects.filter(order_id=order.pk)).select_related("author").order_by("date", "id")
    )


def order_shipments(actor: Membership, order: Order) -> QuerySet[Shipment]:
    """The order's shipments with their lines, oldest first."""
    lines = scope_queryset(actor, ShipmentLine.objects.all()).select_related("order_line").order_by("id")
    return (
        scope_queryset(actor, Shipment.objects.filter(order_id=order.pk))
        .select_related("author")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("date", "id")
    )


def order_may_cancel(actor: Membership, order: Order) -> bool:
    """Whether the actor may cancel the order, by the rule `order_cancel` enforces:
    `catalog.change`, or the right to change the order's deal (its state aside)."""
    if actor.can("catalog", "change"):
        return True
    if order.deal_id is None or not actor.can("sales", "change"):
        return False
    return scope_queryset(actor, Deal.objects.filter(pk=order.deal_id)).exists()


def deal_may_order(actor: Membership, deal: Deal) -> bool:
    """Whether the deal can become an order now and the actor may make it (the checks of
    `order_create_from_deal` that need no input): won, with a client and lines, no order
    that is not cancelled, and the right to change the deal and read the catalog."""
    if deal.status != DealStatus.WON or deal.client_id is None:
        return False
    if not (actor.can("sales", "change") and actor.can("catalog", "view")):
        return False
    if not scope_queryset(actor, Deal.objects.filter(pk=deal.pk)).exists():
        return False
    if not deal.lines.exists():
        return False
    return (
        not scope_queryset(actor, Order.objects.filter(deal_id=deal.pk)).exclude(status=OrderStatus.CANCELLED).exists()
    )


def deal_orders_panel(actor: Membership, deal: Deal) -> dict[str, Any]:
    """The "Orders" panel of a deal's page: the deal's orders the actor sees and, when
    the deal can become an order and the actor may make it, the warehouses to reserve in
    (else, for who could make it, why not yet)."""
    orders = list(orders_visible_to(actor, deal_id=deal.pk).prefetch_related(None))
    can_order = deal_may_order(actor, deal)
    explain = ""
    if not can_order and actor.can("sales", "change") and not any(o.status != OrderStatus.CANCELLED for o in orders):
        if deal.status == DealStatus.OPEN:
            explain = _("Once the deal is won, its order is made here.")
        elif deal.status == DealStatus.WON and deal.client_id is None:
            explain = _("Choose the deal's client first: an order is for a client.")
        elif deal.status == DealStatus.WON and not deal.lines.exists():
            explain = _("Add the deal's lines (what is sold) to make its order.")
    warehouses = list(warehouses_visible_to(actor).filter(is_active=True)) if can_order else []
    return {"deal": deal, "orders": orders, "can_order": can_order, "warehouses": warehouses, "explain": explain}


def order_documents(actor: Membership, order: Order) -> dict[int, list[SalesDocument]]:
    """The documents issued for the order's shipments, by shipment id (within the actor's
    scope over the order: the storekeeper sees them without the `sales` permission)."""
    links = (
        scope_queryset(actor, ShipmentDocument.objects.filter(shipment__order_id=order.pk))
        .select_related("document")
        .order_by("document__kind", "document_id")
    )
    documents: dict[int, list[SalesDocument]] = {}
    for link in links:
        documents.setdefault(link.shipment_id, []).append(link.document)
    return documents


def order_document_get(actor: Membership, order: Order, document_id: int) -> SalesDocument:
    """One document of the order's shipments, else 404."""
    link = (
        scope_queryset(actor, ShipmentDocument.objects.filter(shipment__order_id=order.pk, document_id=document_id))
        .select_related("document")
        .first()
    )
    if link is None:
        raise Http404("no such document of this order")
    return link.document


def shipment_get(actor: Membership, order: Order, shipment_id: int) -> Shipment:
    return get_visible(actor, scope_queryset(actor, Shipment.objects.filter(order_id=order.pk)), shipment_id)
