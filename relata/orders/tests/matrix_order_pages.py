"""Permission-matrix entries of the order pages (module "catalog").

They use the records matrix_orders.py puts in the world: manager 1's order "Wombat
order" of their won deal, the spare won deal without an order, the store with ten
bricks. The head of sales (team above North), the administrator and the read-only user
see the order; manager 2 (scope own) and workspace B get 404. Payments and shipments
need `catalog.change` (the administrator); cancelling needs that or the right to change
the order's deal (manager 1 and their head); an order from a won deal needs the right
to change the deal; a direct order needs `catalog.create`.
"""

from __future__ import annotations

from typing import Any

from relata.core.tests.matrix import Rule, World, form, page

SEES = {"admin": 200, "head": 200, "manager1": 200, "readonly": 200}  # manager2 and workspace B: 404
KEEP_POSTS = {"admin": 302, "head": 403, "manager1": 403, "readonly": 403}
CANCEL_POSTS = {"admin": 302, "head": 302, "manager1": 302, "readonly": 403}
FROM_DEAL = {"admin": 200, "head": 200, "manager1": 200, "readonly": 403}
FROM_DEAL_POSTS = {"admin": 302, "head": 302, "manager1": 302, "readonly": 403}


def _order(w: World) -> dict[str, Any]:
    return {"pk": w.wombat_order.pk}


def _spare_deal(w: World) -> dict[str, Any]:
    return {"deal_pk": w.wombat_spare_deal.pk}


def _order_post(data: Any, expect: dict[str, int]) -> Rule:
    return form("custom", data, object_route=True, kwargs=_order, expect=expect)


def _direct_order(w: World) -> dict[str, Any]:
    return {
        "client": w.wombat_client.pk,
        "warehouse": w.wombat_store.pk,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": w.wombat_product.pk,
        "lines-0-quantity": "1",
        "lines-0-price": "10",
    }


PAGES: dict[str, Rule] = {
    "orders:orders": page("catalog.view"),
    "orders:order_new": page("catalog.create"),
    "orders:order": page("custom", object_route=True, kwargs=_order, expect=SEES),
    "orders:order_pay": _order_post(lambda w: {"payment-amount": "5"}, KEEP_POSTS),
    "orders:order_ship": _order_post(lambda w: {f"shipment-line_{w.wombat_line.pk}": "1"}, KEEP_POSTS),
    "orders:order_cancel": _order_post(lambda w: {"cancel-version": w.wombat_order.version}, CANCEL_POSTS),
    "orders:order_from_deal": page("custom", object_route=True, kwargs=_spare_deal, expect=FROM_DEAL),
    "orders:shipment_documents": form(
        "custom",
        lambda w: {},
        object_route=True,
        kwargs=lambda w: {"pk": w.wombat_shipped.pk, "shipment_pk": w.wombat_bare_shipment.pk},
        expect=KEEP_POSTS,
    ),
    "orders:order_document": page(
        "custom",
        object_route=True,
        kwargs=lambda w: {"pk": w.wombat_shipped.pk, "document_pk": w.wombat_waybill.pk},
        expect=SEES,
    ),
}

PAGE_POSTS: dict[str, Rule] = {
    # Workspace A's client, store and product are no choice for workspace B's member.
    "orders:order_new": form("catalog.create", _direct_order, foreign_data=400),
    "orders:order_from_deal": form(
        "custom",
        lambda w: {"warehouse": w.wombat_store.pk},
        object_route=True,
        kwargs=_spare_deal,
        expect=FROM_DEAL_POSTS,
    ),
}
