"""ABC of products on hand-made purchases where the answer is known: shares, classes at the
thresholds, cumulative share, XYZ of the monthly revenue, what is not a purchase, the
actor's scope; and the report base every report shares (filters checked and named, the
page, the API's tables, export under `analytics.export`, audited)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from relata.analytics.reports.filters import ReportFilters
from relata.analytics.reports.products import product_abc
from relata.analytics.tests.helpers import day_in, period_end
from relata.clients.services.segments import segment_create
from relata.core.models import Event
from relata.orders.models import Order
from relata.orders.services.orders import order_cancel, order_create, payment_create
from relata.orders.tests.helpers import company, product, warehouse

pytestmark = pytest.mark.django_db

D = Decimal


class Store:
    def __init__(self, admin) -> None:
        self.admin = admin
        self.warehouse = warehouse(admin, "Report store")
        self.items = {name: product(admin, name, kind="service") for name in ("Alpha", "Beta", "Gamma", "Delta")}

    def sell(self, client, lines: dict[str, str], on, *, paid: str | None = None, owner=None) -> Order:
        order = order_create(
            self.admin,
            values={
                "client": client.pk,
                "warehouse": self.warehouse.pk,
                "lines": [
                    {"product": self.items[name].pk, "quantity": "1", "price": price} for name, price in lines.items()
                ],
            },
        )
        amount = paid if paid is not None else str(order.total)
        if amount != "0":
            payment_create(self.admin, order.pk, values={"amount": amount, "date": on.isoformat()})
        if owner is not None:
            Order.objects.filter(pk=order.pk).update(owner=owner.user)
        order.refresh_from_db()
        return order


@pytest.fixture
def store(personas):
    return Store(personas.admin)


def _period(months: int = 3) -> ReportFilters:
    """The last `months` whole months before this month's first day."""
    return ReportFilters(date_from=day_in(months, 1), date_to=period_end() - dt.timedelta(days=1))


def _rows(tables, key):
    return next(t for t in tables if t.key == key).rows


def test_shares_classes_and_the_cumulative_share(personas, store):
    buyer = company(personas.manager1, "Buyer Ltd")
    # Alpha 800 (80 %), Beta 150 (15 %), Gamma 50 (5 %): A, B, C at the default 80/15/5.
    store.sell(buyer, {"Alpha": "400", "Beta": "150"}, day_in(3))
    store.sell(buyer, {"Alpha": "400", "Gamma": "50"}, day_in(1))
    tables = product_abc(personas.admin, _period())
    rows = _rows(tables, "products_abc")
    assert [(r["product"], r["abc"], r["revenue"], r["share"], r["cumulative"]) for r in rows] == [
        ("Alpha", "A", D("800.00"), D("80.0"), D("80.0")),
        ("Beta", "B", D("150.00"), D("15.0"), D("95.0")),
        ("Gamma", "C", D("50.00"), D("5.0"), D("100.0")),
    ]
    assert (rows[0]["orders"], rows[0]["clients"]) == (2, 1)
    summary = _rows(tables, "products_abc_summary")
    assert [(r["abc"], r["products"], r["revenue"]) for r in summary] == [
        ("A", 1, D("800.00")),
        ("B", 1, D("150.00")),
        ("C", 1, D("50.00")),
    ]
    assert sum(r["revenue"] for r in summary) == D("1000.00")


def test_xyz_follows_the_monthly_revenue_with_empty_months_as_zero(personas, store):
    buyer = company(personas.manager1, "Buyer Ltd")
    for months_before in (1, 2, 3):  # Alpha the same every month: no variation
        store.sell(buyer, {"Alpha": "100"}, day_in(months_before))
    store.sell(buyer, {"Beta": "300"}, day_in(2))  # Beta once in three months
    rows = {r["product"]: r for r in _rows(product_abc(personas.admin, _period()), "products_abc")}
    assert (rows["Alpha"]["xyz"], rows["Alpha"]["variation"]) == ("X", D("0.00"))
    # 300, 0, 0: mean 100, population standard deviation 141.42…: 141.42 %.
    assert (rows["Beta"]["xyz"], rows["Beta"]["variation"]) == ("Z", D("141.42"))


def test_ties_rank_by_id_and_share_the_boundary_rule(personas, store):
    buyer = company(personas.manager1, "Buyer Ltd")
    store.sell(buyer, {"Alpha": "500", "Beta": "500"}, day_in(1))
    rows = _rows(product_abc(personas.admin, _period()), "products_abc")
    # Alpha (lower id) first: nothing above it, A; Beta has 50 % above: still A.
    assert [(r["product"], r["abc"]) for r in rows] == [("Alpha", "A"), ("Beta", "A")]


def test_unpaid_part_paid_cancelled_and_out_of_period_orders_are_not_purchases(personas, store):
    buyer = company(personas.manager1, "Buyer Ltd")
    store.sell(buyer, {"Alpha": "100"}, day_in(1))
    store.sell(buyer, {"Beta": "100"}, day_in(1), paid="0")
    store.sell(buyer, {"Gamma": "100"}, day_in(1), paid="40")
    cancelled = store.sell(buyer, {"Delta": "100"}, day_in(1), paid="0")
    order_cancel(personas.admin, cancelled.pk, version=cancelled.version)
    store.sell(buyer, {"Delta": "100"}, day_in(6))  # before the period
    rows = _rows(product_abc(personas.admin, _period()), "products_abc")
    assert [r["product"] for r in rows] == ["Alpha"]
    empty = product_abc(personas.admin, _period(1).with_period(day_in(12, 1), day_in(11, 1)))
    assert _rows(empty, "products_abc") == [] and _rows(empty, "products_abc_summary") == []


