"""The storekeeper's pages: stock by warehouse, the movements ledger, receipts and
adjustments, warehouses, suppliers, purchase requests (received with the reservation of
the waiting order) and the orders to ship; every refusal shown on the form with nothing
written, and the forms closed to those without the permission."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import Personas
from relata.core.models import Event
from relata.orders.models import Order, PurchaseRequest, PurchaseStatus, StockMovement, Supplier, Warehouse
from relata.orders.services.orders import order_cancel, order_create_from_deal, shipment_create
from relata.orders.services.stock import purchase_request_create, stock_adjust, supplier_add
from relata.orders.tests.helpers import (
    company,
    level,
    orders_state,
    product,
    receive,
    storekeeper,
    warehouse,
    won_deal,
)

pytestmark = pytest.mark.django_db

D = Decimal
Client = Any


def page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return str(response.content.decode())


def post(client: Client, url: str, data: dict[str, Any], status: int) -> str:
    response = client.post(url, data)
    assert response.status_code == status, (url, response.content.decode()[:3000])
    return str(response.content.decode())


@pytest.fixture
def shop(personas: Personas) -> dict[str, Any]:
    """Two warehouses; silicate brick (2 wagons in Main), sand (none), a service."""
    admin = personas.admin
    brick = product(admin, "Кирпич силикатный", sku="KS-1")
    sand = product(admin, "Sand", sku="SND")
    delivery = product(admin, "Delivery", kind="service", unit="hour")
    main = warehouse(admin)
    north = warehouse(admin, "North yard")
    receive(admin, brick, main, "2")
    receive(admin, sand, north, "7.5")
    return {
        "keeper": storekeeper(admin),
        "brick": brick,
        "sand": sand,
        "delivery": delivery,
        "main": main,
        "north": north,
    }


def _shortage_order(personas: Personas, shop: dict[str, Any], quantity: str = "3") -> Order:
    """Manager 1's order of bricks from a won deal, reserved with a shortage."""
    client = company(personas.manager1, "Dvor Ltd")
    lines = [{"product": shop["brick"].pk, "quantity": quantity, "price": "100"}]
    deal = won_deal(personas.manager1, client, lines)
    return order_create_from_deal(personas.manager1, deal.pk, values={"warehouse": shop["main"].pk, "shortage": True})


# --- Navigation and the stock page --------------------------------------------------------


def test_stock_is_in_the_navigation_of_those_who_read_the_catalog(personas, shop, client_as):
    assert 'data-nav="stock"' in page(client_as(shop["keeper"]), "/")
    assert 'data-nav="stock"' in page(client_as(personas.manager1), "/")
    role = personas.readonly.role
    role.permissions = [p for p in role.permissions if p != "catalog.view"]
    role.save()
    assert 'data-nav="stock"' not in page(client_as(personas.readonly), "/")
    assert client_as(personas.readonly).get("/orders/stock/").status_code == 403


def test_the_stock_page_lists_levels_filters_and_highlights_what_is_not_available(personas, shop, client_as):
    brick, sand, main, north = shop["brick"], shop["sand"], shop["main"], shop["north"]
    _shortage_order(personas, shop)  # 3 ordered, 2 reserved: nothing of the brick is available
    client = client_as(personas.readonly)
    listing = page(client, "/orders/stock/")
    assert listing.count('data-testid="stock-row"') == 2
    assert "Кирпич силикатный" in listing and "Sand" in listing and "Delivery" not in listing
    assert listing.count('data-short="1"') == 1  # the brick's row: 2 on hand, 2 reserved
    assert f"/orders/stock/movements/?product={brick.pk}&amp;warehouse={main.pk}" in listing
    assert "Receive goods" not in listing  # a reader cannot receive

    by_warehouse = page(client, f"/orders/stock/?warehouse={north.pk}")
    assert "Sand" in by_warehouse and "Кирпич" not in by_warehouse
    by_name = page(client, "/orders/stock/?q=КИРПИЧ")  # any case, Cyrillic too (SQLite)
    assert "Кирпич силикатный" in by_name and "Sand" not in by_name
    assert "Sand" in page(client, "/orders/stock/?q=snd")  # the SKU
    assert "No stock matches the filters." in page(client, "/orders/stock/?q=granite")
    assert "Receive goods" in page(client_as(shop["keeper"]), "/orders/stock/")
    assert level(sand, north) == (D("7.5"), D(0))


