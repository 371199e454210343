"""The funnel report: stages reached (skips and moves back), conversions, time in stage,
losses by stage and reason, won and lost by manager, channel and client status; its
filters, scope, page, export and API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from relata.analytics.reports.filters import report_filters
from relata.analytics.reports.funnel import funnel_report
from relata.analytics.tests.funnel_helpers import MSK, by_key, client, clock, deal, lose, move, rows, stages, win
from relata.clients.services.segments import segment_add_clients, segment_create
from relata.core.models import Event
from relata.sales.services.settings import pipeline_create, stage_create

pytestmark = pytest.mark.django_db

T0 = (timezone.now() - dt.timedelta(days=30)).astimezone(MSK).replace(hour=10, minute=0, second=0, microsecond=0)
NOW = T0 + dt.timedelta(days=10)


def day(n: float) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


PERIOD = {"date_from": (T0 - dt.timedelta(days=1)).date().isoformat(), "date_to": NOW.date().isoformat()}


@pytest.fixture
def funnel(personas):
    """Seven deals of the default pipeline (New, Qualification, Commercial offer,
    Negotiation, Contract and invoice):

    A (manager 1, North Ltd, 1000): New → Qualification (day 2) → Offer (day 5), won day 6;
    B (manager 1, North Ltd, 2000): New → Negotiation on day 1 (skipping two), lost day 4 (price);
    C (manager 1, no client, 500): New, open;
    D (manager 2, Fair Co from the "Fair" channel, 300): created at Offer, lost day 3 (competitor);
    F (manager 1, 700 USD): New, open;
    G (manager 1, 400): New → Offer (day 1) → back to Qualification (day 3), open;
    E (manager 1): created before the period.
    """
    m1, m2 = personas.manager1, personas.manager2
    new, qualification, offer, negotiation, _contract = stages(m1)
    north = client(m1, "North Ltd", status="client")
    fair = client(m2, "Fair Co", source="Fair", status="considering")
    a = deal(m1, day(0), "1000", client=north)
    move(m1, a, qualification, day(2))
    move(m1, a, offer, day(5))
    win(m1, a, day(6))
    b = deal(m1, day(0), "2000", client=north)
    move(m1, b, negotiation, day(1))
    lose(m1, b, day(4), "price")
    deal(m1, day(0), "500")
    d = deal(m2, day(0), "300", client=fair, stage=offer)
    lose(m2, d, day(3), "competitor")
    deal(m1, day(0), "700", currency="USD")
    g = deal(m1, day(0), "400")
    move(m1, g, offer, day(1))
    move(m1, g, qualification, day(3))
    deal(m1, day(-5), "9999")
    return {"north": north, "fair": fair, "stages": (new, qualification, offer, negotiation)}


def funnel_api(api_as, member, **params):
    with clock(NOW):
        response = api_as(member).get("/api/v1/analytics/funnel", {**PERIOD, **params})
    assert response.status_code == 200, response.content
    return by_key(response.json())


STAGE_COLUMNS = ("stage", "deals", "amount", "conversion_previous", "conversion_first", "days", "open", "won", "lost")


def test_stages_reached_conversions_and_time_in_stage(personas, api_as, funnel):
    tables = funnel_api(api_as, personas.admin)
    assert list(tables) == [
        "funnel_stages",
        "funnel_losses",
        "funnel_losses_by_manager",
        "funnel_losses_by_channel",
        "funnel_losses_by_segment",
    ]
    stages_table = tables["funnel_stages"]
    assert rows(stages_table, *STAGE_COLUMNS) == [
        # Every deal entered the funnel; C and F are still in New.
        # Days: A 2, B 1, C 10 and F 10 (open, up to now), G 1 → 24 / 5.
        ("New", 6, "4200.00", None, "100.0", "4.8", 2, 0, 0),
        # A entered; B (skipped to Negotiation), D (created at Offer) and G (went back
        # here from Offer) had reached it. Days: A 3, G 7 (open).
        ("Qualification", 4, "3700.00", "66.7", "66.7", "5.0", 1, 0, 0),
        # Days: A 1, D 3, G 2.
        ("Commercial offer", 4, "3700.00", "100.0", "66.7", "2.0", 0, 1, 1),
        ("Negotiation", 1, "2000.00", "25.0", "16.7", "3.0", 0, 0, 1),
        ("Contract and invoice", 0, "0.00", "0.0", "0.0", None, 0, 0, 0),
    ]
    totals = stages_table["totals"]
    assert (totals["deals"], totals["amount"], totals["open"], totals["won"], totals["lost"]) == (6, "4200.00", 3, 1, 2)
    assert "RUB" in stages_table["note"]


def test_losses_by_stage_and_reason_and_by_manager_channel_and_status(personas, api_as, funnel):
    tables = funnel_api(api_as, personas.admin)
    losses = tables["funnel_losses"]
    assert rows(losses, "stage", "reason", "count", "amount", "share") == [
        ("Commercial offer", "Chose a competitor", 1, "300.00", "50.0"),
        ("Negotiation", "Price too high", 1, "2000.00", "50.0"),
    ]
    assert losses["totals"]["count"] == 2 and losses["totals"]["amount"] == "2300.00"
    outcome = ("name", "lost", "won", "win_rate", "lost_amount")
    assert rows(tables["funnel_losses_by_manager"], *outcome) == [
        ("Max South", 1, 0, "0.0", "300.00"),
        ("Mila North", 1, 1, "50.0", "2000.00"),
    ]
    assert tables["funnel_losses_by_manager"]["totals"]["win_rate"] == "33.3"
    assert rows(tables["funnel_losses_by_channel"], *outcome) == [
        ("Fair", 1, 0, "0.0", "300.00"),
        ("Source not stated", 1, 1, "50.0", "2000.00"),
    ]
    # Client statuses in the workspace's order: Considering before Client.
    assert rows(tables["funnel_losses_by_segment"], *outcome) == [
        ("Considering", 1, 0, "0.0", "300.00"),
        ("Client", 1, 1, "50.0", "2000.00"),
    ]


def test_filters_narrow_by_deal_owner_channel_and_segment(personas, api_as, funnel):
    # The manager is the deal's owner: manager 2's deal D on manager 2's client.
    mine = funnel_api(api_as, personas.admin, manager=personas.manager2.user_id)
    assert rows(mine["funnel_stages"], "stage", "deals")[:4] == [
        ("New", 1),
        ("Qualification", 1),
        ("Commercial offer", 1),
        ("Negotiation", 0),
    ]
    assert mine["funnel_losses_by_manager"]["rows"][0]["name"] == "Max South"
    fair = funnel_api(api_as, personas.admin, channel="Fair")
    assert fair["funnel_stages"]["totals"]["deals"] == 1
    assert rows(fair["funnel_losses"], "reason") == [("Chose a competitor",)]
    # A static segment holding North Ltd: deals A and B.
    segment = segment_create(personas.admin, name="Key accounts", entity="company", kind="static")
    segment_add_clients(personas.admin, segment.pk, [funnel["north"].pk])
    key = funnel_api(api_as, personas.admin, segment=segment.pk)
    assert rows(key["funnel_stages"], "stage", "deals", "amount")[:4] == [
        ("New", 2, "3000.00"),
        ("Qualification", 2, "3000.00"),
        ("Commercial offer", 2, "3000.00"),
        ("Negotiation", 1, "2000.00"),
    ]
    # A period without deals: empty tables, no totals.
    empty = funnel_api(api_as, personas.admin, date_from="2001-01-01", date_to="2001-12-31")
    assert all(table["rows"] == [] and table["totals"] is None for table in empty.values())


def test_scope_a_manager_sees_only_their_deals_and_another_workspace_nothing(personas, api_as, funnel):
    own = funnel_api(api_as, personas.manager2)
    assert own["funnel_stages"]["totals"]["deals"] == 1
    assert [row["name"] for row in own["funnel_losses_by_manager"]["rows"]] == ["Max South"]
    team = funnel_api(api_as, personas.head)
    assert team["funnel_stages"]["totals"]["deals"] == 6
    other = funnel_api(api_as, personas.other)
    assert other["funnel_stages"]["title"] == "Funnel: Sales"
    assert all(table["rows"] == [] for table in other.values())


def test_the_pipeline_filter_and_its_default(personas, api_as, funnel):
    second = pipeline_create(personas.admin, values={"name": "Retail"})
    first_stage = stage_create(personas.admin, second.pk, values={"name": "Visit", "probability": 30})
    stage_create(personas.admin, second.pk, values={"name": "Receipt", "probability": 90})
    deal(personas.manager1, day(1), "50", pipeline=second.pk, stage=first_stage)
    default = funnel_api(api_as, personas.admin)
    assert default["funnel_stages"]["title"] == "Funnel: Sales"
    retail = funnel_api(api_as, personas.admin, pipeline=second.pk)
    assert retail["funnel_stages"]["title"] == "Funnel: Retail"
    assert rows(retail["funnel_stages"], "stage", "deals", "amount") == [
        ("Visit", 1, "50.00"),
        ("Receipt", 0, "0.00"),
    ]


def test_bad_filters_are_refused_naming_the_parameter(personas, api_as, funnel):
    theirs = pipeline_create(personas.other, values={"name": "Theirs"})
    for params, field in [
        ({"pipeline": theirs.pk}, "pipeline"),
        ({"pipeline": "x"}, "pipeline"),
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_from": "2026-05-01", "date_to": "2026-04-01"}, "date_to"),
        ({"manager": personas.other.user_id}, "manager"),
    ]:
        response = api_as(personas.admin).get("/api/v1/analytics/funnel", params)
        assert response.status_code == 422, (params, response.content)
        assert field in str(response.json()), (params, response.json())
    assert api_as(None).get("/api/v1/analytics/funnel").status_code == 401


def test_no_visible_pipeline_gives_empty_tables(personas):
    from relata.core.models import Membership, Role, User

    role = Role.objects.create(
        workspace=personas.admin.workspace, name="Numbers only", scope="all", permissions=["analytics.view"]
    )
    user = User.objects.create_user("numbers@alpha.test", "correct-horse-battery-7", full_name="Nina Numbers")
    member = Membership.objects.create(workspace=personas.admin.workspace, user=user, role=role)
    tables = funnel_report(member, report_filters(member, {}))
    assert [table.rows for table in tables] == [[], [], [], [], []]
    assert tables[0].title == "Funnel"


def test_the_page_draws_the_funnel_and_exports_with_the_permission(personas, client_as, funnel):
    page = client_as(personas.head)
    response = page.get(reverse("analytics:funnel"), PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-chart="funnel_stages-chart"' in html
    assert '"kind": "funnel"' in html
    assert 'data-testid="report-funnel_losses_by_segment"' in html
    # One pipeline at a time: no "All" choice in the pipeline filter.
    select = html.split('id="f-pipeline"')[1].split("</select>")[0]
    assert "All" not in select and "Sales" in select
    assert 'aria-current="page' in html.split('href="/analytics/funnel/"')[0][-200:]
    export = page.get(reverse("analytics:funnel"), {**PERIOD, "table": "funnel_losses", "fmt": "csv"})
    assert export.status_code == 200
    body = b"".join(export.streaming_content) if export.streaming else export.content
    text = body.decode("utf-8-sig")
    assert "Chose a competitor" in text and "Price too high" in text
    exported = Event.objects.get(kind="analytics.report_exported")
    assert exported.data["table"] == "funnel_losses" and exported.data["rows"] == 2
    # A sales manager reads analytics but does not export them.
    assert (
        client_as(personas.manager1)
        .get(reverse("analytics:funnel"), {"table": "funnel_stages", "fmt": "csv"})
        .status_code
        == 403
    )
    # A bad filter: the page says which, with the default funnel under it.
    bad = page.get(reverse("analytics:funnel"), {"pipeline": "999999"})
    assert bad.status_code == 400 and "There is no such pipeline." in bad.content.decode()


def test_queries_do_not_grow_with_deals_or_stages(personas, funnel):
    filters = report_filters(personas.admin, PERIOD)
    with CaptureQueriesContext(connection) as few:
        funnel_report(personas.admin, filters)
    for n in range(5):
        north = client(personas.manager1, f"Client {n}", source=f"Channel {n}")
        made = deal(personas.manager1, day(1), "10", client=north)
        lose(personas.manager1, made, day(2), "no_budget")
    with CaptureQueriesContext(connection) as many:
        tables = funnel_report(personas.admin, filters)
    assert tables[0].totals is not None and tables[0].totals["deals"] == 11
    assert len(many) == len(few), [q["sql"] for q in many]
    assert Decimal(tables[0].rows[0]["amount"]) == Decimal("4250.00")


def test_deals_without_a_client_or_a_stated_source_are_grouped_as_such(personas, api_as):
    m1 = personas.manager1
    lose(m1, deal(m1, day(0), "100"), day(1), "no_need")
    win(m1, deal(m1, day(0), "200", client=client(m1, "Plain Ltd")), day(2))
    tables = funnel_api(api_as, personas.admin)
    outcome = ("name", "lost", "won", "win_rate", "lost_amount")
    assert rows(tables["funnel_losses_by_channel"], *outcome) == [
        ("No client", 1, 0, "0.0", "100.00"),
        ("Source not stated", 0, 1, "100.0", "0.00"),
    ]
    # New clients are cold; deals without a client come last.
    assert rows(tables["funnel_losses_by_segment"], *outcome) == [
        ("Cold", 0, 1, "100.0", "0.00"),
        ("No client", 1, 0, "0.0", "100.00"),
    ]
