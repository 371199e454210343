"""Sales analysis on hand-made sales whose right answer is worked out by hand.

The sales of the main dataset (period 2024-01-01 … 2024-04-30):

    Alpha Ltd (manager 1's, region Ural, channel Fair)    Beta Ltd (manager 2's, no region)
    2024-01-10 Wed  Alpha kit 1 × 100           = 100      2024-03-05 Tue  Alpha kit 3 × 100 = 300
    2024-01-20 Sat  Beta kit 2 × 100 − 25 %     = 150      2024-04-01 Mon  Gamma kit 1 × 200 = 200
                                                           (paid 100 on 03-28, 100 on 04-01: April)
    a year earlier: 2023-01-15 Alpha kit 125               a year earlier: 2023-04-10 Alpha kit 250

Not purchases: in February an unpaid order, a part-paid one and a cancelled one; a sale in
May (after the period); another workspace's sale. So February has no sales at all.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relata.analytics.reports.sales import (
    Figures,
    linear_trend,
    moving_average,
    sales_by_product,
    sales_by_region,
    sales_lines,
    sales_orders,
    sales_report,
)
from relata.analytics.services.recompute import classes_recompute
from relata.analytics.tests.sales_helpers import Store, by_key, column, period
from relata.core.models import Event

D = Decimal
PERIOD = ("2024-01-01", "2024-04-30")
QUERY = {"date_from": PERIOD[0], "date_to": PERIOD[1]}


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture
def sold(personas):
    store = Store(personas.admin, "Alpha kit", "Beta kit", "Gamma kit")
    alpha_kit, beta_kit, gamma_kit = store.products.values()
    alpha = store.client("Alpha Ltd", personas.manager1, source="Fair", addresses=[{"region": "Ural"}])
    beta = store.client("Beta Ltd", personas.manager2, status="Regular client")
    m1, m2 = personas.manager1, personas.manager2
    store.sell(alpha, [(alpha_kit, "1", "100")], day("2024-01-10"), owner=m1)
    store.sell(alpha, [(beta_kit, "2", "100", "25")], day("2024-01-20"), owner=m1)
    store.sell(beta, [(alpha_kit, "3", "100")], day("2024-03-05"), owner=m2)
    split = store.sell(beta, [(gamma_kit, "1", "200")], day("2024-03-28"), paid="100", owner=m2)
    store.pay(split, "100", day("2024-04-01"))
    store.sell(alpha, [(alpha_kit, "1", "125")], day("2023-01-15"), owner=m1)
    store.sell(beta, [(alpha_kit, "1", "250")], day("2023-04-10"), owner=m2)
    # Not purchases.
    store.sell(alpha, [(gamma_kit, "1", "1000")], None)
    store.sell(beta, [(gamma_kit, "1", "1000")], day("2024-02-05"), paid="999")
    store.sell(beta, [(gamma_kit, "1", "1000")], day("2024-02-06"), paid="0", cancel=True)
    store.sell(alpha, [(gamma_kit, "1", "1000")], day("2024-05-02"))
    other = Store(personas.other, "Outsider kit")
    other.sell(other.client("Outsider Ltd"), [(other.products["Outsider kit"], "1", "100000")], day("2024-02-10"))
    return store, alpha, beta


def report(actor, **filters):
    return by_key(sales_report(actor, period(*PERIOD, **filters)))


# --- Pure helpers ---------------------------------------------------------------------------


def test_linear_trend_and_moving_average():
    assert linear_trend([D(250), D(0), D(300), D(200)]) == D("15.00")
    assert linear_trend([D(10), D(20), D(30)]) == D("10.00")
    assert linear_trend([D(30), D(20), D(10)]) == D("-10.00")
    assert linear_trend([D(5)]) is None and linear_trend([]) is None
    assert moving_average([D(250), D(0), D(300), D(200)]) == [None, None, D("183.33"), D("166.67")]


# --- The months -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_months_with_the_year_before_the_moving_average_and_the_trend(personas, sold):
    table = report(personas.admin)["sales_by_month"]
    assert column(table, "month") == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert column(table, "revenue") == [D("250.00"), D("0.00"), D("300.00"), D("200.00")]
    assert column(table, "orders") == [2, 0, 1, 1]
    assert column(table, "clients") == [1, 0, 1, 1]
    assert column(table, "average_order") == [D("125.00"), None, D("300.00"), D("200.00")]
    assert column(table, "revenue_last_year") == [D("125.00"), D("0.00"), D("0.00"), D("250.00")]
    # February: nothing now and nothing a year earlier; March: nothing a year earlier.
    assert column(table, "change") == [D("100.0"), None, None, D("-20.0")]
    assert column(table, "moving_average") == [None, None, D("183.33"), D("166.67")]
    assert table.totals == {
        "month": "Total",
        "revenue": D("750.00"),
        "orders": 4,
        "clients": 2,
        "average_order": D("187.50"),
        "revenue_last_year": D("375.00"),
        "change": D("100.0"),
    }
    assert "Trend: +15.00 a month" in table.note
    chart = table.chart_data()
    assert chart["kind"] == "line" and chart["labels"] == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert [d["data"] for d in chart["datasets"]] == [[250.0, 0.0, 300.0, 200.0], [125.0, 0.0, 0.0, 250.0]]


@pytest.mark.django_db
def test_a_period_without_sales_has_zero_months_and_no_change(personas, sold):
    table = by_key(sales_report(personas.admin, period("2021-11-15", "2022-01-05")))["sales_by_month"]
    assert column(table, "month") == ["2021-11", "2021-12", "2022-01"]
    assert column(table, "revenue") == [D("0.00")] * 3 and column(table, "change") == [None] * 3
    assert "Trend: 0.00 a month" in table.note
    one = by_key(sales_report(personas.admin, period("2024-03-01", "2024-03-31")))["sales_by_month"]
    assert "at least two months" in one.note


@pytest.mark.django_db
def test_seasonality_by_month_of_the_year_and_weekday(personas, sold):
    tables = report(personas.admin)
    months = tables["sales_by_month_of_year"]
    assert column(months, "month")[:4] == ["January", "February", "March", "April"]
    assert column(months, "revenue")[:5] == [D("250.00"), D("0.00"), D("300.00"), D("200.00"), D("0.00")]
    assert column(months, "orders")[:4] == [2, 0, 1, 1]
    assert column(months, "share")[:4] == [D("33.3"), D("0.0"), D("40.0"), D("26.7")]
    assert column(months, "months") == [1, 1, 1, 1] + [0] * 8
    assert column(months, "per_month")[:5] == [D("250.00"), D("0.00"), D("300.00"), D("200.00"), None]
    weekdays = tables["sales_by_weekday"]
    assert column(weekdays, "weekday") == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    assert column(weekdays, "revenue") == [D(200), D(300), D(100), D(0), D(0), D(150), D(0)]
    assert weekdays.totals["revenue"] == D("750.00") and weekdays.totals["share"] == D("100.0")
    # Twelve months of which one is in the period twice: both Januaries count.
    long = by_key(sales_report(personas.admin, period("2023-01-01", "2024-01-31")))["sales_by_month_of_year"]
    assert long.rows[0]["months"] == 2 and long.rows[0]["revenue"] == D("375.00")
    assert long.rows[0]["per_month"] == D("187.50")


# --- The dimensions -------------------------------------------------------------------------


@pytest.mark.django_db
def test_products_with_discounted_lines(personas, sold):
    table = report(personas.admin)["sales_by_product"]
    assert [(r["product"], r["quantity"], r["revenue"], r["share"], r["orders"]) for r in table.rows] == [
        ("Alpha kit", D("4.000"), D("400.00"), D("53.3"), 2),
        ("Gamma kit", D("1.000"), D("200.00"), D("26.7"), 1),
        ("Beta kit", D("2.000"), D("150.00"), D("20.0"), 1),  # 2 × 100 less 25 %
    ]
    assert table.totals["revenue"] == D("750.00") and table.totals["orders"] == 4


@pytest.mark.django_db
def test_product_ranking_ties_by_name_and_the_rest_in_one_row(personas):
    store = Store(personas.admin, "Gamma kit", "Beta kit", "Alpha kit", "Delta kit")
    p = store.products
    client = store.client("Tie Ltd")
    store.sell(client, [(p["Alpha kit"], "1", "300")], day("2024-02-01"))
    store.sell(client, [(p["Gamma kit"], "1", "200"), (p["Delta kit"], "1", "50")], day("2024-02-02"))
    store.sell(client, [(p["Beta kit"], "2", "100")], day("2024-02-03"))
    filters = period(*PERIOD)
    lines = sales_lines(sales_orders(personas.admin, filters), filters)
    total = by_key(sales_report(personas.admin, filters))["sales_by_month"].totals
    assert total["revenue"] == D("750.00") and total["orders"] == 3
    table = sales_by_product(lines, Figures(D("750.00"), 3, 1), top=2)
    # Beta and Gamma tie at 200: Beta ranks first by name; Gamma and Delta are the rest.
    assert [(r["product"], r["revenue"], r["orders"]) for r in table.rows] == [
        ("Alpha kit", D("300.00"), 1),
        ("Beta kit", D("200.00"), 1),
        ("2 other products", D("250.00"), 1),  # one order holds both
    ]
    assert table.rows[-1]["quantity"] is None and table.rows[-1]["share"] == D("33.3")
    everything = sales_by_product(lines, Figures(D("750.00"), 3, 1))
    assert [r["product"] for r in everything.rows] == ["Alpha kit", "Beta kit", "Gamma kit", "Delta kit"]


@pytest.mark.django_db
def test_managers_regions_statuses_and_abc_classes(personas, sold):
    classes_recompute(personas.admin.workspace, period_end="2024-02-01", months=1)  # January: Alpha only
    tables = report(personas.admin)
    managers = tables["sales_by_manager"]
    assert [(r["manager"], r["revenue"], r["orders"], r["clients"], r["share"]) for r in managers.rows] == [
        ("Max South", D("500.00"), 2, 1, D("66.7")),
        ("Mila North", D("250.00"), 2, 1, D("33.3")),
    ]
    regions = tables["sales_by_region"]
    assert [(r["region"], r["revenue"]) for r in regions.rows] == [("not set", D("500.00")), ("Ural", D("250.00"))]
    filters = period(*PERIOD)
    total = Figures(D("750.00"), 4, 2)
    top_one = sales_by_region(sales_orders(personas.admin, filters), filters, total, top=1)
    assert [(r["region"], r["revenue"], r["orders"], r["clients"]) for r in top_one.rows] == [
        ("not set", D("500.00"), 2, 1),
        ("1 other region", D("250.00"), 2, 1),
    ]
    statuses = tables["sales_by_status"]
    assert [r["status"] for r in statuses.rows][-1] == "Regular client"
    assert [r["revenue"] for r in statuses.rows] == [D("250.00"), D("500.00")]
    abc = tables["sales_by_abc"]
    assert [(r["abc"], r["revenue"], r["clients"]) for r in abc.rows] == [
        ("A", D("250.00"), 1),
        ("No class", D("500.00"), 1),
    ]
    for key in ("sales_by_manager", "sales_by_region", "sales_by_status", "sales_by_abc"):
        assert tables[key].totals["revenue"] == D("750.00"), key


@pytest.mark.django_db
def test_the_product_filter_counts_only_that_products_lines(personas, sold):
    store, _alpha, _beta = sold
    tables = report(personas.admin, product=store.products["Alpha kit"].pk)
    months = tables["sales_by_month"]
    assert column(months, "revenue") == [D("100.00"), D("0.00"), D("300.00"), D("0.00")]
    assert column(months, "revenue_last_year") == [D("125.00"), D("0.00"), D("0.00"), D("250.00")]
    assert months.totals["orders"] == 2
    assert [r["product"] for r in tables["sales_by_product"].rows] == ["Alpha kit"]


@pytest.mark.django_db
def test_the_manager_filter_is_the_order_owner_and_the_channel_the_client_source(personas, sold):
    store, _alpha, beta = sold
    # An order of Beta (manager 2's client) sold by manager 1 counts for manager 1.
    (epsilon,) = store.add_products("Epsilon kit")
    store.sell(beta, [(epsilon, "1", "40")], day("2024-02-20"), owner=personas.manager1)
    mine = report(personas.admin, manager=personas.manager1.user_id)["sales_by_month"]
    assert column(mine, "revenue") == [D("250.00"), D("40.00"), D("0.00"), D("0.00")]
    fair = report(personas.admin, channel="Fair")["sales_by_month"]
    assert fair.totals["revenue"] == D("250.00") and fair.totals["clients"] == 1


@pytest.mark.django_db
def test_scope_own_sees_the_sales_to_own_clients_only(personas, api_as, sold):
    response = api_as(personas.manager2).get("/api/v1/analytics/sales", QUERY)
    assert response.status_code == 200, response.content
    tables = {t["key"]: t for t in response.json()}
    assert tables["sales_by_month"]["totals"]["revenue"] == "500.00"
    assert [r["manager"] for r in tables["sales_by_manager"]["rows"]] == ["Max South"]
    body = response.content.decode()
    assert "Alpha Ltd" not in body and "Ural" not in body and "Mila North" not in body
    everyone = api_as(personas.head).get("/api/v1/analytics/sales", QUERY)
    assert {t["key"]: t for t in everyone.json()}["sales_by_month"]["totals"]["revenue"] == "750.00"


# --- API, page, export ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_returns_every_table(personas, api_as, sold):
    data = api_as(personas.admin).get("/api/v1/analytics/sales", QUERY).json()
    assert [t["key"] for t in data] == [
        "sales_by_month",
        "sales_by_month_of_year",
        "sales_by_weekday",
        "sales_by_product",
        "sales_by_manager",
        "sales_by_region",
        "sales_by_status",
        "sales_by_abc",
    ]
    month = data[0]
    assert [c["key"] for c in month["columns"]][:3] == ["month", "revenue", "orders"]
    assert month["rows"][1] == {
        "month": "2024-02",
        "revenue": "0.00",
        "orders": 0,
        "clients": 0,
        "average_order": None,
        "revenue_last_year": "0.00",
        "change": None,
        "moving_average": None,
    }
    assert "Trend" in month["note"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2024-05-01", "date_to": "2024-04-30"}, "date_to"),
        ({"date_from": "yesterday"}, "date_from"),
        ({"date_from": "2010-01-01", "date_to": "2024-01-01"}, "date_to"),
        ({"manager": 999999}, "manager"),
        ({"product": 999999}, "product"),
        ({"segment": 999999}, "segment"),
    ],
)
def test_bad_filters_are_named(personas, api_as, params, field):
    response = api_as(personas.admin).get("/api/v1/analytics/sales", params)
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_another_workspaces_product_is_no_filter(personas, api_as):
    other = Store(personas.other, "Foreign kit")
    response = api_as(personas.admin).get("/api/v1/analytics/sales", {"product": other.products["Foreign kit"].pk})
    assert response.status_code == 422


@pytest.mark.django_db
def test_the_page_draws_the_tables_and_exports_them(personas, client_as, sold):
    url = reverse("analytics:sales")
    page = client_as(personas.admin).get(url, QUERY)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="report-sales_by_month"' in html and 'id="sales_by_month-chart"' in html
    assert 'data-testid="analytics-tabs"' in html and reverse("analytics:lifetime") in html
    assert 'id="f-product"' in html and 'id="f-pipeline"' not in html
    export = client_as(personas.admin).get(
        url, {"date_from": PERIOD[0], "date_to": PERIOD[1], "table": "sales_by_product", "fmt": "csv"}
    )
    assert export.status_code == 200
    body = b"".join(export.streaming_content if export.streaming else [export.content]).decode("utf-8-sig")
    assert "Alpha kit" in body and "400" in body
    event = Event.objects.get(kind="analytics.report_exported")
    assert event.data["table"] == "sales_by_product" and event.data["rows"] == 3
    # A manager reads the report but may not export it; a bad period is shown, not raised.
    assert client_as(personas.manager1).get(url, {"table": "sales_by_month", "fmt": "csv"}).status_code == 403
    assert client_as(personas.admin).get(url, {"date_from": "2024-13-01"}).status_code == 400


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_data(personas, sold):
    filters = period(*PERIOD)
    with CaptureQueriesContext(connection) as before:
        sales_report(personas.admin, filters)
    store = sold[0]
    for i, item in enumerate(store.add_products(*(f"Extra kit {i}" for i in range(5)))):
        client = store.client(f"Extra {i} Ltd", addresses=[{"region": f"Region {i}"}])
        store.sell(client, [(item, "1", "10")], day(f"2024-0{1 + i % 4}-1{i}"))
    with CaptureQueriesContext(connection) as after:
        tables = by_key(sales_report(personas.admin, filters))
    assert tables["sales_by_month"].totals["revenue"] == D("800.00")
    assert len(after.captured_queries) == len(before.captured_queries)
