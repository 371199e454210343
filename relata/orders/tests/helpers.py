"""Records the orders tests build through the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from conftest import add_member
from relata.catalog.models import Product
from relata.catalog.services.products import product_create
from relata.clients.models import Client
from relata.clients.services.clients import client_create
from relata.core.models import Event, Membership
from relata.orders.models import (
    Order,
    OrderLine,
    Payment,
    PurchaseRequest,
    Shipment,
    StockLevel,
    StockMovement,
    Warehouse,
)
from relata.orders.services.stock import stock_receive, warehouse_create
from relata.sales.models import Deal, Pipeline
from relata.sales.services.deals import deal_create, deal_win
from relata.sales.services.lines import deal_lines_set


def storekeeper(admin: Membership) -> Membership:
    return add_member(admin, "store@alpha.test", "Stan Store", "storekeeper", None)


def warehouse(actor: Membership, name: str = "Main") -> Warehouse:
    return warehouse_create(actor, values={"name": name})


def product(actor: Membership, name: str = "Silicate brick", **values: Any) -> Product:
    return product_create(actor, values={"name": name, "unit": "wagon", **values})


def receive(actor: Membership, product_: Product, warehouse_: Warehouse, quantity: str) -> None:
    stock_receive(actor, product=product_.pk, warehouse=warehouse_.pk, quantity=quantity)


def company(actor: Membership, name: str = "Dvor Ltd") -> Client:
    return client_create(actor, kind="company", values={"name": name})


def won_deal(actor: Membership, client: Client, lines: list[dict[str, Any]]) -> Deal:
    pipeline = Pipeline.objects.filter(workspace_id=actor.workspace_id).order_by("position", "id").first()
    assert pipeline is not None
    deal = deal_create(actor, values={"title": "Bricks", "pipeline": pipeline.pk, "client": client.pk})
    deal = deal_lines_set(actor, deal.pk, version=deal.version, lines=lines)
    return deal_win(actor, deal.pk, version=deal.version)


def level(product_: Product, warehouse_: Warehouse) -> tuple[Decimal, Decimal]:
    row = StockLevel.objects.get(product=product_, warehouse=warehouse_)
    return row.on_hand, row.reserved


def orders_state() -> tuple[Any, ...]:
    """Every row the orders services write: what a refused write must leave as it was."""
    return (
        list(Order.objects.order_by("pk").values_list("pk", "status", "paid_amount", "version")),
        list(OrderLine.objects.order_by("pk").values_list("pk", "quantity", "reserved", "shipped")),
        list(StockLevel.objects.order_by("pk").values_list("pk", "on_hand", "reserved")),
        StockMovement.objects.count(),
        Payment.objects.count(),
        Shipment.objects.count(),
        list(PurchaseRequest.objects.order_by("pk").values_list("pk", "status")),
        Event.objects.filter(kind__regex=r"^(order|stock|purchase_request)\.").count(),
    )
