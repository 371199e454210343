"""ABC, XYZ and RFM on hand-made purchases whose right answer is known (product.md §8)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from relata.analytics.models import ClientClass
from relata.analytics.services.classes import (
    Period,
    Thresholds,
    abc_classes,
    quintile_scores,
    rfm_segment,
    score,
    xyz_class,
)
from relata.analytics.services.recompute import classes_recompute
from relata.analytics.tests.helpers import Shop, add_months, buy, company, day_in, period_end
from relata.orders.services.orders import order_cancel

D = Decimal
DEFAULT = Thresholds()


def classes() -> dict[str, ClientClass]:
    return {c.client.name: c for c in ClientClass.objects.select_related("client")}


# --- Pure rules ---------------------------------------------------------------------------


def test_abc_boundaries_belong_to_the_upper_class():
    # Shares above each client: 0, 70, 90, 96 (%): the crossers of 80 and 95 stay upper.
    revenues = {1: D(70), 2: D(20), 3: D(6), 4: D(4)}
    assert abc_classes(revenues, DEFAULT) == {1: "A", 2: "A", 3: "B", 4: "C"}


def test_abc_a_share_exactly_at_the_threshold_is_b():
    # Above client 3: exactly 80 %, not below 80 → B; above client 4: exactly 95 % → C.
    assert abc_classes({1: D(50), 2: D(30), 3: D(15), 4: D(5)}, DEFAULT) == {1: "A", 2: "A", 3: "B", 4: "C"}


def test_abc_ties_are_ranked_by_id_and_zero_revenue_has_no_class():
    # 9 and 5 tie: 5 ranks first (A, nothing above); 9 has 44.4 % above → B (A < 40 %);
    # 1 has 88.9 % above → C (B < 85 %); 7 has no revenue.
    revenues = {9: D(10), 5: D(10), 7: D(0), 1: D("2.5")}
    thresholds = Thresholds(abc_a=D(40), abc_b=D(45))
    assert abc_classes(revenues, thresholds) == {5: "A", 9: "B", 1: "C"}


def test_xyz_counts_months_without_purchases_as_zero():
    assert xyz_class([D(100), D(100), D(100)], 3, DEFAULT) == ("X", D("0.00"))
    assert xyz_class([D(100), D(80), D(120)], 3, DEFAULT) == ("Y", D("16.33"))
    assert xyz_class([D(100), D(100)], 3, DEFAULT) == ("Z", D("70.71"))  # one month empty
    # One order in twelve months: √11 ≈ 331.66 %.
    assert xyz_class([D(500)], 12, DEFAULT) == ("Z", D("331.66"))
    assert xyz_class([], 12, DEFAULT) == ("", None)


def test_quintile_scores_by_mid_rank():
    assert quintile_scores({i: D(i) for i in range(1, 6)}) == {1: 1, 2: 2, 3: 3, 4: 4, 5: 5}
    assert quintile_scores({1: D(10)}) == {1: 3}  # a lone client is in the middle
    assert quintile_scores({1: D(1), 2: D(2), 3: D(3)}) == {1: 1, 2: 3, 3: 5}
    assert quintile_scores({1: D(1), 2: D(1), 3: D(7)}) == {1: 2, 2: 2, 3: 5}  # ties share
    assert score(0, 10, 10) == 3


def test_rfm_segments_cover_every_pair():
    assert rfm_segment(5, 5) == "champions"
    assert rfm_segment(4, 1) == "potential"
    assert rfm_segment(3, 3) == "loyal"
    assert rfm_segment(3, 2) == "attention"
    assert rfm_segment(1, 5) == "at_risk"
    assert rfm_segment(2, 1) == "hibernating"
    assert rfm_segment(1, 1) == "lost"
    assert {rfm_segment(r, f) for r in range(1, 6) for f in range(1, 6)} == {
        "champions",
        "potential",
        "loyal",
        "attention",
        "at_risk",
        "hibernating",
        "lost",
    }


def test_period_months():
    end = period_end()
    assert Period(add_months(end, -3), end).months == [add_months(end, -3), add_months(end, -2), add_months(end, -1)]


# --- In the database ----------------------------------------------------------------------


@pytest.fixture
def shop(personas):
    return Shop(personas.admin)


@pytest.mark.django_db
def test_revenue_counts_paid_orders_of_the_period_only(personas, shop):
    alpha, beta, gamma, delta = (company(personas.manager1, n) for n in ("Alpha", "Beta", "Gamma", "Delta"))
    buy(shop, alpha, "70", day_in(2))
    buy(shop, beta, "20", day_in(3))
    buy(shop, gamma, "6", day_in(1))
    buy(shop, delta, "4", day_in(1))
    # Not purchases: unpaid, part-paid, cancelled, paid before the period or in the current month.
    buy(shop, gamma, "1000", day_in(1), paid="0")
    buy(shop, delta, "1000", day_in(1), paid="999")
    cancelled = buy(shop, delta, "1000", day_in(1), paid="0")
    order_cancel(personas.admin, cancelled.pk, version=cancelled.version)
    buy(shop, alpha, "1000", day_in(13))
    buy(shop, beta, "1000", period_end())
    # Another workspace's client never counts.
    other = Shop(personas.other)
    buy(other, company(personas.other, "Outsider"), "100000", day_in(1))

    result = classes_recompute(personas.admin.workspace)

    assert result["clients"] == 4
    found = classes()
    assert {name: (c.revenue, c.abc, c.orders) for name, c in found.items()} == {
        "Alpha": (D("70.00"), "A", 1),
        "Beta": (D("20.00"), "A", 1),
        "Gamma": (D("6.00"), "B", 1),
        "Delta": (D("4.00"), "C", 1),
    }
    assert found["Gamma"].period_start == add_months(period_end(), -12)
    assert found["Gamma"].period_end == period_end()
    assert found["Gamma"].recency_days == (period_end() - day_in(1)).days
    assert found["Alpha"].xyz == "Z"  # one purchase in twelve months


@pytest.mark.django_db
def test_xyz_and_rfm_over_three_months(personas, shop):
    steady, rising, once = (company(personas.manager1, n) for n in ("Steady", "Rising", "Once"))
    for months_before in (3, 2, 1):
        buy(shop, steady, "100", day_in(months_before, 5))
    buy(shop, rising, "80", day_in(3))
    buy(shop, rising, "100", day_in(2))
    buy(shop, rising, "60", day_in(1, 3))
    buy(shop, rising, "60", day_in(1, 4))
    buy(shop, once, "300", day_in(1, 20))

    classes_recompute(personas.admin.workspace, months=3)

    found = classes()
    assert (found["Steady"].xyz, found["Steady"].variation) == ("X", D("0.00"))
    assert (found["Rising"].xyz, found["Rising"].variation) == ("Y", D("16.33"))
    assert (found["Once"].xyz, found["Once"].variation) == ("Z", D("141.42"))
    # Recency: the last purchases are on days 4 (Rising), 5 (Steady) and 20 (Once) of the
    # last month → R 1, 3, 5.
    assert (found["Rising"].r, found["Steady"].r, found["Once"].r) == (1, 3, 5)
    # Frequency: 4, 3, 1 orders → 5, 3, 1. Monetary: 300, 300, 300: one tie → 3 each.
    assert (found["Rising"].f, found["Steady"].f, found["Once"].f) == (5, 3, 1)
    assert {c.m for c in found.values()} == {3}
    assert found["Rising"].rfm_segment == "at_risk"
    assert found["Steady"].rfm_segment == "loyal"
    assert found["Once"].rfm_segment == "potential"


@pytest.mark.django_db
def test_recompute_replaces_the_rows(personas, shop):
    first, second = company(personas.manager1, "First"), company(personas.manager1, "Second")
    buy(shop, first, "10", day_in(1))
    classes_recompute(personas.admin.workspace)
    assert set(classes()) == {"First"}
    buy(shop, second, "10", day_in(1))
    classes_recompute(personas.admin.workspace)
    classes_recompute(personas.admin.workspace)
    assert set(classes()) == {"First", "Second"}
    assert ClientClass.objects.count() == 2


def test_merging_two_classified_clients_keeps_the_survivors_class(personas, shop):
    """The merge refuses foreign keys nobody registered; the absorbed client's class is
    dropped (its purchases are the survivor's now, counted at the next recomputation)."""
    from relata.clients.services.merge import client_merge

    survivor, absorbed = company(personas.manager1, "Dvor Ltd"), company(personas.manager1, "Dvor Ltd.")
    buy(shop, survivor, "10", day_in(1))
    buy(shop, absorbed, "20", day_in(1))
    classes_recompute(personas.admin.workspace)
    assert set(classes()) == {"Dvor Ltd", "Dvor Ltd."}
    client_merge(personas.admin, survivor_id=survivor.pk, absorbed_id=absorbed.pk, version=survivor.version)
    assert set(classes()) == {"Dvor Ltd"}
    classes_recompute(personas.admin.workspace)
    assert classes()["Dvor Ltd"].orders == 2
