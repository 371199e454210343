"""The lead statistics: by month received (qualified, rejected, still open), by source and
channel, and the rejection reasons; filters, scope, page and API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from relata.analytics.services.classes import add_months
from relata.analytics.tests.funnel_helpers import MSK, by_key, clock, rows
from relata.sales.services.leads import lead_create, lead_qualify, lead_reject

pytestmark = pytest.mark.django_db

CURRENT = timezone.localdate().replace(day=1)
FIRST, SECOND = add_months(CURRENT, -2), add_months(CURRENT, -1)
PERIOD = {"date_from": FIRST.isoformat(), "date_to": (CURRENT - dt.timedelta(days=1)).isoformat()}


def noon(month: dt.date, day: int = 15) -> dt.datetime:
    return dt.datetime.combine(month.replace(day=day), dt.time(12), tzinfo=MSK)


def lead(member, month, n, *, source="web_form", channel="", outcome="", reason=""):
    with clock(noon(month)):
        made = lead_create(
            member,
            values={"contact_name": f"Lead {n}", "phone": f"+7916123{n:04d}", "source": source, "channel": channel},
        )
        if outcome == "qualified":
            lead_qualify(member, made.pk, version=made.version, values={})
        elif outcome == "rejected":
            lead_reject(member, made.pk, version=made.version, reason=reason)
    return made


@pytest.fixture
def leads(personas):
    m1, m2 = personas.manager1, personas.manager2
    lead(m1, FIRST, 1, channel="Yandex Direct", outcome="qualified")
    lead(m1, FIRST, 2, channel="Yandex Direct", outcome="rejected", reason="Spam or a test")
    lead(m1, FIRST, 3, source="phone_call")
    lead(m1, SECOND, 4, source="phone_call", outcome="qualified")
    lead(m1, SECOND, 5, source="email", outcome="rejected", reason="No budget")
    lead(m1, SECOND, 6, source="email", outcome="rejected", reason="Spam or a test")
    lead(m2, SECOND, 7, channel="Yandex Direct")
    lead(m1, CURRENT, 8, outcome="rejected", reason="Duplicate of another lead")  # after the period


def leads_api(api_as, member, **params):
    response = api_as(member).get("/api/v1/analytics/leads", {**PERIOD, **params})
    assert response.status_code == 200, response.content
    return by_key(response.json())


COUNTS = ("received", "qualified", "rejected", "open", "rate")


def test_leads_by_month_by_source_and_rejections(personas, api_as, leads):
    tables = leads_api(api_as, personas.admin)
    assert list(tables) == ["leads_by_month", "leads_by_source", "lead_rejections"]
    assert rows(tables["leads_by_month"], "month", *COUNTS) == [
        (f"{FIRST:%Y-%m}", 3, 1, 1, 1, "33.3"),
        (f"{SECOND:%Y-%m}", 4, 1, 2, 1, "25.0"),
    ]
    totals = tables["leads_by_month"]["totals"]
    assert tuple(totals[key] for key in COUNTS) == (7, 2, 3, 2, "28.6")
    assert rows(tables["leads_by_source"], "source", "channel", *COUNTS) == [
        ("Web form", "Yandex Direct", 3, 1, 1, 1, "33.3"),
        ("E-mail", None, 2, 0, 2, 0, "0.0"),
        ("Phone call", None, 2, 1, 0, 1, "50.0"),
    ]
    assert rows(tables["lead_rejections"], "reason", "count", "share") == [
        ("Spam or a test", 2, "66.7"),
        ("No budget", 1, "33.3"),
    ]
    assert tables["lead_rejections"]["totals"]["count"] == 3


def test_months_without_leads_are_shown_and_a_period_without_any_is_empty(personas, api_as, leads):
    wider = leads_api(api_as, personas.admin, date_from=add_months(FIRST, -1).isoformat())
    assert rows(wider["leads_by_month"], "received")[:2] == [(0,), (3,)]
    empty = leads_api(api_as, personas.admin, date_from="2001-01-01", date_to="2001-03-31")
    assert all(table["rows"] == [] and table["totals"] is None for table in empty.values())


def test_manager_filter_and_scope(personas, api_as, leads):
    theirs = leads_api(api_as, personas.admin, manager=personas.manager2.user_id)
    assert rows(theirs["leads_by_month"], "received") == [(0,), (1,)]
    own = leads_api(api_as, personas.manager2)
    assert own["leads_by_month"]["totals"]["received"] == 1
    assert own["lead_rejections"]["rows"] == []
    assert leads_api(api_as, personas.head)["leads_by_month"]["totals"]["received"] == 7
    assert all(table["rows"] == [] for table in leads_api(api_as, personas.other).values())
    assert api_as(personas.admin).get("/api/v1/analytics/leads", {"manager": "abc"}).status_code == 422
    assert api_as(personas.admin).get("/api/v1/analytics/leads", {"date_to": "yesterday"}).status_code == 422
    assert api_as(None).get("/api/v1/analytics/leads").status_code == 401


def test_the_page_and_its_export(personas, client_as, leads):
    page = client_as(personas.admin)
    response = page.get(reverse("analytics:leads"), PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-chart="leads_by_month-chart"' in html and "Yandex Direct" in html
    assert 'id="f-manager"' in html and 'id="f-pipeline"' not in html
    export = page.get(reverse("analytics:leads"), {**PERIOD, "table": "lead_rejections", "fmt": "xlsx"})
    assert export.status_code == 200
    assert "spreadsheetml" in export["Content-Type"]
