"""Manager performance (analytics:managers): each measure on a small hand-made dataset in
October 2026 (Moscow time), the scope (own, team, all), the filters, the page, the API
and the export."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import add_member
from relata.activities.models import Task
from relata.activities.services.activities import activity_log
from relata.activities.services.tasks import task_complete, task_create
from relata.activities.tests.helpers import company, task_type
from relata.analytics.reports.filters import ReportFilters
from relata.analytics.reports.managers import managers_report, plan_targets
from relata.analytics.reports.table import Table
from relata.analytics.tests.helpers import Shop, buy
from relata.clients.models import Client
from relata.clients.services.segments import segment_create
from relata.core.models import Team
from relata.orders.models import Order
from relata.sales.models import Deal, Lead
from relata.sales.services.deals import deal_lose, deal_win
from relata.sales.services.leads import lead_create, lead_qualify, lead_reject, lead_update
from relata.sales.services.plans import sales_plan_create
from relata.sales.services.settings import pipeline_create, stage_create
from relata.sales.tests.helpers import deal, reason

pytestmark = pytest.mark.django_db

MSK = zoneinfo.ZoneInfo("Europe/Moscow")
OCTOBER = ReportFilters(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
URL = "/api/v1/analytics/managers"


def at(day: int, hour: int = 10, minute: int = 0, month: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=MSK)


def won(member: Any, amount: str | None, created: dt.datetime, closed: dt.datetime, **values: Any) -> Deal:
    made = deal(member, f"Won {amount} {closed:%m-%d}", amount=amount, **values)
    deal_win(member, made.pk, version=made.version)
    Deal.objects.filter(pk=made.pk).update(created_at=created, closed_at=closed)
    return made


def lost(member: Any, closed: dt.datetime, **values: Any) -> Deal:
    made = deal(member, f"Lost {closed:%m-%d %H}", amount="1000", **values)
    deal_lose(member, made.pk, version=made.version, reason=reason(member).pk)
    Deal.objects.filter(pk=made.pk).update(closed_at=closed)
    return made


def plan(admin: Any, member: Any, amount: str, start: str = "2026-10-01", kind: str = "month", **values: Any) -> None:
    sales_plan_create(
        admin,
        values={
            "period_kind": kind,
            "period_start": start,
            "manager": member.user_id,
            "target_amount": amount,
            **values,
        },
    )


def log(member: Any, client: Any, kind: str, when: dt.datetime, direction: str = "") -> None:
    activity_log(
        member,
        client_id=client.pk,
        values={"kind": kind, "direction": direction, "occurred_at": when.isoformat(), "subject": "x"},
        run_rules=False,
    )


def task(member: Any, due: dt.datetime, completed: dt.datetime | None = None) -> Task:
    made = task_create(
        member, values={"type": task_type(member).pk, "title": "Call", "due_at": due.isoformat()}, allow_past=True
    )
    if completed is not None:
        task_complete(member, made.pk, result="done")
        Task.objects.filter(pk=made.pk).update(completed_at=completed)
    return made


def lead(member: Any, created: dt.datetime, source: str = "web_form", **values: Any) -> Lead:
    made = lead_create(member, values={"contact_name": "Visitor", "email": "v@example.com", "source": source, **values})
    Lead.objects.filter(pk=made.pk).update(created_at=created)
    made.refresh_from_db()
    return made


def table(tables: list[Table], key: str) -> Table:
    return next(t for t in tables if t.key == key)


def rows_by_name(t: Table) -> dict[str, dict[str, Any]]:
    return {row["manager"]: row for row in t.rows}


@pytest.fixture
def october(personas: Any) -> Any:
    """Mila North (manager 1) and Max South (manager 2) in October 2026: see each test."""
    p = personas
    m1, m2 = p.manager1, p.manager2
    mila_client = company(m1, "Mila's Bricks", phones=["+7 916 123-45-67"], source="fair")
    max_client = company(m2, "Max's Cement")
    # Mila: won 100 000 in 10 days and 50 000 in 4 days, lost one; one won in November.
    won(m1, "100000", at(1), at(11), client=mila_client.pk)
    won(m1, "50000", at(5), at(9))
    lost(m1, at(20))
    won(m1, "70000", at(1), at(2, month=11))
    # Max: won 150 000 (the same won amount: a tie) in 1 day, lost two.
    won(m2, "150000", at(1), at(2))
    lost(m2, at(3))
    lost(m2, at(30, 23, 59))
    lost(m2, at(1, 0, 0, month=11))  # November in Moscow: not counted
    # Plans: Mila 200 000 for October; Max a quarter (not inside October) only.
    plan(p.admin, m1, "200000")
    plan(p.admin, m2, "600000", "2026-10-01", kind="quarter")
    # Revenue: a 30 000 order paid in October owned by Mila, an unpaid one, one paid in November.
    shop = Shop(p.admin)
    paid = buy(shop, mila_client, "30000", dt.date(2026, 10, 15))
    unpaid = buy(shop, mila_client, "9000", dt.date(2026, 10, 15), paid="0")
    later = buy(shop, mila_client, "8000", dt.date(2026, 11, 1))
    Order.objects.filter(pk__in=[paid.pk, unpaid.pk, later.pk]).update(owner=m1.user)
    # Activities: Mila two outgoing calls and a meeting, Max an e-mail; one in November.
    log(m1, mila_client, "call", at(3), "out")
    log(m1, mila_client, "call", at(4), "out")
    log(m1, mila_client, "meeting", at(4, 15))
    log(m2, max_client, "email", at(6), "out")
    log(m2, max_client, "email", at(6, month=11), "out")
    # Tasks: Mila one late, one on time, one open and overdue now.
    task(m1, at(10), completed=at(12))
    task(m1, at(20), completed=at(19))
    task(m1, at(30))  # due in October, still open
    task(m1, at(1, month=11))  # due in November: not October's
    # Leads of Mila: answered by a call 2.5 h later (an incoming call 1 h later is no
    # answer), rejected 5 h later, never answered; a typed-in one left out.
    known = lead(m1, at(5), phone="+79161234567")
    assert known.client_id == mila_client.pk
    log(m1, mila_client, "call", at(5, 11), "in")
    log(m1, mila_client, "call", at(5, 12, 30), "out")
    rejected = lead(m1, at(6))
    lead_reject(m1, rejected.pk, version=rejected.version, reason="Spam or a test")
    Lead.objects.filter(pk=rejected.pk).update(closed_at=at(6, 15))
    lead(m1, at(7))
    lead(m1, at(8), source="manual")
    return p


def test_sales_table(october):
    p = october
    sales = table(managers_report(p.admin, OCTOBER), "managers_sales")
    # The tie on the won amount is broken by name: Max before Mila.
    assert [row["manager"] for row in sales.rows] == ["Max South", "Mila North"]
    mila, max_ = rows_by_name(sales)["Mila North"], rows_by_name(sales)["Max South"]
    assert mila == {
        "manager": "Mila North",
        "won": 2,
        "won_amount": Decimal("150000.00"),
        "lost": 1,
        "win_rate": Decimal("66.7"),
        "revenue": Decimal("30000.00"),
        "average_won": Decimal("75000.00"),
        "days_to_win": Decimal("7.0"),
        "plan": Decimal("200000.00"),
        "plan_percent": Decimal("75.0"),
    }
    assert max_["won"] == 1 and max_["lost"] == 2 and max_["win_rate"] == Decimal("33.3")
    assert max_["days_to_win"] == Decimal("1.0") and max_["revenue"] == Decimal("0.00")
    assert max_["plan"] is None and max_["plan_percent"] is None  # the quarter is not inside October
    assert sales.totals is not None
    assert sales.totals["won"] == 3 and sales.totals["lost"] == 3
    assert sales.totals["won_amount"] == Decimal("300000.00")
    assert sales.totals["win_rate"] == Decimal("50.0")
    assert sales.totals["days_to_win"] == Decimal("5.0")  # (10 + 4 + 1) / 3
    assert sales.totals["plan"] == Decimal("200000.00")
    assert sales.totals["plan_percent"] == Decimal("75.0")  # Max has no plan: his wins are not against it
    assert sales.chart_data() is not None


def test_activities_table(october):
    p = october
    now = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)
    work = table(managers_report(p.admin, OCTOBER, now=now), "managers_activities")
    keys = [c.key for c in work.columns]
    # Only the kinds present are columns.
    assert keys == [
        "manager",
        "kind_call",
        "kind_email",
        "kind_meeting",
        "activities",
        "tasks_done",
        "tasks_late",
        "tasks_overdue",
    ]
    mila, max_ = rows_by_name(work)["Mila North"], rows_by_name(work)["Max South"]
    # Mila: two calls, the incoming call and the answering call of 5 October too.
    assert (mila["kind_call"], mila["kind_email"], mila["kind_meeting"], mila["activities"]) == (4, 0, 1, 5)
    assert (mila["tasks_done"], mila["tasks_late"], mila["tasks_overdue"]) == (2, 1, 1)
    assert (max_["kind_email"], max_["activities"], max_["tasks_done"], max_["tasks_overdue"]) == (1, 1, 0, 0)
    assert work.totals is not None and work.totals["activities"] == 6 and work.totals["kind_call"] == 4


def test_overdue_is_counted_at_the_moment_asked(october):
    p = october
    before_due = dt.datetime(2026, 10, 29, 12, 0, tzinfo=dt.UTC)
    work = table(managers_report(p.admin, OCTOBER, now=before_due), "managers_activities")
    assert rows_by_name(work)["Mila North"]["tasks_overdue"] == 0


def test_response_table(october):
    p = october
    response = table(managers_report(p.admin, OCTOBER), "managers_response")
    mila = rows_by_name(response)["Mila North"]
    assert (mila["received"], mila["answered"], mila["unanswered"]) == (3, 2, 1)
    assert mila["average_hours"] == Decimal("3.8")  # (2.5 + 5) / 2 = 3.75
    assert mila["median_hours"] == Decimal("3.8")
    max_ = rows_by_name(response)["Max South"]
    assert (max_["received"], max_["average_hours"], max_["median_hours"]) == (0, None, None)
    assert (mila["qualified"], mila["conversion"], max_["conversion"]) == (0, Decimal("0.0"), None)
    assert "first change of status" in response.note


def test_a_status_change_answers_a_lead_and_the_median_differs_from_the_mean(personas):
    p = personas
    m1 = p.manager1
    now = timezone.now()
    waits = [1, 2, 9]  # hours: mean 4.0, median 2.0
    for hours in waits:
        made = lead(m1, now - dt.timedelta(hours=hours))
        lead_update(m1, made.pk, version=made.version, values={"status": "in_work"})
    today = timezone.localtime(now, MSK).date()
    filters = ReportFilters(today - dt.timedelta(days=1), today)
    [row] = table(managers_report(p.admin, filters), "managers_response").rows
    assert (row["received"], row["answered"], row["unanswered"]) == (3, 3, 0)
    assert row["average_hours"] == Decimal("4.0")
    assert row["median_hours"] == Decimal("2.0")


def test_a_qualification_answers_a_lead_and_counts_in_the_conversion(personas):
    p = personas
    m1 = p.manager1
    now = timezone.now()
    qualified = lead(m1, now - dt.timedelta(hours=6), company_name="Quartz Ltd")
    lead_qualify(m1, qualified.pk, version=qualified.version, values={})
    lead(m1, now - dt.timedelta(hours=1), email="late@example.com")
    today = timezone.localtime(now, MSK).date()
    [row] = table(
        managers_report(p.admin, ReportFilters(today - dt.timedelta(days=1), today)), "managers_response"
    ).rows
    assert (row["received"], row["answered"], row["unanswered"]) == (2, 1, 1)
    assert row["average_hours"] == Decimal("6.0")
    assert (row["qualified"], row["conversion"]) == (1, Decimal("50.0"))


def test_members_with_nothing_have_no_row_and_an_empty_period_no_totals(october):
    p = october
    names = {row["manager"] for row in table(managers_report(p.admin, OCTOBER), "managers_sales").rows}
    assert names == {"Max South", "Mila North"}  # the administrator, the head and the reader did nothing
    empty = managers_report(p.admin, ReportFilters(dt.date(2025, 1, 1), dt.date(2025, 1, 31)))
    assert all(t.rows == [] and t.totals is None for t in empty)


def test_the_same_members_are_rows_of_every_table(october):
    p = october
    tables = managers_report(p.admin, OCTOBER)
    assert [r["manager"] for r in tables[0].rows] == [r["manager"] for r in tables[1].rows]
    assert [r["manager"] for r in tables[0].rows] == [r["manager"] for r in tables[2].rows]


def test_scope_own_sees_only_their_own_row(october):
    p = october
    tables = managers_report(p.manager2, OCTOBER)
    for t in tables:
        assert [row["manager"] for row in t.rows] == ["Max South"], t.key
    assert table(tables, "managers_sales").rows[0]["won_amount"] == Decimal("150000.00")
    # Asking for a colleague gives nothing, not the colleague's figures.
    filters = ReportFilters(OCTOBER.date_from, OCTOBER.date_to, manager=p.manager1.user_id)
    assert all(t.rows == [] for t in managers_report(p.manager2, filters))


def test_scope_team_sees_the_team_subtree(october):
    p = october
    west = Team.objects.create(workspace=p.admin.workspace, name="West")
    olga = add_member(p.admin, "m3@alpha.test", "Olga West", "sales_manager", west)
    won(olga, "10000", at(2), at(3))
    # The administrator calls Mila's client: the head sees the call on the client's
    # history, but the administrator is not in the head's team, so it is no row of theirs.
    log(p.admin, Client.objects.get(name="Mila's Bricks"), "call", at(9), "out")
    head_names = {r["manager"] for r in table(managers_report(p.head, OCTOBER), "managers_activities").rows}
    admin_names = {r["manager"] for r in table(managers_report(p.admin, OCTOBER), "managers_activities").rows}
    assert head_names == {"Max South", "Mila North"}
    assert admin_names == {"Alice Admin", "Max South", "Mila North", "Olga West"}


def test_manager_filter_keeps_one_row(october):
    p = october
    filters = ReportFilters(OCTOBER.date_from, OCTOBER.date_to, manager=p.manager1.user_id)
    for t in managers_report(p.admin, filters):
        assert [row["manager"] for row in t.rows] == ["Mila North"]


def test_pipeline_and_channel_filters(october):
    p = october
    second = pipeline_create(p.admin, values={"name": "Projects"})
    first_stage = stage_create(p.admin, second.pk, values={"name": "Talk", "probability": 20})
    won(p.manager2, "5000", at(2), at(3), pipeline=second.pk, stage=first_stage.pk)
    only_second = ReportFilters(OCTOBER.date_from, OCTOBER.date_to, pipeline=second.pk)
    sales = table(managers_report(p.admin, only_second), "managers_sales")
    assert {r["manager"]: r["won_amount"] for r in sales.rows}["Max South"] == Decimal("5000.00")
    assert rows_by_name(sales)["Max South"]["won"] == 1
    # Revenue is of orders made from the pipeline's deals: none here.
    assert rows_by_name(sales)["Mila North"]["revenue"] == Decimal("0.00")
    # Channel = the client's source: nobody's client came from "radio".
    by_channel = ReportFilters(OCTOBER.date_from, OCTOBER.date_to, channel="radio")
    sales, work, response = managers_report(p.admin, by_channel)
    # Plans are not of a channel: Mila's plan stays, against nothing won.
    assert sales.rows == [
        {
            "manager": "Mila North",
            "won": 0,
            "won_amount": Decimal("0.00"),
            "lost": 0,
            "win_rate": None,
            "revenue": Decimal("0.00"),
            "average_won": None,
            "days_to_win": None,
            "plan": Decimal("200000.00"),
            "plan_percent": Decimal("0.0"),
        }
    ]
    assert work.rows[0]["activities"] == 0 and response.rows[0]["received"] == 0


@pytest.mark.parametrize("by", ["channel", "segment"])
def test_client_filters_keep_the_records_of_those_clients(october, by):
    p = october
    if by == "channel":
        filters = ReportFilters(OCTOBER.date_from, OCTOBER.date_to, channel="fair")
    else:
        segment = segment_create(
            p.admin,
            name="From the fair",
            entity="company",
            definition={"conditions": [{"field": "source", "op": "eq", "value": "fair"}]},
        )
        filters = ReportFilters(OCTOBER.date_from, OCTOBER.date_to, segment=segment.pk)
    sales, work, response = managers_report(p.admin, filters)
    # Only Mila's client came from the fair: her deal of 100 000 with it (the others have
    # no client), her orders, her contacts with it and the lead linked to it.
    assert [r["manager"] for r in sales.rows] == ["Mila North"]
    [row] = sales.rows
    assert (row["won"], row["won_amount"], row["lost"], row["revenue"]) == (
        1,
        Decimal("100000.00"),
        0,
        Decimal("30000.00"),
    )
    assert work.rows[0]["activities"] == 5 and work.rows[0]["tasks_done"] == 0
    assert (response.rows[0]["received"], response.rows[0]["answered"]) == (1, 1)
    assert response.rows[0]["average_hours"] == Decimal("2.5")


def test_the_number_of_queries_does_not_grow_with_the_data(october):
    p = october

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            managers_report(p.admin, OCTOBER)
        return len(queries)

    before = count()
    west = Team.objects.create(workspace=p.admin.workspace, name="West")
    olga = add_member(p.admin, "m3@alpha.test", "Olga West", "sales_manager", west)
    olga_client = company(olga, "Olga's Glass")
    for day in range(2, 8):
        won(olga, "1000", at(1), at(day))
        lost(olga, at(day, 12))
        log(olga, olga_client, "visit", at(day))
        task(olga, at(day), completed=at(day, 15))
        lead(olga, at(day), email=f"o{day}@example.com")
    plan(p.admin, olga, "9000")
    assert len(table(managers_report(p.admin, OCTOBER), "managers_sales").rows) == 3
    assert count() == before


def test_plan_rules_quarters_and_pipelines(personas):
    p = personas
    m1 = p.manager1
    second = pipeline_create(p.admin, values={"name": "Projects"})
    plan(p.admin, m1, "100", "2026-10-01")
    plan(p.admin, m1, "200", "2026-11-01")
    plan(p.admin, m1, "30", "2026-11-01", pipeline=second.pk)  # replaced by the all-pipelines plan
    plan(p.admin, m1, "40", "2026-12-01", pipeline=second.pk)  # the only plan of December
    plan(p.admin, m1, "1000", "2026-10-01", kind="quarter")
    plan(p.admin, m1, "5", "2027-01-01")  # outside
    october = plan_targets(p.admin, OCTOBER)
    assert october == {m1.user_id: Decimal("100.00")}  # the quarter is not inside October
    quarter = ReportFilters(dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert plan_targets(p.admin, quarter) == {m1.user_id: Decimal("1000.00")}  # the quarter replaces its months
    on_second = ReportFilters(dt.date(2026, 11, 1), dt.date(2026, 12, 31), pipeline=second.pk)
    assert plan_targets(p.admin, on_second) == {m1.user_id: Decimal("70.00")}
    two_months = ReportFilters(dt.date(2026, 11, 1), dt.date(2026, 12, 31))
    assert plan_targets(p.admin, two_months) == {m1.user_id: Decimal("240.00")}
    assert plan_targets(p.manager2, two_months) == {}  # scope own: not their plans


# --- API, page, export ------------------------------------------------------------------


def test_api_returns_the_tables(october, api_as):
    p = october
    response = api_as(p.head).get(URL, {"date_from": "2026-10-01", "date_to": "2026-10-31"})
    assert response.status_code == 200
    body = response.json()
    assert [t["key"] for t in body] == ["managers_sales", "managers_activities", "managers_response"]
    mila = next(r for r in body[0]["rows"] if r["manager"] == "Mila North")
    assert Decimal(str(mila["won_amount"])) == Decimal("150000")
    assert body[0]["totals"]["won"] == 3


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_from": "2026-10-31", "date_to": "2026-10-01"}, "date_to"),
        ({"manager": 999999}, "manager"),
        ({"pipeline": 999999}, "pipeline"),
        ({"segment": 999999}, "segment"),
    ],
)
def test_api_refuses_bad_filters(personas, api_as, params, field):
    response = api_as(personas.admin).get(URL, params)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]


def test_api_needs_analytics_view(personas, api_as):
    p = personas
    store = add_member(p.admin, "store@alpha.test", "Stan Store", "storekeeper", None)
    assert api_as(store).get(URL).status_code == 403
    assert api_as(None).get(URL).status_code == 401


def test_page_shows_the_figures(october, client_as):
    p = october
    response = client_as(p.head).get("/analytics/managers/?date_from=2026-10-01&date_to=2026-10-31")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Mila North" in text and "Max South" in text
    assert "150,000.00" in text and "200,000.00" in text
    assert 'data-testid="report-managers_response"' in text
    assert "/analytics/managers/" in text  # the tab


def test_page_with_a_bad_filter_is_400_with_the_field_error(personas, client_as):
    response = client_as(personas.admin).get("/analytics/managers/?date_from=yesterday")
    assert response.status_code == 400
    assert "Enter a date as YYYY-MM-DD." in response.content.decode()


def test_export_csv_for_a_role_with_export_and_403_without(october, client_as):
    p = october
    url = "/analytics/managers/?date_from=2026-10-01&date_to=2026-10-31&table=managers_sales&fmt=csv"
    response = client_as(p.head).get(url)
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8-sig")
    assert "Mila North" in text and "Max South" in text and "Total" in text
    assert client_as(p.manager2).get(url).status_code == 403
