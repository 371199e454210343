"""Orders through the API: created directly or from a won deal (reserving their lines),
cancelled, paid and shipped."""

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.core.access import require
from relata.orders.api.schemas import (
    OrderFilter,
    OrderFromDealIn,
    OrderIn,
    OrderOut,
    PaymentIn,
    PaymentOut,
    ShipmentIn,
    ShipmentOut,
    VersionIn,
    sent,
)
from relata.orders.models import Order, Payment, Shipment
from relata.orders.selectors.orders import order_document_get, order_get, orders_visible_to, shipment_get
from relata.orders.services.orders import (
    order_cancel,
    order_create,
    order_create_from_deal,
    payment_create,
    shipment_create,
)
from relata.orders.services.shipment_documents import shipment_documents_issue
from relata.sales.views.documents import pdf_response

router = Router(tags=["orders"])


@router.get("/orders", response=list[OrderOut], summary="Orders, newest first")
@paginate(PagePagination)
def order_list(request: HttpRequest, filters: Query[OrderFilter]) -> QuerySet[Order]:
    actor = actor_of(request)
    require(actor, "catalog", "view")
    return orders_visible_to(actor, status=filters.status, client_id=filters.client_id, deal_id=filters.deal_id)


@router.post("/orders", response={201: OrderOut}, summary="Create an order directly and reserve its lines")
def order_new(request: HttpRequest, payload: OrderIn) -> Status[Order]:
    actor = actor_of(request)
    order = order_create(actor, values=sent(payload))
    return Status(201, order_get(actor, order.pk))


@router.post("/orders/from-deal", response={201: OrderOut}, summary="Create the order of a won deal and reserve it")
def order_from_deal(request: HttpRequest, payload: OrderFromDealIn) -> Status[Order]:
    actor = actor_of(request)
    values = sent(payload)
    order = order_create_from_deal(actor, values.pop("deal"), values=values)
    return Status(201, order_get(actor, order.pk))


@router.get("/orders/{order_id}", response=OrderOut, summary="One order with its lines")
def order_detail(request: HttpRequest, order_id: int) -> Order:
    return order_get(actor_of(request), order_id)


@router.post(
    "/orders/{order_id}/cancel", response=OrderOut, summary="Cancel an order, releasing its reservation (409 if stale)"
)
def order_cancel_op(request: HttpRequest, order_id: int, payload: VersionIn) -> Order:
    actor = actor_of(request)
    order = order_cancel(actor, order_get(actor, order_id).pk, version=payload.version)
    return order_get(actor, order.pk)


@router.post("/orders/{order_id}/payments", response={201: PaymentOut}, summary="Record a payment of an order")
def payment_new(request: HttpRequest, order_id: int, payload: PaymentIn) -> Status[Payment]:
    actor = actor_of(request)
    return Status(201, payment_create(actor, order_get(actor, order_id).pk, values=payload.dict()))


@router.post(
    "/orders/{order_id}/shipments", response={201: ShipmentOut}, summary="Ship reserved goods (written off the stock)"
)
def shipment_new(request: HttpRequest, order_id: int, payload: ShipmentIn) -> Status[Shipment]:
    actor = actor_of(request)
    order = order_get(actor, order_id)
    shipment = shipment_create(actor, order.pk, values=payload.dict())
    return Status(201, shipment_get(actor, order, shipment.pk))


@router.post(
    "/orders/{order_id}/shipments/{shipment_id}/documents",
    response={201: ShipmentOut},
    summary="Issue a shipment's waybill (and the act of the order's services)",
)
def shipment_documents_new(request: HttpRequest, order_id: int, shipment_id: int) -> Status[Shipment]:
    actor = actor_of(request)
    order = order_get(actor, order_id)
    shipment_documents_issue(actor, shipment_get(actor, order, shipment_id).pk)
    return Status(201, shipment_get(actor, order, shipment_id))


@router.get(
    "/orders/{order_id}/documents/{document_id}/pdf",
    response={200: None},
    summary="The PDF of a shipment's document",
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def order_document_pdf(request: HttpRequest, order_id: int, document_id: int) -> HttpResponse:
    actor = actor_of(request)
    require(actor, "catalog", "view")
    return pdf_response(order_document_get(actor, order_get(actor, order_id), document_id), download=True)
