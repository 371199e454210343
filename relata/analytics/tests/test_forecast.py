"""The forecast: open deals by expected close month, weighted by each deal's probability,
against the monthly plan and what is won; the overdue or undated row; the months shown;
filters, scope, page and API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from relata.analytics.reports.filters import ReportFilters
from relata.analytics.reports.forecast import forecast_months
from relata.analytics.services.classes import add_months
from relata.analytics.tests.funnel_helpers import by_key, client, deal, lose, move, pipeline, rows, stages, win
from relata.sales.models import Deal
from relata.sales.services.deals import deal_update
from relata.sales.services.plans import sales_plan_create

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
CURRENT = TODAY.replace(day=1)
NEXT = add_months(CURRENT, 1)
LATER = add_months(CURRENT, 2)


def month(start: dt.date) -> str:
    return f"{start:%Y-%m}"


def plan(personas, start, amount, **subject):
    return sales_plan_create(
        personas.admin,
        values={"period_kind": "month", "period_start": start.isoformat(), "target_amount": amount, **subject},
    )


@pytest.fixture
def forecast(personas):
    m1, m2 = personas.manager1, personas.manager2
    now = timezone.now()
    _new, _qualification, offer, negotiation, _contract = stages(m1)
    deal(m1, now, "1000", expected_close_date=TODAY.isoformat())  # New, 10 %
    q = deal(m1, now, "2000", expected_close_date=NEXT.replace(day=10).isoformat())
    move(m1, q, negotiation, now)  # 60 %
    fair = client(m2, "Fair Co", source="Fair")
    r = deal(m2, now, "500", client=fair, stage=offer, expected_close_date=NEXT.replace(day=20).isoformat())
    r.refresh_from_db()
    deal_update(m2, r.pk, version=r.version, values={"probability": 90})  # the manager's own estimate
    deal(m1, now, "300", expected_close_date=(TODAY - dt.timedelta(days=40)).isoformat())  # overdue
    deal(m1, now, "400")  # undated
    deal(m1, now, "800", currency="USD", expected_close_date=TODAY.isoformat())  # counted, not added
    deal(m1, now, "5000", expected_close_date=add_months(CURRENT, 7).isoformat())  # beyond the months shown
    win(m1, deal(m1, now, "1500", expected_close_date=TODAY.isoformat()), now)
    lose(m1, deal(m1, now, "700", expected_close_date=TODAY.isoformat()), now)
    # Plans: this month the managers' own (the team's is not added to them); next month
    # only teams' (the outermost, Sales, covers North); the month after, manager 1 per
    # pipeline only, manager 2 for all pipelines and for this one.
    plan(personas, CURRENT, "2000", manager=m1.user_id)
    plan(personas, CURRENT, "1000", manager=m2.user_id)
    plan(personas, CURRENT, "9999", team=personas.north.pk)
    plan(personas, NEXT, "5000", team=personas.sales.pk)
    plan(personas, NEXT, "3000", team=personas.north.pk)
    plan(personas, LATER, "700", manager=m1.user_id, pipeline=pipeline(m1).pk)
    plan(personas, LATER, "100", manager=m2.user_id)
    plan(personas, LATER, "50", manager=m2.user_id, pipeline=pipeline(m1).pk)
    quarter = CURRENT.replace(month=(CURRENT.month - 1) // 3 * 3 + 1)
    sales_plan_create(
        personas.admin,
        values={
            "period_kind": "quarter",
            "period_start": quarter.isoformat(),
            "manager": m1.user_id,
            "target_amount": "99999",
        },
    )


def forecast_api(api_as, member, **params):
    response = api_as(member).get("/api/v1/analytics/forecast", params)
    assert response.status_code == 200, response.content
    tables = by_key(response.json())
    assert list(tables) == ["forecast"]
    return tables["forecast"]


COLUMNS = ("month", "deals", "amount", "weighted", "plan", "won", "expected")


def test_forecast_by_month_against_plan_and_won(personas, api_as, forecast):
    table = forecast_api(api_as, personas.admin)
    assert rows(table, *COLUMNS) == [
        (month(CURRENT), 2, "1000.00", "100.00", "3000.00", "1500.00", "53.3"),
        (month(NEXT), 2, "2500.00", "1650.00", "5000.00", "0.00", "33.0"),
        (month(LATER), 0, "0.00", "0.00", "800.00", "0.00", "0.0"),
        *[(month(add_months(CURRENT, n)), 0, "0.00", "0.00", None, "0.00", None) for n in (3, 4, 5)],
        ("Overdue or undated", 2, "700.00", "70.00", None, None, None),
    ]
    totals = table["totals"]
    assert tuple(totals[key] for key in COLUMNS) == ("Total", 6, "4200.00", "1820.00", "8800.00", "1500.00", "36.9")


def test_filters_manager_pipeline_channel_and_future_period(personas, api_as, forecast):
    theirs = forecast_api(api_as, personas.admin, manager=personas.manager2.user_id)
    assert rows(theirs, "month", "deals", "weighted", "plan")[:3] == [
        (month(CURRENT), 0, "0.00", "1000.00"),
        (month(NEXT), 1, "450.00", None),
        (month(LATER), 0, "0.00", "100.00"),
    ]
    in_pipeline = forecast_api(api_as, personas.admin, pipeline=pipeline(personas.admin).pk)
    assert in_pipeline["rows"][2]["plan"] == "750.00"
    assert in_pipeline["rows"][0]["plan"] is None  # no plan of this month names the pipeline
    fair = forecast_api(api_as, personas.admin, channel="Fair")
    assert fair["totals"]["deals"] == 1 and fair["totals"]["weighted"] == "450.00"
    future = forecast_api(
        api_as,
        personas.admin,
        date_from=NEXT.isoformat(),
        date_to=(add_months(LATER, 1) - dt.timedelta(days=1)).isoformat(),
    )
    assert [row["month"] for row in future["rows"]] == [month(NEXT), month(LATER), "Overdue or undated"]
    assert api_as(personas.admin).get("/api/v1/analytics/forecast", {"segment": 0}).status_code == 422


def test_scope(personas, api_as, forecast):
    own = forecast_api(api_as, personas.manager2)
    assert own["totals"]["deals"] == 1
    # Manager 2 sees their own plans only.
    assert [row["plan"] for row in own["rows"][:3]] == ["1000.00", None, "100.00"]
    assert forecast_api(api_as, personas.head)["totals"]["deals"] == 6
    other = forecast_api(api_as, personas.other)
    assert other["rows"] == [] and other["totals"] is None
    assert api_as(None).get("/api/v1/analytics/forecast").status_code == 401


def test_the_months_shown():
    today = dt.date(2026, 5, 17)

    def months(date_from, date_to):
        return [f"{m:%Y-%m}" for m in forecast_months(ReportFilters(date_from, date_to), today)]

    six = ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    assert months(dt.date(2025, 5, 1), today) == six  # the default period, in the past
    assert months(dt.date(2026, 5, 1), dt.date(2026, 5, 31)) == six  # ends this month
    assert months(dt.date(2026, 1, 1), dt.date(2026, 7, 3)) == ["2026-05", "2026-06", "2026-07"]
    assert months(dt.date(2026, 8, 1), dt.date(2027, 1, 31))[0] == "2026-08"
    assert len(months(dt.date(2026, 8, 1), dt.date(2027, 1, 31))) == 6


def test_the_page(personas, client_as, forecast):
    response = client_as(personas.head).get(reverse("analytics:forecast"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-chart="forecast-chart"' in html and "Overdue or undated" in html
    assert 'id="f-pipeline"' in html and 'id="f-segment"' in html
    assert Deal.objects.filter(status="open").count() == 7
