"""The orders and stock API: the shapes, the filters and the one error format."""

from __future__ import annotations

import pytest

from relata.orders.tests.helpers import company, orders_state, product, storekeeper, warehouse, won_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def keeper(personas):
    return storekeeper(personas.admin)


def test_storekeeper_receives_reserves_ships_through_the_api(personas, keeper, api_as):
    api = api_as(keeper)
    brick = product(personas.admin)
    other_brick = product(personas.admin, "Red brick")
    main = warehouse(personas.admin)
    client = company(personas.admin)
    received = api.post("/api/v1/stock/receipts", {"product_id": brick.pk, "warehouse_id": main.pk, "quantity": "3,5"})
    assert received.status_code == 201 and received.json()["kind"] == "receipt"
    api.post("/api/v1/stock/receipts", {"product_id": other_brick.pk, "warehouse_id": main.pk, "quantity": "1"})

    refused = api.post(
        "/api/v1/orders",
        {
            "client_id": client.pk,
            "warehouse_id": main.pk,
            "lines": [{"product": brick.pk, "quantity": "4", "price": "1"}],
        },
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"] == {
        "lines.0.quantity": [
            "Only 3.5 of “Silicate brick” is available in Main, 4 needed: reserve less or allow a shortage."
        ]
    }
    created = api.post(
        "/api/v1/orders",
        {
            "client_id": client.pk,
            "warehouse_id": main.pk,
            "shortage": True,
            "lines": [{"product": brick.pk, "quantity": "4", "price": "1"}],
        },
    )
    assert created.status_code == 201
    order = created.json()
    assert order["status"] == "reserved" and order["lines"][0]["reserved"] == "3.500"

    levels = api.get("/api/v1/stock/levels", {"product_id": brick.pk}).json()["items"]
    assert [(lv["on_hand"], lv["reserved"], lv["available"]) for lv in levels] == [("3.500", "3.500", "0.000")]
    assert api.get("/api/v1/stock/levels", {"warehouse_id": main.pk}).json()["count"] == 2
    movements = api.get("/api/v1/stock/movements", {"order_id": order["id"]}).json()["items"]
    assert [m["kind"] for m in movements] == ["reservation"]

    requests = api.get("/api/v1/stock/purchase-requests", {"status": "open"}).json()["items"]
    assert [(r["quantity"], r["order_id"]) for r in requests] == [("0.500", order["id"])]
    received = api.post(f"/api/v1/stock/purchase-requests/{requests[0]['id']}/receive", {"complete_reservation": True})
    assert received.status_code == 200 and received.json()["status"] == "received"
    again = api.post(f"/api/v1/stock/purchase-requests/{requests[0]['id']}/receive", {})
    assert again.status_code == 422

    line_id = order["lines"][0]["id"]
    shipped = api.post(f"/api/v1/orders/{order['id']}/shipments", {"lines": [{"line": line_id, "quantity": 4}]})
    assert shipped.status_code == 201 and shipped.json()["lines"] == [{"order_line_id": line_id, "quantity": "4.000"}]
    paid = api.post(f"/api/v1/orders/{order['id']}/payments", {"amount": "4", "date": "2026-12-01"})
    assert paid.status_code == 201
    closed = api.get(f"/api/v1/orders/{order['id']}").json()
    assert (closed["status"], closed["paid_on"]) == ("closed", "2026-12-01")


def test_manager_orders_their_won_deal_and_sees_only_their_orders(personas, api_as):
    brick = product(personas.admin)
    main = warehouse(personas.admin)
    api = api_as(personas.admin)
    api.post("/api/v1/stock/receipts", {"product_id": brick.pk, "warehouse_id": main.pk, "quantity": "5"})
    client = company(personas.manager1)
    deal = won_deal(personas.manager1, client, [{"product": brick.pk, "quantity": "2", "price": "100"}])
    manager = api_as(personas.manager1)
    created = manager.post("/api/v1/orders/from-deal", {"deal_id": deal.pk, "warehouse_id": main.pk})
    assert created.status_code == 201 and created.json()["deal_id"] == deal.pk and created.json()["total"] == "200.00"
    assert manager.get("/api/v1/orders").json()["count"] == 1
    assert api_as(personas.manager2).get("/api/v1/orders").json()["count"] == 0
    assert api_as(personas.manager2).get(f"/api/v1/orders/{created.json()['id']}").status_code == 404
    stale = manager.post(f"/api/v1/orders/{created.json()['id']}/cancel", {"version": 99})
    assert stale.status_code == 409
    ok = manager.post(f"/api/v1/orders/{created.json()['id']}/cancel", {"version": created.json()["version"]})
    assert ok.status_code == 200 and ok.json()["status"] == "cancelled"


def test_bad_warehouse_and_supplier_input(personas, keeper, api_as):
    api = api_as(keeper)
    person = api.post("/api/v1/stock/suppliers", {"client_id": 0})
    assert person.status_code == 422 and "client" in person.json()["error"]["fields"]
    assert api.post("/api/v1/stock/warehouses", {"name": "  "}).status_code == 422
    assert api.post("/api/v1/stock/warehouses", {"name": "Main"}).status_code == 201
    duplicate = api.post("/api/v1/stock/warehouses", {"name": "main"})
    assert duplicate.json()["error"]["fields"] == {"name": ["A warehouse with this name exists already."]}
    before = orders_state()
    bad = api.post("/api/v1/stock/receipts", {"product_id": 999999, "warehouse_id": 999999, "quantity": "-1"})
    assert bad.status_code == 422
    assert set(bad.json()["error"]["fields"]) == {"product", "warehouse", "quantity"}
    assert orders_state() == before


def test_order_and_level_lists_do_not_grow_queries_with_rows(personas, api_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from relata.orders.services.orders import order_create
    from relata.orders.tests.helpers import receive

    admin = personas.admin
    main = warehouse(admin)
    client = company(admin)
    api = api_as(admin)

    def counts() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as orders:
            assert api.get("/api/v1/orders").status_code == 200
        with CaptureQueriesContext(connection) as levels:
            assert api.get("/api/v1/stock/levels").status_code == 200
        return len(orders), len(levels)

    def add(name: str) -> None:
        brick = product(admin, name)
        receive(admin, brick, main, "5")
        order_create(
            admin,
            values={
                "client": client.pk,
                "warehouse": main.pk,
                "lines": [{"product": brick.pk, "quantity": "1", "price": "1"}],
            },
        )

    add("One")
    counts()  # the first call also stamps the token's last use
    one = counts()
    add("Two")
    add("Three")
    assert counts() == one
