"""Loyalty and the order's life: a direct order's lines get the discount of the client's
card tier, and cancelling a paid order gives back the points spent on it and takes back
those it earned (never below a zero balance), once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from relata.core.concurrency import StaleVersion
from relata.core.models import Event
from relata.loyalty.models import Card, EntryKind, PointsEntry
from relata.loyalty.services.cards import card_set_blocked
from relata.loyalty.services.points import points_adjust, points_reverse_for_order, points_spend
from relata.loyalty.services.programmes import tier_create
from relata.loyalty.tests.helpers import Shop, card, company, ledger_sum, lots_sum, programme
from relata.orders.models import Order, OrderStatus
from relata.orders.services.orders import order_cancel, order_create
from relata.orders.tests.helpers import product, receive

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def club(personas):
    club = programme(personas.admin)
    tier_create(personas.admin, club.pk, values={"name": "Silver", "threshold": "0", "discount": "3"})
    tier_create(personas.admin, club.pk, values={"name": "Gold", "threshold": "2000", "discount": "7.5"})
    return club


@pytest.fixture
def holder(personas):
    return company(personas.manager1, "Dvor Ltd")


@pytest.fixture
def shop(personas):
    shop = Shop(personas.admin)
    shop.brick = product(personas.admin, "Facing brick")
    receive(personas.admin, shop.brick, shop.warehouse, "100")
    return shop


def _goods_order(shop: Shop, client, price: str, **line) -> Order:
    """An order of goods (it stays paid, not closed, until shipped, so it can be cancelled)."""
    values = {"product": shop.brick.pk, "quantity": "1", "price": price, **line}
    return order_create(shop.admin, values={"client": client.pk, "warehouse": shop.warehouse.pk, "lines": [values]})


def _balanced(card_: Card) -> None:
    card_.refresh_from_db()
    assert card_.balance == ledger_sum(card_) == lots_sum(card_)


def test_a_direct_order_takes_the_tier_discount_where_the_line_has_none(personas, shop, club, holder):
    admin = personas.admin
    card(admin, club, holder)  # Silver: 3 %
    order = _goods_order(shop, holder, "1000")
    line = order.lines.get()
    assert (line.discount, line.total) == (D("3.00"), D("970.00"))
    # A discount typed in wins, 0 included.
    assert _goods_order(shop, holder, "1000", discount="0").lines.get().discount == D("0.00")
    assert _goods_order(shop, holder, "1000", discount="10").lines.get().discount == D("10.00")


def test_no_card_a_blocked_card_or_another_currency_gives_no_discount(personas, shop, club, holder):
    admin = personas.admin
    other = company(personas.manager1, "Nobody Ltd")
    assert _goods_order(shop, other, "100").lines.get().discount == D("0.00")
    c = card(admin, club, holder)
    euro = order_create(
        admin,
        values={
            "client": holder.pk,
            "warehouse": shop.warehouse.pk,
            "currency": "EUR",
            "lines": [{"product": shop.brick.pk, "quantity": "1", "price": "100"}],
        },
    )
    assert euro.lines.get().discount == D("0.00")
    card_set_blocked(admin, c.pk, blocked=True)
    assert _goods_order(shop, holder, "100").lines.get().discount == D("0.00")


def test_the_best_tier_of_several_cards_applies(personas, shop, club, holder):
    admin = personas.admin
    card(admin, club, holder, "1001")
    gold = card(admin, club, holder, "1002")
    points_adjust(admin, gold.pk, points="1", note="move up")
    Card.objects.filter(pk=gold.pk).update(tier=club.tiers.get(name="Gold"))
    assert _goods_order(shop, holder, "200").lines.get().discount == D("7.50")


def test_cancelling_a_paid_order_takes_back_its_points_and_returns_those_spent(personas, shop, club, holder):
    admin = personas.admin
    c = card(admin, club, holder)
    points_adjust(admin, c.pk, points="100", note="welcome")
    order = _goods_order(shop, holder, "1000", discount="0")
    points_spend(admin, c.pk, order_id=order.pk, points="100")  # 100 off
    shop.pay(order)  # 900 in money: 45 points
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    c.refresh_from_db()
    assert c.balance == 45
    order_cancel(admin, order.pk, version=order.version)
    c.refresh_from_db()
    assert c.balance == 100  # the 100 spent came back, the 45 earned went
    returned = PointsEntry.objects.get(card=c, kind=EntryKind.RETURNED)
    reversed_ = PointsEntry.objects.get(card=c, kind=EntryKind.REVERSED)
    assert (returned.points, returned.remaining, returned.order_id) == (100, 100, order.pk)
    assert returned.expires_at is not None
    assert (reversed_.points, reversed_.amount) == (-45, D("900.00"))
    assert PointsEntry.objects.get(card=c, kind=EntryKind.EARNED).remaining == 0
    event = Event.objects.get(kind="loyalty.points_reversed")
    assert event.data == {"order": order.pk, "returned": 100, "taken": 45, "short": 0}
    _balanced(c)
    # The hook again (a replayed call): nothing more.
    assert points_reverse_for_order(admin, order) == []
    _balanced(c)
    assert c.balance == 100


def test_points_already_spent_elsewhere_are_taken_only_down_to_zero(personas, shop, club, holder):
    admin = personas.admin
    c = card(admin, club, holder)
    first = _goods_order(shop, holder, "2000", discount="0")
    shop.pay(first)  # 100 points
    second = _goods_order(shop, holder, "1000", discount="0")
    points_spend(admin, c.pk, order_id=second.pk, points="80")
    c.refresh_from_db()
    assert c.balance == 20
    first.refresh_from_db()
    order_cancel(admin, first.pk, version=first.version)
    c.refresh_from_db()
    assert c.balance == 0
    assert PointsEntry.objects.get(card=c, kind=EntryKind.REVERSED).points == -20
    assert Event.objects.get(kind="loyalty.points_reversed").data["short"] == 80
    _balanced(c)


def test_a_cancelled_order_stops_counting_towards_the_tier(personas, shop, club, holder):
    admin = personas.admin
    c = card(admin, club, holder)
    order = _goods_order(shop, holder, "2500", discount="0")
    shop.pay(order)
    c.refresh_from_db()
    assert c.tier.name == "Gold"
    order.refresh_from_db()
    order_cancel(admin, order.pk, version=order.version)
    c.refresh_from_db()
    assert c.tier.name == "Silver"


def test_a_refused_cancellation_changes_no_points(personas, shop, club, holder):
    admin = personas.admin
    c = card(admin, club, holder)
    order = _goods_order(shop, holder, "1000", discount="0")
    shop.pay(order)
    order.refresh_from_db()
    with pytest.raises(StaleVersion):
        order_cancel(admin, order.pk, version=order.version - 1)
    c.refresh_from_db()
    assert c.balance == 50
    assert not PointsEntry.objects.filter(kind__in=[EntryKind.REVERSED, EntryKind.RETURNED]).exists()
