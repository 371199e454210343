"""Hypothesis: the ABC classes partition the revenue, and A is the top of the ranking."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from relata.analytics.services.classes import Thresholds, abc_classes, abc_ranking

revenues = st.dictionaries(
    st.integers(min_value=1, max_value=10_000),
    st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False),
    max_size=40,
)
thresholds = st.tuples(st.integers(1, 98), st.integers(1, 98)).filter(lambda t: t[0] + t[1] < 100)


@given(revenues, thresholds)
def test_abc_shares_sum_to_the_total_and_a_is_the_top(values, limits):
    t = Thresholds(abc_a=Decimal(limits[0]), abc_b=Decimal(limits[1]))
    classes = abc_classes(values, t)
    positive = {k: v for k, v in values.items() if v > 0}
    assert set(classes) == set(positive)
    by_class = {c: sum((positive[k] for k, cls in classes.items() if cls == c), Decimal(0)) for c in "ABC"}
    assert sum(by_class.values()) == sum(positive.values())
    ranking = [k for k, _v in abc_ranking(values)]
    order = [classes[k] for k in ranking]
    assert order == sorted(order)  # A ⊂ the top, then B, then C
    if ranking:
        assert classes[ranking[0]] == "A"
        total = sum(positive.values())
        # Every A client but the crosser lies wholly within the A share.
        a_clients = [k for k in ranking if classes[k] == "A"]
        assert sum(positive[k] for k in a_clients[:-1]) * 100 < t.abc_a * total
