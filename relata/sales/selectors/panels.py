"""What the sales app shows on a client's card."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q

from relata.core.models import Membership
from relata.sales.models import DealStatus
from relata.sales.selectors.deals import deals_visible_to


def client_deals_panel(actor: Membership, client: Model) -> dict[str, Any]:
    """The client's deals (and those where the person is a contact), open ones first."""
    deals = deals_visible_to(actor).filter(Q(client_id=client.pk) | Q(contact_links__person_id=client.pk)).distinct()
    shown = deals.order_by("status", "-created_at")[:10]  # "open" sorts before "won"/"lost"
    return {
        "client": client,
        "deals": list(shown),
        "open": deals.filter(status=DealStatus.OPEN).count(),
        "can_create": actor.can("sales", "create"),
    }
