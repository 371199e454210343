"""The loyalty pages: programmes and tiers, issuing a card from the client's page, the
card's page with balance, tier, ledger and purchases; forms show the services' errors."""

from __future__ import annotations

import pytest
from django.urls import reverse

from relata.loyalty.models import Card
from relata.loyalty.tests.helpers import Shop, card, company, loyalty_state, programme, tier

pytestmark = pytest.mark.django_db


def test_programme_pages_and_a_tier(personas, client_as):
    browser = client_as(personas.admin)
    response = browser.post(
        reverse("loyalty:programme_new"),
        {
            "name": "Bonus",
            "currency": "RUB",
            "earn_rate": "5",
            "point_value": "1",
            "max_share": "30",
            "lifetime_days": "365",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    page = browser.get(response["Location"])
    assert "Bonus" in page.content.decode()
    club = page.context["programme"]
    added = browser.post(reverse("loyalty:tier_new", args=[club.pk]), {"name": "Gold", "threshold": "1000"})
    assert added.status_code == 302
    before = loyalty_state()
    repeated = browser.post(reverse("loyalty:tier_new", args=[club.pk]), {"name": "Gold 2", "threshold": "1000"})
    assert repeated.status_code == 400
    assert "Another tier of this programme has this threshold." in repeated.content.decode()
    assert loyalty_state() == before
    listing = browser.get(reverse("loyalty:programmes")).content.decode()
    assert "Bonus" in listing and "Gold" in listing


def test_issue_a_card_from_the_client_and_see_it_on_the_client_page(personas, client_as):
    admin = personas.admin
    club = programme(admin)
    tier(admin, club, "Silver", "0")
    holder = company(personas.manager1, "Dvor Ltd")
    browser = client_as(admin)
    client_page = browser.get(reverse("clients:detail", args=[holder.pk])).content.decode()
    assert "Loyalty cards" in client_page and f"?holder={holder.pk}" in client_page
    form = browser.get(reverse("loyalty:card_new") + f"?holder={holder.pk}")
    assert form.status_code == 200 and "Dvor Ltd" in form.content.decode()
    issued = browser.post(reverse("loyalty:card_new"), {"programme": club.pk, "holder": holder.pk, "number": "1001"})
    assert issued.status_code == 302
    card_ = Card.objects.get(number="1001")
    assert issued["Location"] == reverse("loyalty:card", args=[card_.pk])
    before = loyalty_state()
    again = browser.post(reverse("loyalty:card_new"), {"programme": club.pk, "holder": holder.pk, "number": "1001"})
    assert again.status_code == 400 and "A card with this number exists already." in again.content.decode()
    assert loyalty_state() == before
    panel = client_as(personas.manager1).get(reverse("clients:detail", args=[holder.pk])).content.decode()
    assert "1001" in panel and "Silver" in panel and "Issue a card" not in panel


def test_the_card_page_spends_and_adjusts_points(personas, client_as):
    admin = personas.admin
    club = programme(admin)
    holder = company(admin, "Dvor Ltd")
    card_ = card(admin, club, holder)
    shop = Shop(admin)
    shop.pay(shop.order(holder, "1000"))
    open_order = shop.order(holder, "1000")
    browser = client_as(admin)
    page = browser.get(reverse("loyalty:card", args=[card_.pk])).content.decode()
    assert 'data-testid="card-balance">50<' in page and f"№ {open_order.number}" in page
    before = loyalty_state()
    refused = browser.post(reverse("loyalty:card_spend", args=[card_.pk]), {"order": open_order.pk, "points": "60"})
    assert refused.status_code == 400 and "The card has only 50 points." in refused.content.decode()
    refused = browser.post(reverse("loyalty:card_adjust", args=[card_.pk]), {"points": "0", "note": "x"})
    assert refused.status_code == 400 and "Enter a number of points other than zero." in refused.content.decode()
    assert loyalty_state() == before
    spent = browser.post(reverse("loyalty:card_spend", args=[card_.pk]), {"order": open_order.pk, "points": "30"})
    assert spent.status_code == 302
    adjusted = browser.post(reverse("loyalty:card_adjust", args=[card_.pk]), {"points": "5", "note": "Gift"})
    assert adjusted.status_code == 302
    page = browser.get(reverse("loyalty:card", args=[card_.pk])).content.decode()
    assert 'data-testid="card-balance">25<' in page and "Gift" in page
    blocked = browser.post(reverse("loyalty:card_block", args=[card_.pk]), {"blocked": "on"})
    assert blocked.status_code == 302
    card_.refresh_from_db()
    assert card_.is_blocked
    listing = browser.get(reverse("loyalty:cards"), {"q": "100"}).content.decode()
    assert "1001" in listing