def test_a_manager_counts_only_the_orders_they_may_see(personas, store):
    mine = company(personas.manager1, "Mine Ltd")
    theirs = company(personas.manager2, "Theirs Ltd")
    store.sell(mine, {"Alpha": "100"}, day_in(1), owner=personas.manager1)
    store.sell(theirs, {"Beta": "900"}, day_in(1), owner=personas.manager2)
    as_manager1 = _rows(product_abc(personas.manager1, _period()), "products_abc")
    assert [(r["product"], r["share"]) for r in as_manager1] == [("Alpha", D("100.0"))]
    as_admin = _rows(product_abc(personas.admin, _period()), "products_abc")
    assert [r["product"] for r in as_admin] == ["Beta", "Alpha"]
    # The manager filter narrows to that manager's clients.
    filtered = product_abc(personas.admin, dataclasses.replace(_period(), manager=personas.manager2.user_id))
    assert [r["product"] for r in _rows(filtered, "products_abc")] == ["Beta"]


def test_a_segment_narrows_the_clients(personas, store):
    north = company(personas.manager1, "North Ltd")
    south = company(personas.manager1, "South Ltd")
    store.sell(north, {"Alpha": "100"}, day_in(1))
    store.sell(south, {"Beta": "100"}, day_in(1))
    segment = segment_create(
        personas.admin,
        name="North",
        entity="company",
        definition={"conditions": [{"field": "name", "op": "contains", "value": "North"}]},
    )
    filters = dataclasses.replace(_period(), segment=segment.pk)
    assert [r["product"] for r in _rows(product_abc(personas.admin, filters), "products_abc")] == ["Alpha"]


def test_the_page_the_api_and_bad_filters(personas, store, client_as, api_as):
    buyer = company(personas.manager1, "Buyer Ltd")
    store.sell(buyer, {"Alpha": "800", "Beta": "200"}, day_in(1))
    params = {"date_from": day_in(3, 1).isoformat(), "date_to": period_end().isoformat()}
    page = client_as(personas.admin).get(reverse("analytics:products"), params)
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        "Alpha" in html
        and 'data-testid="report-products_abc"' in html
        and 'data-chart="products_abc_summary-chart"' in html
    )
    answer = api_as(personas.admin).get("/api/v1/analytics/products", params)
    assert answer.status_code == 200
    tables = {t["key"]: t for t in answer.json()}
    assert [(r["product"], r["abc"]) for r in tables["products_abc"]["rows"]] == [("Alpha", "A"), ("Beta", "B")]
    assert tables["products_abc"]["columns"][0] == {"key": "product", "label": "Product", "kind": "text"}
    bad = api_as(personas.admin).get(
        "/api/v1/analytics/products", {"date_from": "2026-13-01", "date_to": "2025-01-01", "manager": 999999}
    )
    assert bad.status_code == 422
    assert set(bad.json()["error"]["fields"]) == {"date_from", "manager"}
    inverted = api_as(personas.admin).get(
        "/api/v1/analytics/products", {"date_from": "2026-05-01", "date_to": "2026-04-01"}
    )
    assert set(inverted.json()["error"]["fields"]) == {"date_to"}
    bad_page = client_as(personas.admin).get(reverse("analytics:products"), {"date_from": "yesterday"})
    assert bad_page.status_code == 400 and "YYYY-MM-DD" in bad_page.content.decode()


def test_a_segment_of_another_workspace_is_refused(personas, api_as):
    theirs = segment_create(personas.other, name="Theirs", entity="company", kind="static")
    answer = api_as(personas.admin).get("/api/v1/analytics/products", {"segment": theirs.pk})
    assert answer.status_code == 422 and set(answer.json()["error"]["fields"]) == {"segment"}


def test_export_needs_analytics_export_and_is_audited(personas, store, client_as):
    buyer = company(personas.manager1, "Buyer Ltd")
    store.sell(buyer, {"Alpha": "800"}, day_in(1))
    params = {"date_from": day_in(3, 1).isoformat(), "date_to": period_end().isoformat(), "table": "products_abc"}
    download = client_as(personas.admin).get(reverse("analytics:products"), {**params, "fmt": "csv"})
    assert download.status_code == 200
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Product", "ABC", "Revenue"]
    assert rows[1][:3] == ["Alpha", "A", "800.00"] and rows[-1][0] == "Total"
    event = Event.objects.get(kind="analytics.report_exported")
    assert (event.data["table"], event.data["rows"], event.data["format"]) == ("products_abc", 1, "csv")
    assert client_as(personas.manager1).get(reverse("analytics:products"), {**params, "fmt": "csv"}).status_code == 403
    wrong = client_as(personas.admin).get(reverse("analytics:products"), {**params, "table": "nothing", "fmt": "csv"})
    assert wrong.status_code == 400 and "no such table" in wrong.content.decode()