def test_the_stock_page_is_paginated_keeping_the_filters(personas, shop, client_as, monkeypatch):
    monkeypatch.setattr("relata.orders.views.stock.PAGE_SIZE", 1)
    receive(personas.admin, shop["sand"], shop["main"], "1")
    client = client_as(shop["keeper"])
    first = page(client, f"/orders/stock/?warehouse={shop['main'].pk}")
    assert first.count('data-testid="stock-row"') == 1 and "Page 1 of 2" in first
    assert f"?warehouse={shop['main'].pk}&amp;page=2" in first
    second = page(client, f"/orders/stock/?warehouse={shop['main'].pk}&page=2")
    assert "Sand" in first and "Кирпич" in second and "Sand" not in second  # by name: Latin first


def test_the_stock_page_answers_with_the_same_number_of_queries_for_more_rows(personas, shop, client_as):
    client = client_as(shop["keeper"])
    client.get("/orders/stock/")  # session, caches
    with CaptureQueriesContext(connection) as few:
        page(client, "/orders/stock/")
    for index in range(4):
        receive(personas.admin, product(personas.admin, f"Block {index}"), shop["north"], "1")
    with CaptureQueriesContext(connection) as more:
        page(client, "/orders/stock/")
    assert len(more) == len(few)


# --- Movements ----------------------------------------------------------------------------


def test_the_movements_page_shows_the_ledger_with_filters(personas, shop, client_as):
    brick, main = shop["brick"], shop["main"]
    order = _shortage_order(personas, shop)
    stock_adjust(personas.admin, product=brick.pk, warehouse=main.pk, quantity="-1", note="Broken in the yard")
    client = client_as(personas.manager1)
    ledger = page(client, "/orders/stock/movements/")
    assert ledger.count('data-testid="movement-row"') == 4  # 2 receipts, a reservation, an adjustment
    assert "Broken in the yard" in ledger and "Alice Admin" in ledger and "Mila North" in ledger
    assert f'href="/orders/{order.pk}/"' in ledger and ">-1</td>" in ledger

    for_brick = page(client, f"/orders/stock/movements/?product={brick.pk}&warehouse={main.pk}")
    assert for_brick.count('data-testid="movement-row"') == 3 and "Sand" not in for_brick
    assert 'data-testid="movements-product"' in for_brick and "Кирпич силикатный" in for_brick
    reservations = page(client, "/orders/stock/movements/?kind=reservation")
    assert reservations.count('data-testid="movement-row"') == 1 and "+2" in reservations
    assert (
        page(client, f"/orders/stock/movements/?warehouse={shop['north'].pk}").count('data-testid="movement-row"') == 1
    )
    assert page(client, "/orders/stock/movements/?q=sand").count('data-testid="movement-row"') == 1
    # A nonsense filter narrows nothing rather than failing.
    assert page(client, "/orders/stock/movements/?kind=theft&warehouse=x").count('data-testid="movement-row"') == 4


# --- Receipts and adjustments -------------------------------------------------------------


def test_a_receipt_raises_the_stock_on_hand(personas, shop, client_as):
    brick, main = shop["brick"], shop["main"]
    client = client_as(shop["keeper"])
    form = page(client, f"/orders/stock/receive/?product={brick.pk}&warehouse={main.pk}")
    assert f'<option value="{brick.pk}" selected>' in form and "Delivery" not in form  # services are not stocked
    response = client.post("/orders/stock/receive/", {"product": brick.pk, "warehouse": main.pk, "quantity": "1,5"})
    assert response.status_code == 302 and response["Location"].startswith("/orders/stock/?")
    assert level(brick, main) == (D("3.5"), D(0))
    movement = StockMovement.objects.latest("id")
    assert (movement.kind, movement.quantity, movement.author_id) == ("receipt", D("1.5"), shop["keeper"].user_id)
    assert "1.5 received into Main." in page(client, response["Location"])
    assert Event.objects.filter(kind="stock.received").count() == 3


