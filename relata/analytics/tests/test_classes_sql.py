"""The two paths of the client classes agree: the INSERT … SELECT of PostgreSQL
(`classes_sql`) and the Python path that SQLite uses (`client_measures`), client by
client, on purchases drawn with many ties (same amounts, same days, same counts)."""

from __future__ import annotations

import random

import pytest
from django.db import connection

from relata.analytics.models import ClientClass
from relata.analytics.services.classes import Thresholds, client_measures
from relata.analytics.services.recompute import classes_recompute, clean_period
from relata.analytics.tests.helpers import Shop, buy, company, day_in

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has only the Python path"),
]

FIELDS = ["abc", "xyz", "variation", "r", "f", "m", "rfm_segment", "revenue", "orders", "last_purchase", "recency_days"]


def test_the_sql_path_and_the_python_path_give_every_client_the_same_classes(personas):
    shop = Shop(personas.admin)
    rng = random.Random(7)
    clients = [company(personas.manager1, f"Client {n}") for n in range(24)]
    for client in clients:
        for _n in range(rng.choice([1, 1, 2, 3, 5])):
            amount = rng.choice(["100", "100", "250.50", "999.99", "3"])
            buy(shop, client, amount, day_in(rng.randint(1, 6), rng.choice([3, 10, 10, 28])))
    buy(shop, clients[0], "500", day_in(2), paid="100")  # part-paid: no purchase

    classes_recompute(personas.admin.workspace, months=6)

    stored = {row["client_id"]: row for row in ClientClass.objects.values("client_id", *FIELDS)}
    period = clean_period(months=6)
    python = {
        m.client_id: {"client_id": m.client_id, **{f: getattr(m, f) for f in FIELDS}}
        for m in client_measures(personas.admin.workspace, period, Thresholds())
    }
    assert len(stored) == len(clients)
    assert stored == python
    assert {row["abc"] for row in stored.values()} == {"A", "B", "C"}
    assert len({row["r"] for row in stored.values()}) > 2
