"""The orders API's shapes. (No `from __future__ import annotations` in the API modules:
Ninja reads the annotations at import time.) Quantities and money are accepted as typed
(numbers or text such as "1 200,50") and checked by the services."""

import datetime as dt
import decimal
from typing import Any

from ninja import Field, Schema

Number = decimal.Decimal | int | str


def sent(payload: Schema) -> dict[str, Any]:
    """The fields the client sent, under the services' names (warehouse_id → warehouse)."""
    values = payload.dict(exclude_unset=True)
    return {(name[:-3] if name.endswith("_id") else name): value for name, value in values.items()}


class WarehouseOut(Schema):
    id: int
    name: str
    address: str
    is_active: bool


class WarehouseIn(Schema):
    name: str
    address: str = ""
    is_active: bool = True


class StockLevelOut(Schema):
    product_id: int
    product_name: str = Field(..., alias="product.name")
    warehouse_id: int
    on_hand: decimal.Decimal
    reserved: decimal.Decimal
    available: decimal.Decimal = Field(..., description="On hand − reserved; negative: a shortage.")


class StockLevelFilter(Schema):
    product_id: int | None = None
    warehouse_id: int | None = None


class MovementOut(Schema):
    id: int
    kind: str = Field(..., description="receipt, reservation, release, shipment or adjustment")
    product_id: int
    warehouse_id: int
    quantity: decimal.Decimal = Field(..., description="Signed: see the kinds in the guide.")
    order_id: int | None
    order_line_id: int | None
    purchase_request_id: int | None
    author_id: int
    note: str
    created_at: dt.datetime


class MovementFilter(Schema):
    product_id: int | None = None
    warehouse_id: int | None = None
    order_id: int | None = None


class StockIn(Schema):
    product_id: int | None = None
    warehouse_id: int | None = None
    quantity: Number | None = None
    note: str = ""


class OrderLineOut(Schema):
    id: int
    product_id: int
    name: str
    quantity: decimal.Decimal
    price: decimal.Decimal
    discount: decimal.Decimal
    vat_rate: decimal.Decimal | None
    total: decimal.Decimal
    reserved: decimal.Decimal
    shipped: decimal.Decimal


class OrderOut(Schema):
    id: int
    number: int
    client_id: int
    deal_id: int | None
    owner_id: int
    warehouse_id: int
    currency: str
    status: str = Field(..., description="reserved, paid, shipped, closed or cancelled")
    total: decimal.Decimal
    paid_amount: decimal.Decimal
    paid_on: dt.date | None = Field(None, description="The date of the payment that completed the total")
    note: str
    version: int
    lines: list[OrderLineOut]
    created_at: dt.datetime


class OrderFilter(Schema):
    status: str = ""
    client_id: int | None = None
    deal_id: int | None = None


class OrderLineIn(Schema):
    product: int | None = None
    quantity: Number | None = None
    price: Number | None = Field(None, description="Empty: the client's price list price.")
    discount: Number | None = None
    vat_rate: Number | None = None


class ReserveOptions(Schema):
    warehouse_id: int | None = None
    shortage: bool = Field(
        False, description="Reserve what is available and request the rest from a supplier instead of refusing."
    )
    supplier_id: int | None = Field(None, description="The supplier of the shortage's purchase request.")
    note: str = ""


class OrderIn(ReserveOptions):
    client_id: int | None = None
    currency: str | None = None
    lines: list[dict[str, Any]] = Field(..., description="Each: product, quantity, price, discount, vat_rate.")


class OrderFromDealIn(ReserveOptions):
    deal_id: int


class VersionIn(Schema):
    version: int


class PaymentIn(Schema):
    amount: Number | None = None
    date: str | None = Field(None, description="YYYY-MM-DD; empty: today.")
    note: str = ""


class PaymentOut(Schema):
    id: int
    order_id: int
    amount: decimal.Decimal
    date: dt.date
    note: str


class ShipmentIn(Schema):
    lines: list[dict[str, Any]] = Field(..., description="Each: line (an order line id) and quantity.")
    date: str | None = None
    note: str = ""
    documents: bool = Field(
        False, description="Also issue the waybill (and, the first time, the act of the order's services)."
    )


class ShipmentDocumentOut(Schema):
    id: int = Field(..., alias="document.id")
    kind: str = Field(..., alias="document.kind", description="waybill or act")
    number: int = Field(..., alias="document.number")
    total: decimal.Decimal = Field(..., alias="document.total")


class ShipmentLineOut(Schema):
    order_line_id: int
    quantity: decimal.Decimal


class ShipmentOut(Schema):
    id: int
    order_id: int
    date: dt.date
    note: str
    lines: list[ShipmentLineOut]
    documents: list[ShipmentDocumentOut] = Field(..., description="PDF: GET …/orders/{order_id}/documents/{id}/pdf")


class SupplierOut(Schema):
    id: int
    client_id: int
    name: str = Field(..., alias="client.name")
    note: str


class SupplierIn(Schema):
    client_id: int | None = None
    note: str = ""


class PurchaseRequestOut(Schema):
    id: int
    supplier_id: int | None
    product_id: int
    warehouse_id: int
    quantity: decimal.Decimal
    order_id: int | None
    status: str = Field(..., description="open or received")
    received_at: dt.datetime | None
    note: str
    created_at: dt.datetime


class PurchaseRequestIn(StockIn):
    supplier_id: int | None = None
    order_id: int | None = None


class PurchaseRequestFilter(Schema):
    status: str = ""


class ReceiveIn(Schema):
    complete_reservation: bool = Field(False, description="Also reserve the goods for the request's order.")


class ProductBoughtOut(Schema):
    product_id: int
    name: str
    currency: str
    quantity: decimal.Decimal
    amount: decimal.Decimal
    orders: int = Field(..., description="How many orders had the product.")
    last_bought_at: dt.datetime


class AmountOut(Schema):
    currency: str
    amount: decimal.Decimal


class RecentOrderOut(Schema):
    id: int
    number: int
    deal_id: int | None
    currency: str
    status: str
    total: decimal.Decimal
    paid_amount: decimal.Decimal
    created_at: dt.datetime


class PurchaseHistoryOut(Schema):
    client_id: int
    orders_count: int = Field(..., description="Orders that are not cancelled.")
    first_order_at: dt.datetime | None
    last_order_at: dt.datetime | None
    revenue: list[AmountOut] = Field(..., description="The orders' totals, per currency.")
    paid: list[AmountOut]
    products: list[ProductBoughtOut] = Field(..., description="Most spent on first.")
    recent_orders: list[RecentOrderOut]