def test_an_adjustment_corrects_the_stock_either_way(personas, shop, client_as):
    brick, main = shop["brick"], shop["main"]
    client = client_as(shop["keeper"])
    assert "Change of the quantity on hand" in page(client, "/orders/stock/adjust/")
    post(
        client,
        "/orders/stock/adjust/",
        {"product": brick.pk, "warehouse": main.pk, "quantity": "-2", "note": "Count"},
        302,
    )
    assert level(brick, main) == (D(0), D(0))
    post(client, "/orders/stock/adjust/", {"product": brick.pk, "warehouse": main.pk, "quantity": "4"}, 302)
    assert level(brick, main) == (D(4), D(0))
    assert list(StockMovement.objects.filter(kind="adjustment").order_by("id").values_list("quantity", "note")) == [
        (D(-2), "Count"),
        (D(4), ""),
    ]


@pytest.mark.parametrize(
    ("url", "values", "field_error"),
    [
        ("/orders/stock/receive/", {"quantity": "0"}, "Enter a quantity above zero."),
        ("/orders/stock/receive/", {"quantity": "-3"}, "Enter a quantity above zero."),
        ("/orders/stock/receive/", {"quantity": "many"}, "Enter a number."),
        ("/orders/stock/receive/", {"quantity": ""}, "Enter the quantity."),
        ("/orders/stock/receive/", {"quantity": "1.0005"}, "Enter a quantity with at most three decimal places."),
        ("/orders/stock/receive/", {"product": "999999"}, "Choose a product of the catalog."),
        ("/orders/stock/receive/", {"product": ""}, "Choose a product of the catalog."),
        ("/orders/stock/receive/", {"warehouse": "999999"}, "Choose a warehouse of the workspace."),
        ("/orders/stock/adjust/", {"quantity": "0"}, "Enter a quantity other than zero."),
        ("/orders/stock/adjust/", {"quantity": "-3"}, "Only 2 is on hand: stock cannot go below zero."),
        ("/orders/stock/adjust/", {"product": "999999"}, "Choose a product of the catalog."),
        ("/orders/stock/adjust/", {"warehouse": "nope"}, "Choose a warehouse of the workspace."),
    ],
)
def test_bad_stock_input_is_shown_on_the_form_and_nothing_is_written(shop, client_as, url, values, field_error):
    data = {"product": shop["brick"].pk, "warehouse": shop["main"].pk, "quantity": "1", **values}
    before = orders_state()
    body = post(client_as(shop["keeper"]), url, data, 400)
    assert field_error in body and "is-invalid" in body
    assert orders_state() == before


def test_a_service_and_a_foreign_warehouse_are_refused(personas, shop, client_as):
    foreign = warehouse(personas.other, "Beta store")
    client = client_as(shop["keeper"])
    before = orders_state()
    body = post(
        client,
        "/orders/stock/receive/",
        {"product": shop["delivery"].pk, "warehouse": shop["main"].pk, "quantity": "1"},
        400,
    )
    assert "A service is not kept in stock." in body
    body = post(
        client, "/orders/stock/receive/", {"product": shop["brick"].pk, "warehouse": foreign.pk, "quantity": "1"}, 400
    )
    assert "Choose a warehouse of the workspace." in body and "Beta store" not in body
    assert orders_state() == before


@pytest.mark.parametrize("persona", ["readonly", "manager1", "head"])
@pytest.mark.parametrize(
    "url",
    [
        "/orders/stock/receive/",
        "/orders/stock/adjust/",
        "/orders/stock/warehouses/new/",
        "/orders/stock/suppliers/new/",
        "/orders/stock/purchase-requests/new/",
    ],
)
def test_members_without_the_permission_get_403_on_the_forms(personas, shop, client_as, persona, url):
    client = client_as(getattr(personas, persona))
    assert client.get(url).status_code == 403
    before = orders_state(), Warehouse.objects.count(), Supplier.objects.count()
    data = {"product": shop["brick"].pk, "warehouse": shop["main"].pk, "quantity": "5", "name": "Shed"}
    assert client.post(url, data).status_code == 403
    assert (orders_state(), Warehouse.objects.count(), Supplier.objects.count()) == before


