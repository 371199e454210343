"""`of_clients_in` keeps the same rows as the semi-join it replaces
(`client__in=clients_in(actor, filters)`), for every scope and client filter: the reports'
visibility rule, checked row for row."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from relata.analytics.reports.filters import ReportFilters, clients_in, of_clients_in
from relata.analytics.tests.helpers import Shop, buy, day_in
from relata.clients.services.clients import client_create
from relata.orders.models import Order

pytestmark = pytest.mark.django_db


def test_the_scope_and_the_client_filters_keep_the_same_rows_as_the_semi_join(personas):
    shop = Shop(personas.admin)
    for owner, source in itertools.product(
        (personas.admin, personas.head, personas.manager1, personas.manager2), ("Fair", "Web", "")
    ):
        client = client_create(
            owner, kind="company", values={"name": f"{owner.user.full_name} {source}", "source": source}
        )
        buy(shop, client, "10", day_in(1))
    buy(
        Shop(personas.other),
        client_create(personas.other, kind="company", values={"name": "Elsewhere"}),
        "5",
        day_in(1),
    )
    personas.readonly.is_active = False
    personas.readonly.save(update_fields=["is_active"])
    period = ReportFilters(dt.date(2000, 1, 1), dt.date(2100, 1, 1))
    variants = [
        period,
        ReportFilters(period.date_from, period.date_to, channel="Fair"),
        ReportFilters(period.date_from, period.date_to, manager=personas.manager2.user_id),
        ReportFilters(period.date_from, period.date_to, manager=personas.manager1.user_id, channel="Web"),
    ]
    for actor, filters in itertools.product(
        (personas.admin, personas.head, personas.manager1, personas.manager2, personas.readonly), variants
    ):
        orders = Order.objects.filter(workspace_id=actor.workspace_id)
        expected = set(orders.filter(client__in=clients_in(actor, filters).values("pk")).values_list("pk", flat=True))
        assert set(of_clients_in(orders, actor, filters).values_list("pk", flat=True)) == expected, (actor, filters)
    # Not vacuous: the scopes see different rows, and an inactive member none.
    seen = {name: of_clients_in(Order.objects.all(), member, period).count() for name, member in personas.all().items()}
    assert (seen["admin"], seen["head"], seen["manager1"], seen["readonly"]) == (12, 9, 3, 0)
