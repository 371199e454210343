"""The order pages as members use them: the list, one order with its payments,
shipments and cancellation, a direct order, and the order of a won deal from the deal's
page. Every refused action shows the service's message and writes nothing."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from relata.core.models import Membership
from relata.orders.models import Order, OrderStatus, Payment, PurchaseRequest, Shipment
from relata.orders.services.orders import order_create_from_deal, payment_create, shipment_create
from relata.orders.tests.helpers import company, level, orders_state, product, receive, storekeeper, warehouse, won_deal

pytestmark = pytest.mark.django_db

D = Decimal


def as_member(member: Membership) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def text(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def shop(personas):
    admin = personas.admin
    brick = product(admin)
    main = warehouse(admin)
    receive(admin, brick, main, "5")
    return SimpleNamespace(brick=brick, main=main, client=company(personas.manager1))


def three_bricks(personas, shop) -> Any:
    return won_deal(personas.manager1, shop.client, [{"product": shop.brick.pk, "quantity": "3", "price": "100"}])


@pytest.fixture
def order(personas, shop) -> Order:
    """Manager 1's order of three bricks (300.00), all three reserved in Main (5 on hand)."""
    deal = three_bricks(personas, shop)
    return order_create_from_deal(personas.manager1, deal.pk, values={"warehouse": shop.main.pk})


def url(name: str, *args: Any) -> str:
    return reverse(f"orders:{name}", args=args)


# --- The list ---------------------------------------------------------------------


def test_list_says_when_there_are_no_orders(personas):
    response = as_member(personas.manager1).get(url("orders"))
    assert response.status_code == 200
    assert 'data-testid="empty-state"' in text(response) and "No orders yet." in text(response)
    assert 'data-nav="orders"' in text(response)


def test_list_shows_orders_and_filters_by_status_and_client(personas, shop, order):
    other_client = company(personas.admin, "Other Ltd")
    browser = as_member(personas.admin)
    page = text(browser.get(url("orders")))
    assert url("order", order.pk) in page and "Dvor Ltd" in page and "Bricks" in page and "300.00" in page
    assert "Reserved" in page
    assert "№ 1" in text(browser.get(url("orders"), {"status": "reserved", "client": shop.client.pk}))
    filtered = text(browser.get(url("orders"), {"status": "cancelled"}))
    assert url("order", order.pk) not in filtered and "No orders match these filters." in filtered
    assert url("order", order.pk) not in text(browser.get(url("orders"), {"client": other_client.pk}))


def test_the_client_filter_cannot_inject_script(personas):
    browser = as_member(personas.admin)
    page = text(browser.get(url("orders"), {"client": "');alert(1);('"}))
    assert "alert(1)" not in page
    page = text(browser.post(url("order_new"), {"client": "');alert(1);('", "lines-TOTAL_FORMS": "0"}))
    assert "');alert" not in page and "&#x27;);alert" not in page


def test_list_query_count_does_not_grow_with_the_orders(personas, shop, django_assert_max_num_queries):
    receive(personas.admin, shop.brick, shop.main, "100")
    for _index in range(6):
        deal = three_bricks(personas, shop)
        order_create_from_deal(personas.manager1, deal.pk, values={"warehouse": shop.main.pk})
    browser = as_member(personas.manager1)
    browser.get(url("orders"))  # sessions and caches warmed
    with django_assert_max_num_queries(12):
        response = browser.get(url("orders"))
    assert text(response).count('data-order="') == 6


def test_manager2_does_not_learn_that_the_order_exists(personas, order):
    browser = as_member(personas.manager2)
    assert url("order", order.pk) not in text(browser.get(url("orders")))
    assert browser.get(url("order", order.pk)).status_code == 404
    before = orders_state()
    assert browser.post(url("order_cancel", order.pk), {"cancel-version": order.version}).status_code == 404
    assert browser.post(url("order_pay", order.pk), {"payment-amount": "10"}).status_code == 404
    assert orders_state() == before


# --- One order --------------------------------------------------------------------


def test_order_page_shows_lines_totals_and_the_actions_each_member_may_take(personas, order):
    line = order.lines.get()
    page = text(as_member(personas.admin).get(url("order", order.pk)))
    assert "Order № 1" in page and "Dvor Ltd" in page and "Main" in page and "300.00" in page
    assert f'data-line="{line.pk}"' in page and "Reservation" in page  # the ledger's movement
    assert all(f'data-testid="{form}"' in page for form in ("payment-form", "shipment-form", "order-cancel-form"))
    assert f'name="shipment-line_{line.pk}"' in page and 'value="3"' in page  # ships what is reserved

    manager = text(as_member(personas.manager1).get(url("order", order.pk)))
    assert 'data-testid="order-cancel-form"' in manager  # the deal's manager may take it back
    assert 'data-testid="payment-form"' not in manager and 'data-testid="shipment-form"' not in manager

    reader = as_member(personas.readonly).get(url("order", order.pk))
    assert reader.status_code == 200
    assert '<form method="post" action="/orders/' not in text(reader)


