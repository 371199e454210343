"""Permission-matrix entries of the storekeeper's pages (module "catalog").

They act on the records matrix_orders.py puts in the world (the Wombat store, brick,
supplier, purchase request and manager 1's order). Reading needs `catalog.view` (every
persona of workspace A has it; workspace B's administrator sees its own, empty, stock);
receipts, adjustments and receiving a purchase request need `catalog.change`, new
warehouses, suppliers and purchase requests `catalog.create` (the administrator only).
Posted ids of workspace A are unknown to workspace B: a field error (400), nothing written.
"""

from __future__ import annotations

from typing import Any

from relata.core.tests.matrix import Rule, World, form, page


def _stock(w: World, quantity: str = "1") -> dict[str, Any]:
    return {"product": w.wombat_product.pk, "warehouse": w.wombat_store.pk, "quantity": quantity}


def _purchase(w: World) -> dict[str, Any]:
    return {"pk": w.wombat_purchase.pk}


PAGES: dict[str, Rule] = {
    "orders:stock": page("catalog.view"),
    "orders:movements": page("catalog.view"),
    "orders:stock_receive": page("catalog.change"),
    "orders:stock_adjust": page("catalog.change"),
    "orders:warehouses": page("catalog.view"),
    "orders:warehouse_create": page("catalog.create"),
    "orders:suppliers": page("catalog.view"),
    "orders:supplier_add": page("catalog.create"),
    "orders:purchase_requests": page("catalog.view"),
    "orders:purchase_request_create": page("catalog.create"),
    "orders:purchase_request_receive": page("catalog.change", object_route=True, kwargs=_purchase),
    "orders:to_ship": page("catalog.view"),
}

PAGE_POSTS: dict[str, Rule] = {
    "orders:stock_receive": form("catalog.change", _stock, foreign_data=400),
    "orders:stock_adjust": form("catalog.change", lambda w: _stock(w, "-1"), foreign_data=400),
    "orders:warehouse_create": form("catalog.create", lambda w: {"name": "Matrix store", "is_active": "on"}),
    "orders:supplier_add": form("catalog.create", lambda w: {"client": w.wombat_client.pk}, foreign_data=400),
    "orders:purchase_request_create": form(
        "catalog.create", lambda w: {**_stock(w, "5"), "supplier": w.wombat_supplier.pk}, foreign_data=400
    ),
    "orders:purchase_request_receive": form(
        "catalog.change", lambda w: {"complete_reservation": "on"}, object_route=True, kwargs=_purchase
    ),
}
