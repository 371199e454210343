"""The source documents' brick sale from the manager's and the storekeeper's screens: the
manager orders the three wagons of a won deal with two in stock, recording the shortage;
the storekeeper receives the supplier's wagon into the order's reservation, records the
client's payment and ships the goods; the order closes and the stock adds up."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from playwright.sync_api import Page, expect

from e2e.pages import LoginPage
from relata.catalog.models import Product
from relata.clients.models import Client
from relata.core.demo import DEMO_PASSWORD
from relata.core.models import Membership
from relata.orders.models import Order, OrderStatus, PurchaseRequest, StockLevel, Warehouse
from relata.orders.services.stock import stock_adjust
from relata.sales.models import Pipeline
from relata.sales.services.deals import deal_create, deal_win
from relata.sales.services.lines import deal_lines_set

MANAGER = "manager@demo.relata.test"
STOREKEEPER = "storekeeper@demo.relata.test"


def test_three_wagons_of_brick_with_two_in_stock(page: Page, live_server, demo, browser) -> None:
    manager = Membership.objects.select_related("user", "workspace").get(user__email=MANAGER)
    admin = Membership.objects.select_related("user", "workspace").get(user__email="admin@demo.relata.test")
    ws = manager.workspace_id
    wagon = Product.objects.get(workspace_id=ws, sku="KS-150-1NF-W")
    store = Warehouse.objects.get(workspace_id=ws, name="Склад Подольск")
    level = StockLevel.objects.get(product=wagon, warehouse=store)
    # Two wagons free for this sale (the demo's own brick sale holds the others).
    stock_adjust(admin, product=wagon.pk, warehouse=store.pk, quantity=str(2 - (level.on_hand - level.reserved)))
    client = Client.objects.filter(owner=manager.user, kind="company").order_by("pk").first()
    pipeline = Pipeline.objects.filter(workspace_id=ws, is_active=True).order_by("position", "id").first()
    deal = deal_create(manager, values={"title": "Три вагона кирпича", "pipeline": pipeline.pk, "client": client.pk})
    deal = deal_lines_set(
        manager, deal.pk, version=deal.version, lines=[{"product": wagon.pk, "quantity": "3", "price": "352000"}]
    )
    deal = deal_win(manager, deal.pk, version=deal.version)

    # The manager orders the deal's goods from its page, recording the shortage.
    LoginPage(page, live_server.url).log_in(MANAGER, DEMO_PASSWORD)
    page.goto(live_server.url + reverse("sales:deal", args=[deal.pk]))
    panel = page.get_by_test_id("deal-orders")
    panel.locator("#deal-order-warehouse").select_option(label="Склад Подольск")
    panel.locator("#deal-order-shortage").check()
    panel.get_by_test_id("deal-order-create").click()
    expect(page.get_by_test_id("order-lines")).to_be_visible()
    order = Order.objects.get(deal=deal)
    expect(page.get_by_test_id("line-missing")).to_contain_text("1")
    assert order.lines.get().reserved == 2
    request = PurchaseRequest.objects.get(order=order)
    assert request.quantity == 1 and request.status == "open"

    # The storekeeper, in a session of their own, receives the third wagon into the order.
    keeper_page = browser.new_context(locale="en-US").new_page()
    LoginPage(keeper_page, live_server.url).log_in(STOREKEEPER, DEMO_PASSWORD)
    keeper_page.goto(live_server.url + reverse("orders:purchase_requests"))
    row = keeper_page.get_by_test_id("purchase-request-row").filter(has_text=f"№ {order.number}")
    row.get_by_test_id("purchase-request-receive").click()
    keeper_page.get_by_test_id("purchase-request-receive-save").click()
    keeper_page.wait_for_url(lambda url: "/receive" not in url)
    request.refresh_from_db()
    assert request.status == "received" and order.lines.get().reserved == 3

    # The client pays; the storekeeper records it and ships the three wagons.
    keeper_page.goto(live_server.url + reverse("orders:order", args=[order.pk]))
    expect(keeper_page.get_by_test_id("line-missing")).to_have_text("0")
    keeper_page.get_by_test_id("payment-form").get_by_label("Amount").fill("1 056 000")
    keeper_page.get_by_test_id("payment-save").click()
    expect(keeper_page.get_by_test_id("order-payments")).to_contain_text("1,056,000")
    keeper_page.get_by_test_id("shipment-save").click()
    expect(keeper_page.get_by_test_id("order-shipments")).to_contain_text("3")
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED and order.paid_amount == Decimal("1056000.00")
    level.refresh_from_db()
    assert level.on_hand >= 0 and level.reserved >= 0
    keeper_page.context.close()
