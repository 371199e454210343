"""Warehouses, stock levels, the movements ledger, suppliers and purchase requests."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.core.access import require
from relata.orders.api.schemas import (
    MovementFilter,
    MovementOut,
    PurchaseRequestFilter,
    PurchaseRequestIn,
    PurchaseRequestOut,
    ReceiveIn,
    StockIn,
    StockLevelFilter,
    StockLevelOut,
    SupplierIn,
    SupplierOut,
    WarehouseIn,
    WarehouseOut,
    sent,
)
from relata.orders.models import PurchaseRequest, StockLevel, StockMovement, Supplier, Warehouse
from relata.orders.selectors.stock import (
    movements_visible_to,
    purchase_request_get,
    purchase_requests_visible_to,
    stock_levels_visible_to,
    suppliers_visible_to,
    warehouses_visible_to,
)
from relata.orders.services.stock import (
    purchase_request_create,
    purchase_request_receive,
    stock_receive,
    supplier_add,
    warehouse_create,
)

router = Router(tags=["stock"])


@router.get("/stock/warehouses", response=list[WarehouseOut], summary="Warehouses, by name")
@paginate(PagePagination)
def warehouse_list(request: HttpRequest) -> QuerySet[Warehouse]:
    actor = actor_of(request)
    require(actor, "catalog", "view")
    return warehouses_visible_to(actor)


@router.post("/stock/warehouses", response={201: WarehouseOut}, summary="Add a warehouse")
def warehouse_new(request: HttpRequest, payload: WarehouseIn) -> Status[Warehouse]:
    return Status(201, warehouse_create(actor_of(request), values=payload.dict()))


@router.get("/stock/levels", response=list[StockLevelOut], summary="Stock per product and warehouse")
@paginate(PagePagination)
def level_list(request: HttpRequest, filters: Query[StockLevelFilter]) -> QuerySet[StockLevel]:
    actor = actor_of(request)
    require(actor, "catalog", "view")
    return stock_levels_visible_to(actor, product_id=filters.product_id, warehouse_id=filters.warehouse_id)


@router.get("/stock/movements", response=list[MovementOut], summary="The stock ledger, newest first")
@paginate(PagePagination)
def movement_list(request: HttpRequest, filters: Query[MovementFilter]) -> QuerySet[StockMovement]:
    actor = actor_of(request)
    require(actor, "catalog", "view")
    return movements_visible_to(
        actor, product_id=filters.product_id, warehouse_id=filters.warehouse_id, order_id=filters.order_id
    )


@router.post("/stock/receipts", response={201: MovementOut}, summary="Receive goods without a purchase request")
def receipt_new(request: HttpRequest, payload: StockIn) -> Status[StockMovement]:
    values = sent(payload)
    return Status(201, stock_receive(actor_of(request), **values))


@router.get("/stock/suppliers", response=list[SupplierOut], summary="Companies registered as suppliers")
@paginate(PagePagination)
def supplier_list(request: HttpRequest) -> QuerySet[Supplier]:
    actor = actor_of(request)
    require(actor, "catalog", "view")
    return suppliers_visible_to(actor)


@router.post("/stock/suppliers", response={201: SupplierOut}, summary="Register a company as a supplier")
def supplier_new(request: HttpRequest, payload: SupplierIn) -> Status[Supplier]:
    return Status(201, supplier_add(actor_of(request), client=payload.client_id, note=payload.note))


@router.get("/stock/purchase-requests", response=list[PurchaseRequestOut], summary="Purchase requests, newest first")
@paginate(PagePagination)
def purchase_request_list(request: HttpRequest, filters: Query[PurchaseRequestFilter]) -> QuerySet[PurchaseRequest]:
    actor = actor_of(request)
    require(actor, "catalog", "view")
    return purchase_requests_visible_to(actor, status=filters.status)


@router.post("/stock/purchase-requests", response={201: PurchaseRequestOut}, summary="Request goods from a supplier")
def purchase_request_new(request: HttpRequest, payload: PurchaseRequestIn) -> Status[PurchaseRequest]:
    return Status(201, purchase_request_create(actor_of(request), **sent(payload)))


@router.post(
    "/stock/purchase-requests/{request_id}/receive",
    response=PurchaseRequestOut,
    summary="The requested goods arrived: receive them (and optionally reserve them for the order)",
)
def purchase_request_receive_op(request: HttpRequest, request_id: int, payload: ReceiveIn) -> PurchaseRequest:
    actor = actor_of(request)
    purchase = purchase_request_get(actor, request_id)
    return purchase_request_receive(actor, purchase.pk, complete_reservation=payload.complete_reservation)
