"""Reads behind the storekeeper's pages: the filtered stock levels, movements and purchase
requests, the choices their forms offer, and the orders waiting to be assembled and
shipped. Everything starts from the scoped selectors (`catalog.view`; orders also by the
role's scope over their owner)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from relata.catalog.models import Product, ProductKind
from relata.catalog.selectors.products import products_in_use
from relata.core.db import contains_any
from relata.core.models import Membership
from relata.orders.models import (
    MovementKind,
    Order,
    OrderLine,
    OrderStatus,
    PurchaseRequest,
    PurchaseStatus,
    StockLevel,
    StockMovement,
    Warehouse,
)
from relata.orders.selectors.orders import orders_visible_to
from relata.orders.selectors.stock import (
    movements_visible_to,
    purchase_requests_visible_to,
    stock_levels_visible_to,
    warehouses_visible_to,
)

# Orders in these statuses may still hold reserved goods: shipped and closed ones have
# shipped every stocked line, cancelled ones have released theirs. A partly shipped
# order keeps the status its payment gives (reserved or paid).
OPEN_ORDER_STATUSES = (OrderStatus.RESERVED, OrderStatus.PAID)


def stock_levels_filtered(
    actor: Membership, *, warehouse_id: int | None = None, product_id: int | None = None, product_text: str = ""
) -> QuerySet[StockLevel]:
    """Levels by product name, then warehouse; `product_text` matches the product's name
    or SKU in any case."""
    levels = stock_levels_visible_to(actor, product_id=product_id, warehouse_id=warehouse_id)
    if product_text.strip():
        levels = levels.filter(contains_any(product_text, "product__name", "product__sku"))
    return levels.order_by("product__name", "product_id", "warehouse__name", "warehouse_id")


def movements_filtered(
    actor: Membership,
    *,
    warehouse_id: int | None = None,
    product_id: int | None = None,
    kind: str = "",
    product_text: str = "",
) -> QuerySet[StockMovement]:
    """The ledger, newest first, with what each row shows joined in."""
    movements = movements_visible_to(actor, product_id=product_id, warehouse_id=warehouse_id)
    if kind in MovementKind.values:
        movements = movements.filter(kind=kind)
    if product_text.strip():
        movements = movements.filter(contains_any(product_text, "product__name", "product__sku"))
    return movements.select_related("product", "warehouse", "order", "author")


def purchase_requests_listed(actor: Membership, *, status: str = "") -> QuerySet[PurchaseRequest]:
    """Purchase requests, newest first (open ones by default on the page)."""
    requests = purchase_requests_visible_to(actor, status=status if status in PurchaseStatus.values else "")
    return requests.select_related("product", "warehouse", "supplier", "order", "author")


def stocked_products(actor: Membership) -> QuerySet[Product]:
    """Products (not services) in use, by name: what receipts and adjustments offer."""
    return products_in_use(actor).filter(kind=ProductKind.PRODUCT)


def warehouses_in_use(actor: Membership) -> QuerySet[Warehouse]:
    return warehouses_visible_to(actor).filter(is_active=True)


def orders_to_ship(actor: Membership) -> QuerySet[Order]:
    """Orders the storekeeper has goods reserved for and not shipped yet, oldest first,
    each with `stock_lines`: its lines of stocked products (what to ship is `reserved`,
    what still waits for a purchase is `missing`)."""
    holding = OrderLine.objects.filter(order=OuterRef("pk"), reserved__gt=0)
    stock_lines = (
        OrderLine.objects.filter(product__kind=ProductKind.PRODUCT).select_related("product").order_by("position", "id")
    )
    return (
        orders_visible_to(actor)
        .filter(status__in=OPEN_ORDER_STATUSES)
        .filter(Exists(holding))
        .select_related("client", "warehouse")
        .prefetch_related(None)  # all the lines are not needed: only the stocked ones
        .prefetch_related(Prefetch("lines", queryset=stock_lines, to_attr="stock_lines"))
        .order_by("created_at", "id")
    )