def test_receiving_a_purchase_request_needs_the_change_permission(personas, shop, client_as):
    purchase = purchase_request_create(
        personas.admin, product=shop["brick"].pk, warehouse=shop["main"].pk, quantity="1"
    )
    url = f"/orders/stock/purchase-requests/{purchase.pk}/receive/"
    before = orders_state()
    assert client_as(personas.readonly).get(url).status_code == 403
    assert client_as(personas.readonly).post(url, {}).status_code == 403
    assert client_as(personas.other).post(url, {}).status_code == 404
    assert orders_state() == before


# --- Warehouses and suppliers -------------------------------------------------------------


def test_a_warehouse_is_created_and_listed(personas, shop, client_as):
    client = client_as(shop["keeper"])
    response = client.post(
        "/orders/stock/warehouses/new/", {"name": "South depot", "address": "Port road 1", "is_active": "on"}
    )
    assert response.status_code == 302 and response["Location"] == "/orders/stock/warehouses/"
    created = Warehouse.objects.get(name="South depot")
    assert (created.address, created.is_active, created.workspace_id) == (
        "Port road 1",
        True,
        personas.admin.workspace_id,
    )
    listing = page(client_as(personas.readonly), "/orders/stock/warehouses/")
    assert listing.count('data-testid="warehouse-row"') == 3 and "Port road 1" in listing
    assert "New warehouse" not in listing


def test_a_warehouse_without_a_name_or_with_a_taken_one_is_refused(shop, client_as):
    client = client_as(shop["keeper"])
    before = Warehouse.objects.count()
    assert "Enter the warehouse&#x27;s name." in post(client, "/orders/stock/warehouses/new/", {"name": " "}, 400)
    assert "A warehouse with this name exists already." in post(
        client, "/orders/stock/warehouses/new/", {"name": "MAIN"}, 400
    )
    assert Warehouse.objects.count() == before


def test_a_company_is_registered_as_a_supplier_through_the_client_search(personas, shop, client_as):
    works = company(personas.admin, "Brick Works")
    client = client_as(shop["keeper"])
    form = page(client, "/orders/stock/suppliers/new/")
    assert "clientPicker(&#x27;company&#x27;" in form or "clientPicker('company'" in form  # a search, not a select
    assert "<select" not in form and "Brick Works" not in form
    response = client.post("/orders/stock/suppliers/new/", {"client": works.pk, "note": "Kiln in Tver"})
    assert response.status_code == 302 and response["Location"] == "/orders/stock/suppliers/"
    supplier = Supplier.objects.get()
    assert (supplier.client_id, supplier.note) == (works.pk, "Kiln in Tver")
    listing = page(client_as(personas.manager1), "/orders/stock/suppliers/")
    assert listing.count('data-testid="supplier-row"') == 1 and "Brick Works" in listing and "Kiln in Tver" in listing


def test_a_person_an_unknown_client_or_a_supplier_twice_is_refused(personas, shop, client_as):
    from relata.clients.services.clients import client_create

    person = client_create(personas.admin, kind="person", values={"first_name": "Ivan", "last_name": "Petrov"})
    works = company(personas.admin, "Brick Works")
    supplier_add(personas.admin, client=works.pk)
    client = client_as(shop["keeper"])
    before = Supplier.objects.count()
    assert "A supplier is a company, not a person." in post(
        client, "/orders/stock/suppliers/new/", {"client": person.pk}, 400
    )
    assert "Choose a company of the client base." in post(
        client, "/orders/stock/suppliers/new/", {"client": "999999"}, 400
    )
    assert "Choose a company of the client base." in post(client, "/orders/stock/suppliers/new/", {"client": ""}, 400)
    again = post(client, "/orders/stock/suppliers/new/", {"client": works.pk}, 400)
    assert "This company is a supplier already." in again and "Brick Works" in again  # the picker keeps the name
    assert Supplier.objects.count() == before


