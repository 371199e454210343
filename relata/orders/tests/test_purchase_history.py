"""A client's purchase history (its card, its timeline and the API): what it bought,
across its orders, within the viewer's scope; cancelled orders are not purchases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from relata.core.models import Membership
from relata.orders.services.orders import (
    order_cancel,
    order_create,
    order_create_from_deal,
    payment_create,
    shipment_create,
)
from relata.orders.tests.helpers import company, product, receive, storekeeper, warehouse, won_deal

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def bought(personas):
    """Dvor Ltd (manager 1's client) bought bricks twice and sand once; a third order
    (cement) was cancelled."""
    admin = personas.admin
    brick, sand, cement = product(admin, "Silicate brick"), product(admin, "River sand"), product(admin, "Cement M500")
    main = warehouse(admin)
    for item in (brick, sand, cement):
        receive(admin, item, main, "100")
    client = company(personas.manager1, "Dvor Ltd")
    deal = won_deal(
        personas.manager1,
        client,
        [{"product": brick.pk, "quantity": "3", "price": "1000"}, {"product": sand.pk, "quantity": "2", "price": "50"}],
    )
    first = order_create_from_deal(personas.manager1, deal.pk, values={"warehouse": main.pk})
    payment_create(admin, first.pk, values={"amount": "3100", "date": "2026-11-02"})
    shipment_create(admin, first.pk, values={"lines": [{"line": first.lines.get(product=brick).pk, "quantity": "3"}]})
    keeper = storekeeper(admin)
    second = order_create(
        keeper,
        values={
            "client": client.pk,
            "warehouse": main.pk,
            "lines": [{"product": brick.pk, "quantity": "1", "price": "1100"}],
        },
    )
    third = order_create(
        keeper,
        values={
            "client": client.pk,
            "warehouse": main.pk,
            "lines": [{"product": cement.pk, "quantity": "5", "price": "9"}],
        },
    )
    order_cancel(keeper, third.pk, version=third.version)
    return client, first, second


def test_the_history_sums_what_the_client_bought(personas, api_as, bought):
    client, first, second = bought
    response = api_as(personas.admin).get(f"/api/v1/clients/{client.pk}/purchases")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["orders_count"] == 2
    assert data["revenue"] == [{"currency": first.currency, "amount": "4200.00"}]
    assert data["paid"] == [{"currency": first.currency, "amount": "3100.00"}]
    assert [(p["name"], D(p["quantity"]), D(p["amount"]), p["orders"]) for p in data["products"]] == [
        ("Silicate brick", D(4), D("4100.00"), 2),
        ("River sand", D(2), D("100.00"), 1),
    ]
    assert [o["number"] for o in data["recent_orders"]] == [second.number, first.number]


def test_the_history_keeps_to_the_viewers_scope(personas, api_as, bought):
    client, _first, _second = bought
    # The head of sales sees the team's order, not the storekeeper's direct one.
    data = api_as(personas.head).get(f"/api/v1/clients/{client.pk}/purchases").json()
    assert data["orders_count"] == 1 and data["revenue"][0]["amount"] == "3100.00"
    # Manager 2 (scope own) may not see manager 1's client: not found, not "empty".
    assert api_as(personas.manager2).get(f"/api/v1/clients/{client.pk}/purchases").status_code == 404
    assert api_as(personas.other).get(f"/api/v1/clients/{client.pk}/purchases").status_code == 404
    assert api_as(None).get(f"/api/v1/clients/{client.pk}/purchases").status_code == 401
    assert api_as(personas.manager1).get("/api/v1/clients/999999/purchases").status_code == 404


def test_a_client_without_orders_has_an_empty_history(personas, api_as):
    client = company(personas.manager1, "Nobody Ltd")
    data = api_as(personas.manager1).get(f"/api/v1/clients/{client.pk}/purchases").json()
    assert data["orders_count"] == 0 and data["products"] == [] and data["revenue"] == []
    assert data["first_order_at"] is None


def test_the_card_shows_the_purchases_and_the_timeline_the_orders(personas, client_as, bought):
    client, first, second = bought
    page = client_as(personas.admin).get(reverse("clients:detail", args=[client.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="client-purchases"' in html
    assert "Silicate brick" in html and "River sand" in html
    assert "Cement M500" not in html.split('data-testid="client-purchases"')[1].split("</table>")[0]
    # The timeline: both orders, the payment and the shipment of the first.
    assert f'data-order="{first.pk}"' in html and f'data-order="{second.pk}"' in html
    assert 'data-payment="' in html and 'data-shipment="' in html
    assert reverse("orders:order", args=[first.pk]) in html


def test_the_storekeeper_sees_the_orders_but_not_the_deals_behind_them(personas, client_as, bought):
    """Issue 6: the storekeeper's role reads orders and stock, not the clients' deals."""
    client, first, _second = bought
    keeper = Membership.objects.get(workspace=personas.admin.workspace, user__email="store@alpha.test")
    browser = client_as(keeper)
    deal_url = reverse("sales:deal", args=[first.deal_id])
    for url in (
        reverse("orders:order", args=[first.pk]),
        reverse("orders:orders"),
        reverse("clients:detail", args=[client.pk]),
    ):
        page = browser.get(url)
        assert page.status_code == 200, url
        assert deal_url not in page.content.decode(), url
    assert "from a deal" in browser.get(reverse("orders:order", args=[first.pk])).content.decode()
    # The manager who won it does get the link.
    assert deal_url in client_as(personas.manager1).get(reverse("orders:order", args=[first.pk])).content.decode()
