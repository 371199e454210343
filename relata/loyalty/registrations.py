"""What the loyalty app adds to the platform's registries (imported from ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from relata.clients.relations import register_client_relation
from relata.core.audit import register_event_kinds
from relata.loyalty.models import Card
from relata.loyalty.selectors.loyalty import client_cards_panel
from relata.loyalty.services.points import points_earn_for_order, points_reverse_for_order, tier_discount
from relata.orders.hooks import register_default_discount, register_order_cancelled, register_order_paid
from relata.web.navigation import NavItem, register_nav
from relata.web.panels import Panel, register_panel

register_event_kinds(
    {
        "loyalty.programme_created": _("Loyalty programme created"),
        "loyalty.programme_changed": _("Loyalty programme changed"),
        "loyalty.tier_created": _("Loyalty tier created"),
        "loyalty.tier_changed": _("Loyalty tier changed"),
        "loyalty.card_issued": _("Loyalty card issued"),
        "loyalty.card_blocked": _("Loyalty card blocked"),
        "loyalty.card_unblocked": _("Loyalty card unblocked"),
        "loyalty.points_earned": _("Loyalty points earned"),
        "loyalty.points_spent": _("Loyalty points spent"),
        "loyalty.points_adjusted": _("Loyalty points adjusted"),
        "loyalty.points_expired": _("Loyalty points expired"),
        "loyalty.tier_reached": _("Loyalty card moved to another tier"),
        "loyalty.points_reversed": _("Loyalty points of a cancelled order reversed"),
    }
)

# Points are earned when an order is paid in full (relata/orders/hooks.py).
register_order_paid(points_earn_for_order)
# A cancelled order gives back the points spent on it and takes back those it earned.
register_order_cancelled(points_reverse_for_order)
# A direct order's lines without a discount get the discount of the client's card tier.
register_default_discount(tier_discount)

# A card follows a merge of its holder into the surviving client (numbers stay unique).
register_client_relation(Card, "holder", label=_("Loyalty cards"))

register_nav(NavItem("loyalty", _("Loyalty"), "loyalty:cards", "loyalty", icon="award", order=65))
register_panel(
    "clients.client",
    Panel("loyalty.cards", "loyalty/_client_cards.html", client_cards_panel, "loyalty", column="side", order=7),
)
from relata.loyalty import demo as _demo  # noqa: E402, F401  (registers the demo step)
