"""Reads of warehouses, stock levels, movements, suppliers and purchase requests, through
the access mechanism (`catalog.view`; none of them has an owner)."""

from __future__ import annotations

from django.db.models import QuerySet

from relata.core.access import get_visible, scope_queryset
from relata.core.models import Membership
from relata.orders.models import PurchaseRequest, StockLevel, StockMovement, Supplier, Warehouse


def warehouses_visible_to(actor: Membership) -> QuerySet[Warehouse]:
    return scope_queryset(actor, Warehouse.objects.all()).order_by("name", "id")


def stock_levels_visible_to(
    actor: Membership, *, product_id: int | None = None, warehouse_id: int | None = None
) -> QuerySet[StockLevel]:
    levels = scope_queryset(actor, StockLevel.objects.all()).select_related("product", "warehouse")
    if product_id is not None:
        levels = levels.filter(product_id=product_id)
    if warehouse_id is not None:
        levels = levels.filter(warehouse_id=warehouse_id)
    return levels.order_by("product__name", "product_id", "warehouse_id")


def movements_visible_to(
    actor: Membership,
    *,
    product_id: int | None = None,
    warehouse_id: int | None = None,
    order_id: int | None = None,
) -> QuerySet[StockMovement]:
    movements = scope_queryset(actor, StockMovement.objects.all())
    if product_id is not None:
        movements = movements.filter(product_id=product_id)
    if warehouse_id is not None:
        movements = movements.filter(warehouse_id=warehouse_id)
    if order_id is not None:
        movements = movements.filter(order_id=order_id)
    return movements.order_by("-created_at", "-id")


def suppliers_visible_to(actor: Membership) -> QuerySet[Supplier]:
    return scope_queryset(actor, Supplier.objects.all()).select_related("client").order_by("client__name", "id")


def purchase_requests_visible_to(actor: Membership, *, status: str = "") -> QuerySet[PurchaseRequest]:
    requests = scope_queryset(actor, PurchaseRequest.objects.all())
    if status:
        requests = requests.filter(status=status)
    return requests.order_by("-created_at", "-id")


def purchase_request_get(actor: Membership, pk: int) -> PurchaseRequest:
    return get_visible(actor, purchase_requests_visible_to(actor), pk)
