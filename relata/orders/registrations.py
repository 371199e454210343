"""What the orders app adds to the platform's registries (imported from ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from relata.clients.relations import merge_unique_links, register_client_relation
from relata.core.audit import register_event_kinds
from relata.core.timeline import register_timeline_source
from relata.orders.models import Order, PurchaseRequest, Supplier
from relata.orders.selectors.history import client_purchases_panel
from relata.orders.selectors.orders import deal_orders_panel
from relata.orders.selectors.timeline import ClientOrders, ClientPayments, ClientShipments
from relata.web.navigation import NavItem, register_nav
from relata.web.panels import Panel, register_panel

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
        "order.documents_issued": _("Waybill and act of a shipment issued"),
        "purchase_request.created": _("Purchase request created"),
        "purchase_request.received": _("Purchase request received"),
    }
)

# A client's orders, payments and shipments on its timeline; its purchases on its card.
register_timeline_source("clients.client", ClientOrders())
register_timeline_source("clients.client", ClientPayments())
register_timeline_source("clients.client", ClientShipments())
register_panel(
    "clients.client",
    Panel(
        "orders.purchases", "orders/_client_purchases.html", client_purchases_panel, "catalog", column="side", order=6
    ),
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

# The order pages: the list in the navigation, and the deal page's "Orders" panel.
register_nav(NavItem("orders", _("Orders"), "orders:orders", "catalog", icon="receipt", order=38))
register_panel(
    "sales.deal",
    Panel("orders.deal", "orders/orders/_deal_orders.html", deal_orders_panel, "catalog", column="main", order=20),
)
# The storekeeper's section (stock, movements, purchase requests, warehouses, suppliers).
register_nav(NavItem("stock", _("Stock"), "orders:stock", "catalog", icon="boxes", order=39))

from relata.orders import demo as _demo  # noqa: E402, F401  (registers the demo step)
