"""The loyalty API as a program uses it: programmes and tiers, issuing a card, its balance,
ledger and purchases, spending and adjusting; errors in the one JSON shape."""

from __future__ import annotations

import pytest

from relata.loyalty.tests.helpers import Shop, company, loyalty_state

pytestmark = pytest.mark.django_db

BASE = "/api/v1/loyalty"


def test_a_programme_a_card_and_points_through_the_api(personas, api_as):
    admin = api_as(personas.admin)
    made = admin.post(
        f"{BASE}/programmes",
        {"name": "Bonus", "earn_rate": "5", "point_value": "1", "max_share": "30", "lifetime_days": 365},
    )
    assert made.status_code == 201, made.json()
    programme = made.json()
    assert (programme["currency"], programme["tiers"]) == ("RUB", [])
    tier = admin.post(f"{BASE}/programmes/{programme['id']}/tiers", {"name": "Gold", "threshold": "0"})
    assert tier.status_code == 201
    assert admin.get(f"{BASE}/programmes/{programme['id']}/tiers").json()[0]["name"] == "Gold"

    holder = company(personas.manager1, "Dvor Ltd")
    issued = admin.post(f"{BASE}/cards", {"programme_id": programme["id"], "holder_id": holder.pk, "number": "1001"})
    assert issued.status_code == 201, issued.json()
    card = issued.json()
    assert (card["holder_name"], card["tier_name"], card["balance"]) == ("Dvor Ltd", "Gold", 0)

    shop = Shop(personas.admin)
    shop.pay(shop.order(holder, "1000"))
    open_order = shop.order(holder, "1000")
    assert admin.get(f"{BASE}/cards/{card['id']}").json()["balance"] == 50

    spent = admin.post(f"{BASE}/cards/{card['id']}/spend", {"order_id": open_order.pk, "points": 20})
    assert spent.status_code == 201, spent.json()
    assert (spent.json()["points"], spent.json()["amount"]) == (-20, "20.00")
    adjusted = admin.post(f"{BASE}/cards/{card['id']}/adjust", {"points": "-5", "note": "Correction"})
    assert adjusted.status_code == 201

    ledger = admin.get(f"{BASE}/cards/{card['id']}/ledger").json()
    assert [(e["kind"], e["points"]) for e in ledger["items"]] == [("adjusted", -5), ("spent", -20), ("earned", 50)]
    purchases = admin.get(f"{BASE}/cards/{card['id']}/purchases").json()["items"]
    assert [(p["points_earned"], p["points_spent"], p["discount"]) for p in purchases] == [
        (0, 20, "20.00"),
        (50, 0, None),
    ]
    found = admin.get(f"{BASE}/cards", {"number": "100"}).json()
    assert [c["number"] for c in found["items"]] == ["1001"]
    assert admin.get(f"{BASE}/cards", {"holder_id": holder.pk + 1000}).json()["count"] == 0
    assert admin.get(f"{BASE}/cards/{card['id']}").json()["balance"] == 25


def test_api_errors_name_the_field_and_write_nothing(personas, api_as):
    admin = api_as(personas.admin)
    programme = admin.post(
        f"{BASE}/programmes", {"name": "Bonus", "earn_rate": "5", "point_value": "1", "max_share": "30"}
    ).json()
    holder = company(personas.admin, "Dvor Ltd")
    card = admin.post(
        f"{BASE}/cards", {"programme_id": programme["id"], "holder_id": holder.pk, "number": "1001"}
    ).json()
    order = Shop(personas.admin).order(holder, "1000")
    before = loyalty_state()
    refused = admin.post(f"{BASE}/cards/{card['id']}/spend", {"order_id": order.pk, "points": 10})
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"] == {"points": ["The card has only 0 points."]}
    again = admin.post(f"{BASE}/cards", {"programme_id": programme["id"], "holder_id": holder.pk, "number": "1001"})
    assert again.json()["error"]["fields"] == {"number": ["A card with this number exists already."]}
    zero = admin.post(f"{BASE}/cards/{card['id']}/adjust", {"points": 0, "note": "x"})
    assert zero.json()["error"]["fields"] == {"points": ["Enter a number of points other than zero."]}
    assert loyalty_state() == before


def test_a_manager_sees_only_the_cards_of_their_clients(personas, api_as):
    admin = api_as(personas.admin)
    programme = admin.post(
        f"{BASE}/programmes", {"name": "Bonus", "earn_rate": "5", "point_value": "1", "max_share": "30"}
    ).json()
    mine = company(personas.manager1, "Mine Ltd")
    theirs = company(personas.manager2, "Theirs Ltd")
    for number, holder in (("A-1", mine), ("B-1", theirs)):
        admin.post(f"{BASE}/cards", {"programme_id": programme["id"], "holder_id": holder.pk, "number": number})
    manager = api_as(personas.manager1)
    assert [c["number"] for c in manager.get(f"{BASE}/cards").json()["items"]] == ["A-1"]
    hidden = admin.get(f"{BASE}/cards", {"number": "B-1"}).json()["items"][0]["id"]
    assert manager.get(f"{BASE}/cards/{hidden}").status_code == 404


def test_programmes_tiers_and_cards_are_changed_through_the_api(personas, api_as):
    admin = api_as(personas.admin)
    programme = admin.post(
        f"{BASE}/programmes", {"name": "Bonus", "earn_rate": "5", "point_value": "1", "max_share": "30"}
    ).json()
    tier = admin.post(f"{BASE}/programmes/{programme['id']}/tiers", {"name": "Gold", "threshold": "0"}).json()
    changed = admin.patch(f"{BASE}/programmes/{programme['id']}", {"version": programme["version"], "earn_rate": "7"})
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["earn_rate"], changed.json()["name"], changed.json()["max_share"]) == (
        "7.00",
        "Bonus",
        "30.00",
    )
    stale = admin.patch(f"{BASE}/programmes/{programme['id']}", {"version": programme["version"], "name": "Other"})
    assert stale.status_code == 409
    tiered = admin.patch(f"{BASE}/tiers/{tier['id']}", {"version": tier["version"], "discount": "5"})
    assert tiered.status_code == 200, tiered.json()
    assert (tiered.json()["discount"], tiered.json()["name"]) == ("5.00", "Gold")
    before = loyalty_state()
    bad = admin.patch(f"{BASE}/tiers/{tier['id']}", {"version": tiered.json()["version"], "discount": "120"})
    assert bad.status_code == 422 and "discount" in bad.json()["error"]["fields"]
    assert loyalty_state() == before

    holder = company(personas.admin, "Dvor Ltd")
    card = admin.post(f"{BASE}/cards", {"programme_id": programme["id"], "holder_id": holder.pk, "number": "1"}).json()
    blocked = admin.post(f"{BASE}/cards/{card['id']}/block", {"blocked": True, "note": "Lost"})
    assert blocked.status_code == 200 and blocked.json()["is_blocked"] is True
    assert admin.post(f"{BASE}/cards/{card['id']}/block", {"blocked": False}).json()["is_blocked"] is False
    assert (
        api_as(personas.manager1).patch(f"{BASE}/tiers/{tier['id']}", {"version": 2, "discount": "1"}).status_code
        == 403
    )
