"""Orders and stock as a user relies on them: the brick sale of product §6 end to end,
and every bad input refused with a clear error and nothing half-written."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404

from relata.core.errors import StaleVersion, ValidationError
from relata.core.models import Event
from relata.orders.models import ImmutableRow, Order, PurchaseRequest, StockMovement
from relata.orders.services.orders import (
    order_cancel,
    order_create,
    order_create_from_deal,
    payment_create,
    shipment_create,
)
from relata.orders.services.stock import purchase_request_receive, stock_adjust, supplier_add
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


@pytest.fixture
def shop(personas):
    admin = personas.admin
    brick = product(admin)
    main = warehouse(admin)
    receive(admin, brick, main, "2")
    client = company(personas.manager1)
    return brick, main, client


def test_brick_sale_end_to_end(personas, shop):
    """§6: three wagons sold, two in stock: the shortage goes to a supplier, the client
    pays, the storekeeper receives and ships; the figures stay right at every step."""
    brick, main, client = shop
    keeper = storekeeper(personas.admin)
    supplier = company(personas.admin, "Brick Works")
    supplier_add(keeper, client=supplier.pk)
    deal = won_deal(personas.manager1, client, [{"product": brick.pk, "quantity": "3", "price": "100000"}])

    with pytest.raises(ValidationError) as refused:
        order_create_from_deal(personas.manager1, deal.pk, values={"warehouse": main.pk})
    assert refused.value.message_dict == {
        "lines.0.quantity": [
            "Only 2 of “Silicate brick” is available in Main, 3 needed: reserve less or allow a shortage."
        ]
    }
    assert not Order.objects.exists() and level(brick, main) == (D(2), D(0))

    order = order_create_from_deal(
        personas.manager1, deal.pk, values={"warehouse": main.pk, "shortage": True, "supplier": supplier.pk}
    )
    line = order.lines.get()
    assert (order.number, order.owner_id, order.client_id, order.total) == (
        1,
        personas.manager1.user_id,
        client.pk,
        D("300000.00"),
    )
    assert (line.quantity, line.reserved) == (D(3), D(2))
    assert level(brick, main) == (D(2), D(2))
    purchase = PurchaseRequest.objects.get()
    assert (purchase.quantity, purchase.supplier_id, purchase.order_id) == (D(1), supplier.pk, order.pk)

    payment_create(keeper, order.pk, values={"amount": "100000"})
    order.refresh_from_db()
    assert order.status == "reserved" and order.paid_amount == D("100000.00")
    payment_create(keeper, order.pk, values={"amount": "200000"})
    order.refresh_from_db()
    assert order.status == "paid"

    purchase_request_receive(keeper, purchase.pk, complete_reservation=True)
    line.refresh_from_db()
    assert line.reserved == D(3) and level(brick, main) == (D(3), D(3))

    shipment_create(keeper, order.pk, values={"lines": [{"line": line.pk, "quantity": "2"}]})
    assert level(brick, main) == (D(1), D(1))
    order.refresh_from_db()
    assert order.status == "paid"
    shipment_create(keeper, order.pk, values={"lines": [{"line": line.pk, "quantity": "1"}]})
    order.refresh_from_db()
    line.refresh_from_db()
    assert order.status == "closed" and (line.reserved, line.shipped) == (D(0), D(3))
    assert level(brick, main) == (D(0), D(0))
    kinds = list(StockMovement.objects.order_by("id").values_list("kind", "quantity"))
    assert kinds == [
        ("receipt", D(2)),
        ("reservation", D(2)),
        ("receipt", D(1)),
        ("reservation", D(1)),
        ("shipment", D(-2)),
        ("shipment", D(-1)),
    ]
    events = set(Event.objects.filter(kind__regex=r"^(order|purchase_request)\.").values_list("kind", flat=True))
    assert events == {
        "order.created",
        "order.paid",
        "order.shipped",
        "purchase_request.created",
        "purchase_request.received",
    }


def test_direct_order_and_cancel_releases_the_reservation(personas, shop):
    brick, main, client = shop
    keeper = storekeeper(personas.admin)
    order = order_create(
        keeper,
        values={
            "client": client.pk,
            "warehouse": main.pk,
            "currency": "RUB",
            "lines": [{"product": brick.pk, "quantity": "1.5", "price": "10", "vat_rate": "22"}],
        },
    )
    assert order.owner_id == keeper.user_id and order.total == D("15.00")
    assert level(brick, main) == (D(2), D("1.5"))
    with pytest.raises(StaleVersion):
        order_cancel(keeper, order.pk, version=order.version + 5)
    cancelled = order_cancel(keeper, order.pk, version=order.version)
    assert cancelled.status == "cancelled" and level(brick, main) == (D(2), D(0))
    assert StockMovement.objects.filter(kind="release", quantity=D("-1.5")).exists()
    assert Event.objects.filter(kind="order.cancelled").exists()
    with pytest.raises(ValidationError):
        order_cancel(keeper, order.pk, version=cancelled.version)


def test_the_manager_who_won_the_deal_may_cancel_its_order(personas, shop):
    brick, main, client = shop
    deal = won_deal(personas.manager1, client, [{"product": brick.pk, "quantity": "1", "price": "5"}])
    order = order_create_from_deal(personas.manager1, deal.pk, values={"warehouse": main.pk})
    with pytest.raises(ValidationError, match="has an order already"):
        order_create_from_deal(personas.manager1, deal.pk, values={"warehouse": main.pk})
    with pytest.raises(Http404):  # manager 2 must not learn the order exists
        order_cancel(personas.manager2, order.pk, version=order.version)
    with pytest.raises(PermissionDenied):
        order_cancel(personas.readonly, order.pk, version=order.version)
    assert order_cancel(personas.manager1, order.pk, version=order.version).status == "cancelled"


def test_storekeeper_cannot_make_orders_from_deals_and_managers_cannot_ship(personas, shop):
    brick, main, client = shop
    keeper = storekeeper(personas.admin)
    deal = won_deal(personas.manager1, client, [{"product": brick.pk, "quantity": "1", "price": "5"}])
    with pytest.raises(PermissionDenied):
        order_create_from_deal(keeper, deal.pk, values={"warehouse": main.pk})
    with pytest.raises(PermissionDenied):
        order_create(personas.manager1, values={"client": client.pk, "warehouse": main.pk, "lines": []})
    order = order_create_from_deal(personas.manager1, deal.pk, values={"warehouse": main.pk})
    before = orders_state()
    with pytest.raises(PermissionDenied):
        shipment_create(
            personas.manager1, order.pk, values={"lines": [{"line": order.lines.get().pk, "quantity": "1"}]}
        )
    with pytest.raises(PermissionDenied):
        payment_create(personas.manager1, order.pk, values={"amount": "1"})
    assert orders_state() == before


def test_an_open_deal_is_not_an_order(personas, shop):
    brick, main, client = shop
    from relata.sales.models import Pipeline
    from relata.sales.services.deals import deal_create

    pipeline = Pipeline.objects.filter(workspace_id=personas.admin.workspace_id).first()
    deal = deal_create(personas.manager1, values={"title": "Open", "pipeline": pipeline.pk, "client": client.pk})
    with pytest.raises(ValidationError, match="Only a won deal"):
        order_create_from_deal(personas.manager1, deal.pk, values={"warehouse": main.pk})


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ({"quantity": "0"}, "lines.0.quantity", "Enter a quantity above zero."),
        ({"quantity": "-3"}, "lines.0.quantity", "Enter a quantity above zero."),
        ({"quantity": "1.0001"}, "lines.0.quantity", "Enter a quantity with at most three decimal places."),
        ({"quantity": "many"}, "lines.0.quantity", "Enter a number."),
        ({"product": 999999}, "lines.0.product", "Choose a product of the catalog."),
        ({"price": "-1"}, "lines.0.price", "Enter an amount of zero or more."),
        ({"quantity": "5"}, "lines.0.quantity", "Only 2 of “Silicate brick” is available in Main"),
    ],
)
def test_bad_order_lines_are_refused_and_nothing_is_written(personas, shop, line, field, message):
    brick, main, client = shop
    before = orders_state()
    raw = {"product": brick.pk, "quantity": "1", "price": "10", **line}
    with pytest.raises(ValidationError) as refused:
        order_create(personas.admin, values={"client": client.pk, "warehouse": main.pk, "lines": [raw]})
    assert refused.value.message_dict[field][0].startswith(message)
    assert orders_state() == before


def test_foreign_or_missing_warehouse_and_product_are_field_errors(personas, shop):
    brick, main, client = shop
    other = personas.other
    their_product = product(other, "Steel")
    their_warehouse = warehouse(other, "Theirs")
    before = orders_state()
    with pytest.raises(ValidationError) as refused:
        order_create(
            personas.admin,
            values={
                "client": client.pk,
                "warehouse": their_warehouse.pk,
                "lines": [{"product": their_product.pk, "quantity": "1", "price": "1"}],
            },
        )
    assert refused.value.message_dict == {
        "warehouse": ["Choose a warehouse of the workspace."],
        "lines.0.product": ["Choose a product of the catalog."],
    }
    with pytest.raises(ValidationError) as missing:
        order_create(personas.admin, values={"client": client.pk, "warehouse": 999999, "lines": []})
    assert set(missing.value.message_dict) == {"warehouse", "lines"}
    assert orders_state() == before


def test_paying_more_than_owed_and_shipping_more_than_reserved_are_refused(personas, shop):
    brick, main, client = shop
    order = order_create(
        personas.admin,
        values={
            "client": client.pk,
            "warehouse": main.pk,
            "lines": [{"product": brick.pk, "quantity": "1", "price": "10"}],
        },
    )
    line = order.lines.get()
    before = orders_state()
    for amount, message in (
        ("10.01", "Only 10.00 RUB is owed on this order."),
        ("0", "Enter an amount above zero."),
        ("-5", "Enter an amount of zero or more."),
    ):
        with pytest.raises(ValidationError) as refused:
            payment_create(personas.admin, order.pk, values={"amount": amount})
        assert refused.value.message_dict == {"amount": [message]}
    for quantity, message in (
        ("2", "Only 1 of “Silicate brick” is reserved for this order: ship at most that."),
        ("0", "Enter a quantity above zero."),
        ("-1", "Enter a quantity above zero."),
    ):
        with pytest.raises(ValidationError) as refused:
            shipment_create(personas.admin, order.pk, values={"lines": [{"line": line.pk, "quantity": quantity}]})
        assert refused.value.message_dict == {"lines.0.quantity": [message]}
    assert orders_state() == before


def test_a_shipped_order_cannot_be_cancelled(personas, shop):
    brick, main, client = shop
    order = order_create(
        personas.admin,
        values={
            "client": client.pk,
            "warehouse": main.pk,
            "lines": [{"product": brick.pk, "quantity": "2", "price": "1"}],
        },
    )
    shipment_create(personas.admin, order.pk, values={"lines": [{"line": order.lines.get().pk, "quantity": "1"}]})
    order.refresh_from_db()
    before = orders_state()
    with pytest.raises(ValidationError) as refused:
        order_cancel(personas.admin, order.pk, version=order.version)
    assert refused.value.message_dict == {"status": ["Goods of this order have been shipped: it cannot be cancelled."]}
    assert orders_state() == before


def test_adjustment_may_leave_a_shortage_but_never_negative_stock(personas, shop):
    brick, main, client = shop
    order_create(
        personas.admin,
        values={
            "client": client.pk,
            "warehouse": main.pk,
            "lines": [{"product": brick.pk, "quantity": "2", "price": "1"}],
        },
    )
    with pytest.raises(ValidationError, match="Only 2 is on hand"):
        stock_adjust(personas.admin, product=brick.pk, warehouse=main.pk, quantity="-3")
    stock_adjust(personas.admin, product=brick.pk, warehouse=main.pk, quantity="-1", note="Broken in the yard")
    assert level(brick, main) == (D(1), D(2))  # reserved above on hand: a shortage, shown as available −1


def test_ledger_rows_are_immutable(personas, shop):
    movement = StockMovement.objects.first()
    movement.note = "rewritten"
    with pytest.raises(ImmutableRow):
        movement.save()
    with pytest.raises(ImmutableRow):
        movement.delete()


@pytest.mark.django_db(transaction=True)
def test_two_managers_reserving_the_last_units_never_oversell(personas):
    """Real concurrent transactions (PostgreSQL): the level's row lock makes the second
    reservation see what the first took. SQLite lets one writer in at a time anyway."""
    from django.db import connections

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions")
    admin = personas.admin
    brick = product(admin)
    main = warehouse(admin)
    receive(admin, brick, main, "3")
    clients = [company(admin, f"Buyer {n}") for n in range(4)]
    barrier = threading.Barrier(4)
    results: list[str] = []

    def reserve(client_id: int) -> None:
        try:
            barrier.wait()
            order_create(
                admin,
                values={
                    "client": client_id,
                    "warehouse": main.pk,
                    "lines": [{"product": brick.pk, "quantity": "1", "price": "1"}],
                },
            )
            results.append("ok")
        except ValidationError:
            results.append("refused")
        except Exception as error:  # reported below
            results.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reserve, args=(c.pk,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["ok", "ok", "ok", "refused"]
    assert level(brick, main) == (D(3), D(3))
    assert sorted(Order.objects.values_list("number", flat=True)) == [1, 2, 3]


def test_merging_clients_moves_orders_and_keeps_one_supplier_registration(personas, shop):
    from relata.clients.services.merge import client_merge
    from relata.orders.models import Supplier

    brick, main, client = shop
    admin = personas.admin
    twin = company(admin, "Dvor Ltd (twin)")
    supplier_add(admin, client=client.pk)
    supplier_add(admin, client=twin.pk)
    order = order_create(
        admin,
        values={
            "client": twin.pk,
            "warehouse": main.pk,
            "lines": [{"product": brick.pk, "quantity": "1", "price": "1"}],
        },
    )
    client.refresh_from_db()
    client_merge(admin, survivor_id=client.pk, absorbed_id=twin.pk, version=client.version)
    order.refresh_from_db()
    assert order.client_id == client.pk
    assert list(Supplier.objects.values_list("client_id", flat=True)) == [client.pk]


def test_a_product_out_of_use_is_not_ordered(personas, shop):
    from relata.catalog.services.products import product_archive

    brick, main, client = shop
    product_archive(personas.admin, product_id=brick.pk)
    before = orders_state()
    with pytest.raises(ValidationError) as refused:
        order_create(
            personas.admin,
            values={
                "client": client.pk,
                "warehouse": main.pk,
                "lines": [{"product": brick.pk, "quantity": "1", "price": "1"}],
            },
        )
    assert refused.value.message_dict == {"lines.0.product": ["This product is out of use."]}
    assert orders_state() == before


def test_the_payment_that_completes_the_total_dates_the_purchase(personas, shop):
    """`Order.paid_on` (the purchase date of analytics) is the latest payment's date, set
    once the order is paid in full, even when the completing payment is back-dated."""
    brick, main, client = shop
    values = {
        "client": client.pk,
        "warehouse": main.pk,
        "lines": [{"product": brick.pk, "quantity": "1", "price": "90"}],
    }
    order = order_create(personas.admin, values=values)
    payment_create(personas.admin, order.pk, values={"amount": "30", "date": "2026-03-10"})
    order.refresh_from_db()
    assert order.paid_on is None
    payment_create(personas.admin, order.pk, values={"amount": "60", "date": "2026-03-02"})
    order.refresh_from_db()
    assert (order.status, str(order.paid_on)) == ("paid", "2026-03-10")


def test_the_migration_dates_the_orders_paid_before_it(personas, shop):
    """Orders paid in full before `Order.paid_on` existed get their latest payment's
    date; unpaid and part-paid orders stay undated."""
    from importlib import import_module

    from django.apps import apps

    brick, main, client = shop
    values = {
        "client": client.pk,
        "warehouse": main.pk,
        "shortage": True,
        "lines": [{"product": brick.pk, "quantity": "1", "price": "90"}],
    }
    paid, part, unpaid = (order_create(personas.admin, values=values) for _n in range(3))
    payment_create(personas.admin, paid.pk, values={"amount": "50", "date": "2026-05-20"})
    payment_create(personas.admin, paid.pk, values={"amount": "40", "date": "2026-05-01"})
    payment_create(personas.admin, part.pk, values={"amount": "40", "date": "2026-05-01"})
    Order.objects.update(paid_on=None)

    import_module("relata.orders.migrations.0003_paid_on").fill_paid_on(apps, None)

    dates = dict(Order.objects.values_list("pk", "paid_on"))
    assert (str(dates[paid.pk]), dates[part.pk], dates[unpaid.pk]) == ("2026-05-20", None, None)
