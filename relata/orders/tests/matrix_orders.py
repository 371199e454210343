"""Permission-matrix entries of orders and stock (module "catalog").

Stock, warehouses, suppliers and purchase requests have no owner: `catalog.view` reads
them, the catalog's keepers (administrators, storekeepers) change them. The order is
manager 1's, made from their won deal "Wombat deal": the head of sales (team above
North), the administrator and the read-only user see it, manager 2 (scope own) must not
learn it exists. Cancelling needs `catalog.change` or the right to change the deal (the
manager and their head); payments and shipments need `catalog.change`. Making an order
from a won deal needs the right to change that deal (see relata/orders/services).
"""

from __future__ import annotations

from typing import Any

from relata.core.tests.matrix import Rule, World, api_rule
from relata.orders.services.orders import order_create_from_deal, shipment_create
from relata.orders.services.stock import (
    purchase_request_create,
    stock_receive,
    supplier_add,
    warehouse_create,
)
from relata.orders.tests.helpers import company, product, won_deal

LEAK_MARKERS = ["Wombat"]

SEES = {"admin": 200, "head": 200, "manager1": 200, "readonly": 200}  # manager2 and workspace B: 404
CANCELS = {"admin": 200, "head": 200, "manager1": 200, "readonly": 403}
KEEPS = {"admin": 201, "head": 403, "manager1": 403, "readonly": 403}
FROM_DEAL = {"admin": 201, "head": 201, "manager1": 201, "readonly": 403}


def extend_world(world: World) -> None:
    p = world.p
    brick = product(p.admin, "Wombat brick")
    store = warehouse_create(p.admin, values={"name": "Wombat store"})
    stock_receive(p.admin, product=brick.pk, warehouse=store.pk, quantity="10")
    client = company(p.manager1, "Wombat Ltd")
    supplier = company(p.admin, "Wombat Supply")
    supplier_add(p.admin, client=supplier.pk)
    lines = [{"product": brick.pk, "quantity": "2", "price": "10"}]
    deal = won_deal(p.manager1, client, lines)
    spare_deal = won_deal(p.manager1, client, lines)
    order = order_create_from_deal(p.manager1, deal.pk, values={"warehouse": store.pk})
    purchase = purchase_request_create(p.admin, product=brick.pk, warehouse=store.pk, quantity="5")
    # An order shipped twice: the first shipment with its waybill, the second without.
    shipped = order_create_from_deal(p.manager1, won_deal(p.manager1, client, lines).pk, values={"warehouse": store.pk})
    shipped_line = shipped.lines.get().pk
    first = shipment_create(
        p.admin, shipped.pk, values={"lines": [{"line": shipped_line, "quantity": "1"}], "documents": True}
    )
    bare = shipment_create(p.admin, shipped.pk, values={"lines": [{"line": shipped_line, "quantity": "1"}]})
    world.extra.update(
        wombat_product=brick,
        wombat_store=store,
        wombat_client=client,
        wombat_supplier=supplier,
        wombat_spare_deal=spare_deal,
        wombat_order=order,
        wombat_line=order.lines.get(),
        wombat_purchase=purchase,
        wombat_shipped=shipped,
        wombat_waybill=first.documents.get().document,
        wombat_bare_shipment=bare,
    )


def _order(w: World) -> dict[str, Any]:
    return {"order_id": w.wombat_order.pk}


def _stock(w: World) -> dict[str, Any]:
    return {"product_id": w.wombat_product.pk, "warehouse_id": w.wombat_store.pk, "quantity": "1"}


_ORDER = "/api/v1/orders/{order_id}"

API: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/stock/warehouses"): api_rule("catalog.view"),
    ("POST", "/api/v1/stock/warehouses"): api_rule("catalog.create", 201, data=lambda w: {"name": "Matrix store"}),
    ("GET", "/api/v1/stock/levels"): api_rule("catalog.view"),
    ("GET", "/api/v1/stock/movements"): api_rule("catalog.view"),
    ("POST", "/api/v1/stock/receipts"): api_rule("catalog.change", 201, data=_stock, foreign_data=422),
    ("GET", "/api/v1/stock/suppliers"): api_rule("catalog.view"),
    ("POST", "/api/v1/stock/suppliers"): api_rule(
        "catalog.create", 201, data=lambda w: {"client_id": w.wombat_client.pk}, foreign_data=422
    ),
    ("GET", "/api/v1/stock/purchase-requests"): api_rule("catalog.view"),
    ("POST", "/api/v1/stock/purchase-requests"): api_rule(
        "catalog.create", 201, data=lambda w: {**_stock(w), "supplier_id": w.wombat_supplier.pk}, foreign_data=422
    ),
    ("POST", "/api/v1/stock/purchase-requests/{request_id}/receive"): api_rule(
        "catalog.change",
        data=lambda w: {"complete_reservation": False},
        object_route=True,
        kwargs=lambda w: {"request_id": w.wombat_purchase.pk},
    ),
    ("GET", "/api/v1/orders"): api_rule("catalog.view"),
    ("POST", "/api/v1/orders"): api_rule(
        "catalog.create",
        201,
        data=lambda w: {
            "client_id": w.wombat_client.pk,
            "warehouse_id": w.wombat_store.pk,
            "lines": [{"product": w.wombat_product.pk, "quantity": "1", "price": "10"}],
        },
        foreign_data=422,
    ),
    ("POST", "/api/v1/orders/from-deal"): api_rule(
        "custom",
        201,
        data=lambda w: {"deal_id": w.wombat_spare_deal.pk, "warehouse_id": w.wombat_store.pk},
        expect=FROM_DEAL,
    ),
    ("GET", _ORDER): api_rule("custom", object_route=True, kwargs=_order, expect=SEES),
    ("GET", "/api/v1/clients/{client_id}/purchases"): api_rule(
        "custom", object_route=True, kwargs=lambda w: {"client_id": w.wombat_client.pk}, expect=SEES
    ),
    ("POST", _ORDER + "/cancel"): api_rule(
        "custom", data=lambda w: {"version": w.wombat_order.version}, object_route=True, kwargs=_order, expect=CANCELS
    ),
    ("POST", _ORDER + "/payments"): api_rule(
        "custom", 201, data=lambda w: {"amount": "5"}, object_route=True, kwargs=_order, expect=KEEPS
    ),
    ("POST", _ORDER + "/shipments/{shipment_id}/documents"): api_rule(
        "custom",
        201,
        data=lambda w: {},
        object_route=True,
        kwargs=lambda w: {"order_id": w.wombat_shipped.pk, "shipment_id": w.wombat_bare_shipment.pk},
        expect=KEEPS,
    ),
    ("GET", _ORDER + "/documents/{document_id}/pdf"): api_rule(
        "custom",
        object_route=True,
        kwargs=lambda w: {"order_id": w.wombat_shipped.pk, "document_id": w.wombat_waybill.pk},
        expect=SEES,
    ),
    ("POST", _ORDER + "/shipments"): api_rule(
        "custom",
        201,
        data=lambda w: {"lines": [{"line": w.wombat_line.pk, "quantity": "1"}]},
        object_route=True,
        kwargs=_order,
        expect=KEEPS,
    ),
}