# --- Purchase requests --------------------------------------------------------------------


def test_a_shortage_of_an_order_appears_among_the_purchase_requests(personas, shop, client_as):
    order = _shortage_order(personas, shop)
    listing = page(client_as(personas.readonly), "/orders/stock/purchase-requests/")
    assert listing.count('data-testid="purchase-request-row"') == 1
    assert f'href="/orders/{order.pk}/"' in listing and f"Shortage of order № {order.number}" in listing
    assert "Receive</a>" not in listing  # a reader cannot receive


def test_a_purchase_request_is_created_by_hand(personas, shop, client_as):
    works = company(personas.admin, "Brick Works")
    supplier_add(personas.admin, client=works.pk)
    order = _shortage_order(personas, shop, quantity="2")  # all reserved: no automatic request
    client = client_as(shop["keeper"])
    url = (
        f"/orders/stock/purchase-requests/new/?product={shop['brick'].pk}&warehouse={shop['main'].pk}&order={order.pk}"
    )
    form = page(client, url)
    assert f"Order № {order.number}" in form or f"№ {order.number}" in form
    assert f'<option value="{works.pk}">Brick Works</option>' in form
    data = {
        "product": shop["brick"].pk,
        "warehouse": shop["main"].pk,
        "quantity": "10",
        "supplier": works.pk,
        "order": order.pk,
        "note": "For the spring",
    }
    response = client.post("/orders/stock/purchase-requests/new/", data)
    assert response.status_code == 302 and response["Location"] == "/orders/stock/purchase-requests/"
    purchase = PurchaseRequest.objects.get()
    assert (purchase.quantity, purchase.supplier_id, purchase.order_id, purchase.note, purchase.status) == (
        D(10),
        works.pk,
        order.pk,
        "For the spring",
        "open",
    )
    assert "Brick Works" in page(client, response["Location"])


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"quantity": "0"}, "Enter a quantity above zero."),
        ({"product": "999999"}, "Choose a product of the catalog."),
        ({"warehouse": ""}, "Choose a warehouse of the workspace."),
        ({"supplier": "999999"}, "Choose a company registered as a supplier."),
        ({"order": "999999"}, "Choose an order of the workspace."),
    ],
)
def test_a_bad_purchase_request_is_refused_on_the_form(shop, client_as, values, error):
    data = {"product": shop["brick"].pk, "warehouse": shop["main"].pk, "quantity": "3", **values}
    before = orders_state()
    assert error in post(client_as(shop["keeper"]), "/orders/stock/purchase-requests/new/", data, 400)
    assert orders_state() == before


def test_receiving_a_request_completes_the_waiting_reservation(personas, shop, client_as):
    brick, main = shop["brick"], shop["main"]
    order = _shortage_order(personas, shop, quantity="5")  # 2 reserved, 3 requested
    purchase = PurchaseRequest.objects.get(order=order)
    client = client_as(shop["keeper"])
    url = f"/orders/stock/purchase-requests/{purchase.pk}/receive/"
    form = page(client, url)
    assert 'name="complete_reservation"' in form and "checked" in form  # offered, on by default
    response = client.post(url, {"complete_reservation": "on"})
    assert response.status_code == 302 and response["Location"] == "/orders/stock/purchase-requests/"
    assert level(brick, main) == (D(5), D(5))
    line = order.lines.get()
    assert (line.reserved, line.missing) == (D(5), D(0))
    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.RECEIVED and purchase.received_at is not None
    listing = page(client, "/orders/stock/purchase-requests/?status=received")
    assert listing.count('data-testid="purchase-request-row"') == 1
    assert 'data-testid="purchase-request-row"' not in page(client, "/orders/stock/purchase-requests/")  # open only
    assert page(client, "/orders/stock/purchase-requests/?status=all").count('data-testid="purchase-request-row"') == 1

    assert "These goods have been received already." in page(client, url)
    before = orders_state()
    again = post(client, url, {"complete_reservation": "on"}, 400)
    assert "This purchase request has been received already." in again
    assert orders_state() == before


