"""The demo workspace's loyalty programme (relata.loyalty.demo): private buyers hold cards
whose balances are what their paid orders earned, some have climbed a tier, and running
the step again changes nothing."""

from __future__ import annotations

import pytest
from django.db.models import Sum
from django.urls import reverse

from relata.core.demo import create_demo_workspace
from relata.core.models import Membership
from relata.loyalty import demo
from relata.loyalty.models import Card, PointsEntry, Programme
from relata.orders import demo as orders_demo

pytestmark = pytest.mark.django_db


def test_cards_for_private_buyers_with_the_points_they_earned(client):
    workspace = create_demo_workspace()
    assert orders_demo.ORDER < demo.ORDER
    programme = Programme.objects.get(workspace=workspace)
    cards = Card.objects.filter(programme=programme).select_related("holder", "tier")
    assert cards.count() >= 30
    assert all(card.holder.is_person for card in cards)
    for card in cards:
        ledger = PointsEntry.objects.filter(card=card).aggregate(s=Sum("points"))["s"] or 0
        assert card.balance == ledger
    assert cards.filter(balance__gt=0).count() >= 20
    assert cards.exclude(tier__name="Базовый").exists(), "someone has climbed a tier"
    entries = PointsEntry.objects.count()
    demo.loyalty_demo(workspace)
    assert PointsEntry.objects.count() == entries and Card.objects.count() == cards.count()
    # The client's page shows the card (as the administrator sees it).
    card = cards.filter(balance__gt=0).order_by("pk").first()
    admin = Membership.objects.get(workspace=workspace, role__key="administrator")
    client.force_login(admin.user)
    page = client.get(reverse("clients:detail", args=[card.holder_id]))
    assert page.status_code == 200 and card.number in page.content.decode()