def test_payment_is_recorded(personas, order):
    response = as_member(personas.admin).post(
        url("order_pay", order.pk), {"payment-amount": "120,50", "payment-date": "2025-01-15", "payment-note": "Bank"}
    )
    assert response.status_code == 302 and response["Location"] == url("order", order.pk)
    payment = Payment.objects.get()
    assert (payment.amount, str(payment.date), payment.note) == (D("120.50"), "2025-01-15", "Bank")
    order.refresh_from_db()
    assert order.paid_amount == D("120.50") and order.status == OrderStatus.RESERVED
    page = text(as_member(personas.admin).get(url("order", order.pk)))
    assert "179.50" in page and "Bank" in page  # still due, and the payments table
    assert "Paid in full on" not in page
    as_member(personas.admin).post(
        url("order_pay", order.pk), {"payment-amount": "179.50", "payment-date": "2025-01-20"}
    )
    page = text(as_member(personas.admin).get(url("order", order.pk)))
    assert "Paid in full on" in page and "01/20/2025" in page


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", "Enter an amount of zero or more."),
        ("0", "Enter an amount above zero."),
        ("300.01", "Only 300.00 RUB is owed on this order."),
        ("many", "Enter a number."),
        ("", "Enter an amount."),
    ],
)
def test_a_bad_payment_is_refused_next_to_its_form_and_writes_nothing(personas, order, amount, message):
    before = orders_state()
    response = as_member(personas.admin).post(url("order_pay", order.pk), {"payment-amount": amount})
    assert response.status_code == 400
    assert message in text(response)
    assert orders_state() == before


def test_a_payment_needs_catalog_change(personas, order):
    before = orders_state()
    assert as_member(personas.head).post(url("order_pay", order.pk), {"payment-amount": "10"}).status_code == 403
    assert orders_state() == before


def test_shipment_writes_the_goods_off(personas, shop, order):
    line = order.lines.get()
    response = as_member(personas.admin).post(
        url("order_ship", order.pk), {f"shipment-line_{line.pk}": "2", "shipment-note": "Truck 1"}
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.reserved, line.shipped) == (D(1), D(2))
    assert level(shop.brick, shop.main) == (D(3), D(1))
    page = text(as_member(personas.admin).get(url("order", order.pk)))
    assert "Truck 1" in page and "Shipment write-off" in page
    assert f'name="shipment-line_{line.pk}"' in page  # one more is still reserved


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("4", "Only 3 of “Silicate brick” is reserved for this order: ship at most that."),
        ("0", "Choose the lines to ship and their quantities."),
        ("-1", "Enter a quantity above zero."),
        ("1.0005", "Enter a quantity with at most three decimal places."),
    ],
)
def test_a_bad_shipment_is_refused_and_writes_nothing(personas, order, quantity, message):
    line = order.lines.get()
    before = orders_state()
    response = as_member(personas.admin).post(url("order_ship", order.pk), {f"shipment-line_{line.pk}": quantity})
    assert response.status_code == 400
    assert message in text(response)
    assert orders_state() == before


def test_cancel_releases_the_reservation(personas, shop, order):
    response = as_member(personas.manager1).post(url("order_cancel", order.pk), {"cancel-version": order.version})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert level(shop.brick, shop.main) == (D(5), D(0))
    page = text(as_member(personas.admin).get(url("order", order.pk)))
    assert "Release" in page and 'data-testid="order-cancel-form"' not in page
    assert 'data-testid="payment-form"' not in page and 'data-testid="shipment-form"' not in page


def test_a_shipped_order_cannot_be_cancelled(personas, order):
    shipment_create(personas.admin, order.pk, values={"lines": [{"line": order.lines.get().pk, "quantity": "1"}]})
    order.refresh_from_db()
    assert 'data-testid="order-cancel-form"' not in text(as_member(personas.admin).get(url("order", order.pk)))
    before = orders_state()
    response = as_member(personas.admin).post(url("order_cancel", order.pk), {"cancel-version": order.version})
    assert response.status_code == 400
    assert "Goods of this order have been shipped: it cannot be cancelled." in text(response)
    assert orders_state() == before


def test_a_stale_cancel_says_so_and_writes_nothing(personas, order):
    opened_version = order.version
    payment_create(personas.admin, order.pk, values={"amount": "10"})  # someone else, meanwhile
    before = orders_state()
    response = as_member(personas.manager1).post(url("order_cancel", order.pk), {"cancel-version": opened_version})
    assert response.status_code == 409
    assert "Someone changed this order after you opened it" in text(response)
    assert orders_state() == before
    order.refresh_from_db()
    assert f'name="cancel-version" value="{order.version}"' in text(response)  # a second try can succeed


def test_cancel_needs_the_right_to_change_the_order_or_its_deal(personas, order):
    before = orders_state()
    response = as_member(personas.readonly).post(url("order_cancel", order.pk), {"cancel-version": order.version})
    assert response.status_code == 403
    assert orders_state() == before


# --- A direct order ---------------------------------------------------------------


