"""What the orders app adds to the platform's registries (imported from ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from relata.clients.relations import merge_unique_links, register_client_relation
from relata.core.audit import register_event_kinds
from relata.orders.models import Order, PurchaseRequest, Supplier
from relata.web.navigation import NavItem, register_nav

register_event_kinds(
    {
        "warehouse.created": _("Warehouse created"),
        "stock.received": _("Goods received into a warehouse"),
        "stock.adjusted": _("Stock adjusted"),
        "supplier.added": _("Company registered as a supplier"),
        "order.created": _("Order created"),
        "order.cancelled": _("Order cancelled"),
        "order.paid": _("Payment of an order recorded"),
        "order.shipped": _("Goods of an order shipped"),
        "purchase_request.created": _("Purchase request created"),
        "purchase_request.received": _("Purchase request received"),
    }
)

# Orders and purchase requests follow a merge of their client into the surviving one.
register_client_relation(Order, "client", label=_("Orders"))
register_client_relation(PurchaseRequest, "supplier", label=_("Purchase requests"))
# A company registered as a supplier once: merging two suppliers keeps one registration.
register_client_relation(
    Supplier,
    "client",
    merge=merge_unique_links(Supplier, "workspace_id", "client"),
    label=_("Supplier registrations"),
)

# The storekeeper's section (stock, movements, purchase requests, warehouses, suppliers).
register_nav(NavItem("stock", _("Stock"), "orders:stock", "catalog", icon="boxes", order=39))
