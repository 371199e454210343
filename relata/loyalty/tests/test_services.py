"""Loyalty as a shop relies on it: points earned once per paid order (by tier), spent as a
discount first in first out, expired by the daily job, and every bad input refused with
a clear error and nothing written."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone, translation

from relata.core.errors import ValidationError
from relata.core.models import Event
from relata.loyalty.models import Card, EntryKind, ImmutableEntry, PointsEntry
from relata.loyalty.services.cards import card_issue, card_set_blocked
from relata.loyalty.services.points import points_adjust, points_earn_for_order, points_expire, points_spend
from relata.loyalty.tests.helpers import (
    Shop,
    card,
    company,
    ledger_sum,
    lots_sum,
    loyalty_state,
    programme,
    tier,
)
from relata.orders.models import Order, OrderStatus, Payment
from relata.orders.services.orders import order_cancel

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def shop(personas):
    return Shop(personas.admin)


@pytest.fixture
def club(personas):
    club = programme(personas.admin)
    tier(personas.admin, club, "Silver", "0", multiplier="1")
    tier(personas.admin, club, "Gold", "2000", multiplier="2")
    return club


@pytest.fixture
def holder(personas):
    return company(personas.manager1, "Dvor Ltd")


def _card(admin, club, holder, number="1001") -> Card:
    return card(admin, club, holder, number)


def _balanced(card_: Card) -> None:
    card_.refresh_from_db()
    assert card_.balance == ledger_sum(card_) == lots_sum(card_)


def test_points_are_earned_once_when_the_order_is_paid_in_full(personas, shop, club, holder):
    admin = personas.admin
    c = _card(admin, club, holder)
    assert c.tier.name == "Silver"
    order = shop.order(holder, "1000")
    payment = shop.pay(order, "400")
    c.refresh_from_db()
    assert c.balance == 0  # partly paid: nothing yet
    payment = shop.pay(order)
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED  # a service: nothing to ship
    earned = PointsEntry.objects.get(card=c, kind=EntryKind.EARNED)
    assert (earned.points, earned.remaining, earned.amount, earned.order_id) == (50, 50, D("1000.00"), order.pk)
    assert earned.payment_id == payment.pk
    assert earned.expires_at is not None and earned.expires_at > timezone.now() + dt.timedelta(days=364)
    # The hook again (a replayed call): nothing more.
    assert points_earn_for_order(admin, order, payment) is None
    _balanced(c)
    assert c.balance == 50
    assert Event.objects.filter(kind="loyalty.points_earned").count() == 1


def test_earning_is_floored_and_needs_an_active_card_in_the_currency(personas, shop, club, holder):
    admin = personas.admin
    c = _card(admin, club, holder)
    shop.pay(shop.order(holder, "39.99"))  # 1.9995 points
    shop.pay(shop.order(holder, "1000", currency="EUR"))  # another currency: no card of it
    c.refresh_from_db()
    assert c.balance == 1
    card_set_blocked(admin, c.pk, blocked=True)
    shop.pay(shop.order(holder, "1000"))  # a blocked card earns nothing
    c.refresh_from_db()
    assert c.balance == 1
    assert PointsEntry.objects.filter(kind=EntryKind.EARNED).count() == 1


def test_the_tier_multiplies_points_and_follows_lifetime_spend(personas, shop, club, holder):
    admin = personas.admin
    c = _card(admin, club, holder)
    shop.pay(shop.order(holder, "1000"))  # Silver ×1: 50
    c.refresh_from_db()
    assert (c.balance, c.tier.name) == (50, "Silver")
    shop.pay(shop.order(holder, "1500"))  # earned at Silver (75), then spend 2500 ≥ 2000: Gold
    c.refresh_from_db()
    assert (c.balance, c.tier.name) == (125, "Gold")
    assert Event.objects.filter(kind="loyalty.tier_reached", target_id=c.pk).count() == 1
    shop.pay(shop.order(holder, "1000"))  # Gold ×2: 100
    c.refresh_from_db()
    assert c.balance == 225
    _balanced(c)


def test_spending_is_a_payment_and_takes_the_oldest_points_first(personas, shop, club, holder):
    admin = personas.admin
    c = _card(admin, club, holder)
    shop.pay(shop.order(holder, "1000"))
    shop.pay(shop.order(holder, "1000"))
    first, second = PointsEntry.objects.filter(card=c, kind=EntryKind.EARNED).order_by("pk")
    order = shop.order(holder, "1000")
    entry = points_spend(admin, c.pk, order_id=order.pk, points="60", note="At the till")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.remaining, second.remaining) == (0, 40)
    assert (entry.kind, entry.points, entry.amount, entry.order_id) == (EntryKind.SPENT, -60, D("60.00"), order.pk)
    order.refresh_from_db()
    assert (order.paid_amount, order.due, order.status) == (D("60.00"), D("940.00"), OrderStatus.SHIPPED)
    payment = Payment.objects.get(pk=entry.payment_id)
    assert payment.amount == D("60.00") and "1001" in payment.note
    # The rest paid in money: points are earned on the money only, at Gold (spend 2000
    # reached it): 940 × 5 / 100 × 2 = 94.
    shop.pay(order)
    earned = PointsEntry.objects.get(order=order, kind=EntryKind.EARNED)
    assert (earned.card_id, earned.points, earned.amount) == (c.pk, 94, D("940.00"))
    c.refresh_from_db()
    assert c.balance == 100 - 60 + 94
    _balanced(c)


def test_points_that_pay_an_order_in_full_close_it(personas, shop, holder):
    admin = personas.admin
    club = programme(admin, "Generous", max_share="100", earn_rate="100")
    c = _card(admin, club, holder)
    shop.pay(shop.order(holder, "100"))  # 100 points
    order = shop.order(holder, "80")
    points_spend(admin, c.pk, order_id=order.pk, points="80")
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED
    earned = PointsEntry.objects.get(order=order, kind=EntryKind.EARNED)
    assert (earned.points, earned.amount) == (0, D("0.00"))  # nothing paid in money
    _balanced(c)


def test_expiry_takes_the_unspent_rest_once(personas, shop, club, holder):
    admin = personas.admin
    c = _card(admin, club, holder)
    shop.pay(shop.order(holder, "1000"))  # 50, expiring in a year
    points_spend(admin, c.pk, order_id=shop.order(holder, "1000").pk, points="20")
    points_adjust(admin, c.pk, points="-5", note="Goodwill reversed")
    later = timezone.now() + dt.timedelta(days=366)
    assert points_expire(now=timezone.now()) == 0
    assert points_expire(now=later) == 25
    assert points_expire(now=later) == 0  # idempotent
    expired = PointsEntry.objects.get(kind=EntryKind.EXPIRED)
    assert expired.points == -25 and expired.source.kind == EntryKind.EARNED
    spent = PointsEntry.objects.get(kind=EntryKind.SPENT)
    assert spent.points == -20  # spent points stay spent
    c.refresh_from_db()
    assert c.balance == 0
    _balanced(c)
    assert Event.objects.filter(kind="loyalty.points_expired").count() == 1


def test_points_of_a_programme_without_lifetime_never_expire(personas, shop, holder):
    admin = personas.admin
    club = programme(admin, "Forever", lifetime_days="0")
    c = _card(admin, club, holder)
    shop.pay(shop.order(holder, "1000"))
    assert points_expire(now=timezone.now() + dt.timedelta(days=10000)) == 0
    c.refresh_from_db()
    assert c.balance == 50


def test_expiry_job_works_in_batches(personas, shop, club, holder):
    admin = personas.admin
    cards = [_card(admin, club, company(admin, f"Buyer {n}"), f"B-{n}") for n in range(3)]
    for c in cards:
        shop.pay(shop.order(c.holder, "1000"))
    assert points_expire(now=timezone.now() + dt.timedelta(days=400), batch=2) == 150
    assert PointsEntry.objects.filter(kind=EntryKind.EXPIRED).count() == 3
    for c in cards:
        _balanced(c)


def test_adjustments_need_a_note_and_the_change_permission(personas, shop, club, holder):
    admin = personas.admin
    c = _card(admin, club, holder)
    entry = points_adjust(admin, c.pk, points="30", note="Welcome gift")
    assert (entry.kind, entry.points, entry.remaining) == (EntryKind.ADJUSTED, 30, 30)
    before = loyalty_state()
    with pytest.raises(ValidationError) as refused:
        points_adjust(admin, c.pk, points="10", note="")
    assert refused.value.message_dict == {"note": ["Say why (the note is kept in the card's ledger)."]}
    with pytest.raises(ValidationError) as refused:
        points_adjust(admin, c.pk, points="-31", note="Too much")
    assert refused.value.message_dict == {"points": ["The card has only 30 points."]}
    with pytest.raises(PermissionDenied):
        points_adjust(personas.manager1, c.pk, points="10", note="Mine")
    assert loyalty_state() == before
    _balanced(c)


def test_ledger_entries_are_append_only(personas, shop, club, holder):
    c = _card(personas.admin, club, holder)
    shop.pay(shop.order(holder, "1000"))
    entry = PointsEntry.objects.get(card=c)
    entry.points = 500
    with pytest.raises(ImmutableEntry):
        entry.save()
    with pytest.raises(ImmutableEntry):
        entry.save(update_fields=["points"])
    with pytest.raises(ImmutableEntry):
        entry.delete()


def test_merging_the_holder_moves_the_card(personas, shop, club, holder):
    from relata.clients.services.merge import client_merge

    admin = personas.admin
    twin = company(admin, "Dvor Ltd (twin)")
    c = _card(admin, club, twin)
    holder.refresh_from_db()
    client_merge(admin, survivor_id=holder.pk, absorbed_id=twin.pk, version=holder.version)
    c.refresh_from_db()
    assert c.holder_id == holder.pk


# --- Bad input: a clear error and nothing written -----------------------------------------


@pytest.fixture
def funded(personas, shop, club, holder):
    """A card with 50 points and an open order of 1000 (30% payable by points: 300)."""
    c = _card(personas.admin, club, holder)
    shop.pay(shop.order(holder, "1000"))
    return c, shop.order(holder, "1000")


def _refused(call, expected):
    before = loyalty_state()
    with pytest.raises(ValidationError) as refused:
        call()
    assert refused.value.message_dict == expected
    assert loyalty_state() == before


def test_spending_more_than_the_balance_is_refused(personas, funded):
    c, order = funded
    _refused(
        lambda: points_spend(personas.admin, c.pk, order_id=order.pk, points="51"),
        {"points": ["The card has only 50 points."]},
    )


def test_spending_more_than_the_share_is_refused(personas, shop, funded, holder):
    c, _order = funded
    small = shop.order(holder, "100")
    _refused(
        lambda: points_spend(personas.admin, c.pk, order_id=small.pk, points="31"),
        {"points": ["Points may pay at most 30% of this order: spend at most 30 points."]},
    )
    points_spend(personas.admin, c.pk, order_id=small.pk, points="20")
    _refused(
        lambda: points_spend(personas.admin, c.pk, order_id=small.pk, points="11"),
        {"points": ["Points may pay at most 30% of this order: spend at most 10 points."]},
    )


def test_spending_on_a_cancelled_or_paid_order_is_refused(personas, shop, funded, holder):
    c, order = funded
    order_cancel(personas.admin, order.pk, version=order.version)
    _refused(
        lambda: points_spend(personas.admin, c.pk, order_id=order.pk, points="10"),
        {"order": ["This order is cancelled."]},
    )
    paid = shop.order(holder, "100")
    shop.pay(paid)
    _refused(
        lambda: points_spend(personas.admin, c.pk, order_id=paid.pk, points="10"),
        {"order": ["This order is paid in full."]},
    )


@pytest.mark.parametrize("points", ["0", "-5", "2.5", "many", ""])
def test_spending_no_points_is_refused(personas, funded, points):
    c, order = funded
    message = {
        "0": "Enter a number of points above zero.",
        "-5": "Enter a number of points above zero.",
        "2.5": "Enter a whole number of points.",
        "many": "Enter a whole number of points.",
        "": "Enter a number of points.",
    }[points]
    _refused(lambda: points_spend(personas.admin, c.pk, order_id=order.pk, points=points), {"points": [message]})


def test_spending_on_another_clients_order_is_refused(personas, shop, funded):
    c, _order = funded
    stranger = shop.order(company(personas.admin, "Someone Else"), "1000")
    _refused(
        lambda: points_spend(personas.admin, c.pk, order_id=stranger.pk, points="10"),
        {"order": ["This order is not of the card's holder."]},
    )


def test_spending_with_a_blocked_card_is_refused(personas, funded):
    c, order = funded
    card_set_blocked(personas.admin, c.pk, blocked=True, note="Lost")
    _refused(
        lambda: points_spend(personas.admin, c.pk, order_id=order.pk, points="10"),
        {"card": ["This card is blocked."]},
    )


def test_spending_needs_the_right_to_record_payments(personas, funded):
    c, order = funded
    before = loyalty_state()
    with pytest.raises(PermissionDenied):
        points_spend(personas.manager1, c.pk, order_id=order.pk, points="10")
    assert loyalty_state() == before


def test_a_card_number_is_used_once(personas, club, holder):
    _card(personas.admin, club, holder, "1001")
    other = company(personas.admin, "Other Ltd")
    _refused(
        lambda: card_issue(personas.admin, values={"programme": club.pk, "holder": other.pk, "number": "1001"}),
        {"number": ["A card with this number exists already."]},
    )


def test_a_card_for_a_client_the_actor_cannot_see_is_refused(personas, holder):
    theirs = programme(personas.other, "Beta Club")
    _refused(
        lambda: card_issue(personas.other, values={"programme": theirs.pk, "holder": holder.pk, "number": "B-1"}),
        {"holder": ["Choose a client you can see."]},
    )


def test_a_repeated_tier_threshold_is_refused(personas, club):
    from relata.loyalty.services.programmes import tier_create

    _refused(
        lambda: tier_create(personas.admin, club.pk, values={"name": "Platinum", "threshold": "2000"}),
        {"threshold": ["Another tier of this programme has this threshold."]},
    )


def test_a_programme_with_bad_values_is_refused(personas):
    from relata.loyalty.services.programmes import programme_create

    _refused(
        lambda: programme_create(
            personas.admin,
            values={"name": "", "earn_rate": "-1", "point_value": "0", "max_share": "120", "currency": "roubles"},
        ),
        {
            "name": ["Enter the programme's name."],
            "currency": ["Enter a three-letter currency code, e.g. RUB."],
            "earn_rate": ["Enter a number from 0 to 10000."],
            "point_value": ["Enter a number above 0 and at most 10000."],
            "max_share": ["Enter a number from 0 to 100."],
        },
    )


# --- Concurrency (PostgreSQL) -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_spends_of_the_last_points_one_is_refused(personas):
    """Real concurrent transactions: the card's row lock makes the second spend see what
    the first took. SQLite lets one writer in at a time anyway."""
    from django.db import connections

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions")
    admin = personas.admin
    shop = Shop(admin)
    club = programme(admin)
    holder = company(admin, "Dvor Ltd")
    c = _card(admin, club, holder)
    shop.pay(shop.order(holder, "1000"))  # 50 points
    orders = [shop.order(holder, "1000") for _ in range(2)]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def spend(order_id: int) -> None:
        try:
            barrier.wait()
            with translation.override("en"):  # a thread does not inherit the test's language
                points_spend(admin, c.pk, order_id=order_id, points="40")
            results.append("ok")
        except ValidationError as error:
            results.append(error.message_dict["points"][0])
        except Exception as error:  # reported below
            results.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=spend, args=(o.pk,)) for o in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["The card has only 10 points.", "ok"]
    c.refresh_from_db()
    assert c.balance == 10 == ledger_sum(c) == lots_sum(c)
    assert sorted(Order.objects.values_list("paid_amount", flat=True)) == [D("0.00"), D("40.00"), D("1000.00")]


def test_the_currency_of_a_programme_with_cards_is_kept(personas, club, holder):
    from relata.loyalty.services.programmes import programme_update

    _card(personas.admin, club, holder)
    values = {"name": "Bonus", "currency": "EUR", "earn_rate": "5", "point_value": "1", "max_share": "30"}
    _refused(
        lambda: programme_update(personas.admin, club.pk, version=club.version, values=values),
        {"currency": ["The programme has cards: its currency cannot change."]},
    )
    changed = programme_update(personas.admin, club.pk, version=club.version, values={**values, "currency": "RUB"})
    assert changed.version == club.version + 1