def direct(shop, **values: Any) -> dict[str, Any]:
    data = {
        "client": shop.client.pk,
        "warehouse": shop.main.pk,
        "lines-TOTAL_FORMS": "5",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": shop.brick.pk,
        "lines-0-quantity": "2",
        "lines-0-price": "100",
        "lines-0-discount": "10",
    }
    data.update(values)
    return data


def test_direct_order_is_created_and_reserved(personas, shop):
    keeper = storekeeper(personas.admin)
    browser = as_member(keeper)
    page = browser.get(url("order_new"))
    assert page.status_code == 200 and 'data-testid="order-form"' in text(page)
    response = browser.post(url("order_new"), direct(shop))
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == url("order", order.pk)
    assert (order.client_id, order.deal_id, order.total, order.owner_id) == (
        shop.client.pk,
        None,
        D("180.00"),
        keeper.user_id,
    )
    assert level(shop.brick, shop.main) == (D(5), D(2))


def test_direct_order_refuses_bad_input_naming_the_fields_and_writes_nothing(personas, shop):
    before = orders_state()
    response = as_member(personas.admin).post(
        url("order_new"), direct(shop, client="", **{"lines-0-quantity": "7", "lines-1-quantity": "1"})
    )
    assert response.status_code == 400
    page = text(response)
    assert "Choose a client of the client base." in page
    assert "Choose a product of the catalog." in page  # the second row has a quantity but no product
    assert orders_state() == before
    assert "Only 5 of “Silicate brick” is available in Main, 7 needed" in text(
        as_member(personas.admin).post(url("order_new"), direct(shop, **{"lines-0-quantity": "7"}))
    )
    assert orders_state() == before


def test_direct_order_with_a_shortage_asks_a_supplier(personas, shop):
    response = as_member(personas.admin).post(
        url("order_new"), direct(shop, shortage="on", **{"lines-0-quantity": "7"})
    )
    assert response.status_code == 302
    line = Order.objects.get().lines.get()
    assert (line.quantity, line.reserved) == (D(7), D(5))
    assert PurchaseRequest.objects.get().quantity == D(2)


def test_direct_order_needs_catalog_create(personas):
    assert as_member(personas.manager1).get(url("order_new")).status_code == 403


# --- The order of a won deal ------------------------------------------------------


def test_deal_page_panel_makes_the_order_of_a_won_deal(personas, shop):
    deal = three_bricks(personas, shop)
    browser = as_member(personas.manager1)
    page = text(browser.get(reverse("sales:deal", args=[deal.pk])))
    assert 'data-testid="deal-orders"' in page and 'data-testid="deal-order-form"' in page
    response = browser.post(url("order_from_deal", deal.pk), {"warehouse": shop.main.pk})
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == url("order", order.pk)
    assert order.deal_id == deal.pk and level(shop.brick, shop.main) == (D(5), D(3))
    page = text(browser.get(reverse("sales:deal", args=[deal.pk])))
    assert url("order", order.pk) in page and 'data-testid="deal-order-form"' not in page


def test_short_stock_without_a_recorded_shortage_is_explained_and_writes_nothing(personas, shop):
    deal = won_deal(personas.manager1, shop.client, [{"product": shop.brick.pk, "quantity": "7", "price": "100"}])
    browser = as_member(personas.manager1)
    before = orders_state()
    response = browser.post(url("order_from_deal", deal.pk), {"warehouse": shop.main.pk})
    assert response.status_code == 400
    assert "Only 5 of “Silicate brick” is available in Main, 7 needed" in text(response)
    assert 'data-testid="order-from-deal-form"' in text(response)  # the choice again, with the shortage box
    assert orders_state() == before
    response = browser.post(url("order_from_deal", deal.pk), {"warehouse": shop.main.pk, "shortage": "on"})
    assert response.status_code == 302
    assert PurchaseRequest.objects.get().quantity == D(2)


def test_the_panel_offers_no_order_to_who_may_not_make_one(personas, shop, order):
    deal = order.deal
    page = text(as_member(personas.readonly).get(reverse("sales:deal", args=[deal.pk])))
    assert url("order", order.pk) in page and 'data-testid="deal-order-form"' not in page
    spare = three_bricks(personas, shop)
    before = orders_state()
    assert (
        as_member(personas.readonly).post(url("order_from_deal", spare.pk), {"warehouse": shop.main.pk}).status_code
        == 403
    )
    assert orders_state() == before


def test_an_open_deal_has_no_order_yet(personas, shop):
    from relata.sales.models import Pipeline
    from relata.sales.services.deals import deal_create

    pipeline = Pipeline.objects.filter(workspace_id=personas.admin.workspace_id).first()
    deal = deal_create(personas.manager1, values={"title": "Open", "pipeline": pipeline.pk, "client": shop.client.pk})
    page = text(as_member(personas.manager1).get(reverse("sales:deal", args=[deal.pk])))
    assert "Once the deal is won, its order is made here." in page and 'data-testid="deal-order-form"' not in page
    response = as_member(personas.manager1).post(url("order_from_deal", deal.pk), {"warehouse": shop.main.pk})
    assert response.status_code == 400 and "Only a won deal becomes an order." in text(response)
    assert not Order.objects.exists() and not Shipment.objects.exists()