def test_receiving_without_completing_leaves_the_goods_available(personas, shop, client_as):
    brick, main = shop["brick"], shop["main"]
    order = _shortage_order(personas, shop, quantity="5")
    purchase = PurchaseRequest.objects.get(order=order)
    post(client_as(shop["keeper"]), f"/orders/stock/purchase-requests/{purchase.pk}/receive/", {}, 302)
    assert level(brick, main) == (D(5), D(2))
    assert order.lines.get().missing == D(3)


def test_a_request_without_an_order_offers_no_reservation(personas, shop, client_as):
    purchase = purchase_request_create(
        personas.admin, product=shop["sand"].pk, warehouse=shop["north"].pk, quantity="2.5"
    )
    client = client_as(shop["keeper"])
    url = f"/orders/stock/purchase-requests/{purchase.pk}/receive/"
    assert 'name="complete_reservation"' not in page(client, url)
    post(client, url, {}, 302)
    assert level(shop["sand"], shop["north"]) == (D(10), D(0))


# --- Orders to ship -----------------------------------------------------------------------


def test_orders_to_ship_are_those_holding_reserved_goods_oldest_first(personas, shop, client_as):
    receive(personas.admin, shop["brick"], shop["main"], "10")  # 12 on hand
    shipped = _shortage_order(personas, shop, quantity="0.5")
    shipment_create(shop["keeper"], shipped.pk, values={"lines": [{"line": shipped.lines.get().pk, "quantity": "0.5"}]})
    cancelled = _shortage_order(personas, shop, quantity="0.25")
    order_cancel(personas.admin, cancelled.pk, version=cancelled.version)
    first = _shortage_order(personas, shop, quantity="3")  # 11.5 on hand, 8.5 available after it
    second = _shortage_order(personas, shop, quantity="11.5")  # 8.5 reserved, 3 missing

    listing = page(client_as(shop["keeper"]), "/orders/to-ship/")
    assert listing.count('data-testid="to-ship-order"') == 2
    assert listing.index(f'href="/orders/{first.pk}/"') < listing.index(f'href="/orders/{second.pk}/"')
    assert f'href="/orders/{shipped.pk}/"' not in listing and f'href="/orders/{cancelled.pk}/"' not in listing
    assert listing.count('data-testid="to-ship-missing"') == 2 and ">3</td>" in listing
    assert f"quantity=3&amp;order={second.pk}" in listing  # a purchase for what is missing

    # Orders have owners: manager 2 (scope own) does not see manager 1's orders.
    assert 'data-testid="to-ship-order"' not in page(client_as(personas.manager2), "/orders/to-ship/")
    assert page(client_as(personas.manager1), "/orders/to-ship/").count('data-testid="to-ship-order"') == 2


def test_a_partly_shipped_order_stays_to_ship_until_its_reservation_is_gone(personas, shop, client_as):
    order = _shortage_order(personas, shop, quantity="2")
    line = order.lines.get()
    client = client_as(shop["keeper"])
    shipment_create(shop["keeper"], order.pk, values={"lines": [{"line": line.pk, "quantity": "1"}]})
    assert f'href="/orders/{order.pk}/"' in page(client, "/orders/to-ship/")
    shipment_create(shop["keeper"], order.pk, values={"lines": [{"line": line.pk, "quantity": "1"}]})
    assert "No orders wait for shipping." in page(client, "/orders/to-ship/")


def test_the_to_ship_page_answers_with_the_same_number_of_queries_for_more_orders(personas, shop, client_as):
    receive(personas.admin, shop["brick"], shop["main"], "10")
    client = client_as(shop["keeper"])
    _shortage_order(personas, shop, quantity="1")
    client.get("/orders/to-ship/")
    with CaptureQueriesContext(connection) as few:
        page(client, "/orders/to-ship/")
    for _index in range(3):
        _shortage_order(personas, shop, quantity="1")
    with CaptureQueriesContext(connection) as more:
        page(client, "/orders/to-ship/")
    assert len(more) == len(few)
