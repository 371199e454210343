"""The demo workspace's orders and stock (relata.orders.demo): two years of orders with a
building season, regulars and one-off buyers, baskets that go together, a ledger that adds
up to the levels, and the source documents' brick sale waiting for its third wagon — and
running the step again changes nothing. The whole demo is built once for these checks."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from relata.catalog import demo as catalog_demo
from relata.core.demo import _DEMO_STEPS, create_demo_workspace
from relata.orders import demo
from relata.orders.models import (
    Order,
    OrderLine,
    OrderStatus,
    PurchaseRequest,
    StockLevel,
    StockMovement,
)

pytestmark = pytest.mark.django_db


def test_the_step_runs_after_the_catalog():
    assert (demo.ORDER, demo.orders_demo) in _DEMO_STEPS
    assert catalog_demo.ORDER < demo.ORDER


def test_two_years_of_orders_that_analysis_can_use():
    workspace = create_demo_workspace()
    ws = workspace.pk
    orders = Order.objects.filter(workspace_id=ws)
    now = timezone.now()
    assert orders.count() > 500
    oldest = orders.order_by("created_at").first()
    assert oldest is not None and now - oldest.created_at > dt.timedelta(days=600)
    # The building season: summer months sell far more than winter ones.
    by_month = Counter(o.month for o in orders.values_list("created_at", flat=True).iterator())
    summer = sum(by_month[m] for m in (6, 7, 8))
    winter = sum(by_month[m] for m in (12, 1, 2))
    assert summer > 2 * winter, by_month
    # Regulars and one-off buyers.
    per_client = Counter(orders.values_list("client_id", flat=True))
    assert sum(1 for n in per_client.values() if n >= 8) >= 20
    assert sum(1 for n in per_client.values() if n == 1) >= 50
    # Baskets: the aerated-block glue goes with aerated blocks.
    baskets: dict[int, set[str]] = defaultdict(set)
    for order_id, sku in OrderLine.objects.filter(workspace_id=ws).values_list("order_id", "product__sku"):
        baskets[order_id].add(sku)
    with_glue = [skus for skus in baskets.values() if "GLUE-GB-25" in skus]
    assert with_glue and all("GB-D500-200" in skus for skus in with_glue)
    # Old orders are closed, recent ones still moving; no order totals a different sum than its lines.
    assert not orders.filter(created_at__lt=now - dt.timedelta(days=30)).exclude(status=OrderStatus.CLOSED).exists()
    assert orders.filter(status=OrderStatus.RESERVED).exists() and orders.filter(status=OrderStatus.PAID).exists()
    line_sums = dict(
        OrderLine.objects.filter(workspace_id=ws)
        .values("order_id")
        .annotate(s=Sum("total"))
        .values_list("order_id", "s")
    )
    assert all(line_sums[o.pk] == o.total for o in orders.only("pk", "total"))


def test_the_ledger_adds_up_and_the_brick_sale_waits_for_its_wagon():
    workspace = create_demo_workspace()
    ws = workspace.pk
    for level in StockLevel.objects.filter(workspace_id=ws):
        moves = StockMovement.objects.filter(
            workspace_id=ws, product_id=level.product_id, warehouse_id=level.warehouse_id
        )
        on_hand = moves.filter(kind__in=["receipt", "adjustment", "shipment"]).aggregate(s=Sum("quantity"))["s"]
        reserved = moves.filter(kind__in=["reservation", "release", "shipment"]).aggregate(s=Sum("quantity"))["s"]
        assert (level.on_hand, level.reserved) == (on_hand, reserved or Decimal(0))
        assert level.on_hand >= 0
        open_reserved = OrderLine.objects.filter(
            workspace_id=ws, product_id=level.product_id, order__warehouse_id=level.warehouse_id
        ).aggregate(s=Sum("reserved"))["s"]
        assert level.reserved == open_reserved
    wagon = PurchaseRequest.objects.get(workspace_id=ws, status="open", product__sku="KS-150-1NF-W")
    assert wagon.quantity == 1 and wagon.order is not None and wagon.supplier is not None
    line = wagon.order.lines.get()
    assert (line.quantity, line.reserved) == (3, 2)
    counts = (Order.objects.count(), StockMovement.objects.count(), PurchaseRequest.objects.count())
    demo.orders_demo(workspace)
    assert (Order.objects.count(), StockMovement.objects.count(), PurchaseRequest.objects.count()) == counts
