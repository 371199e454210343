"""Sales plans: plan versus actual (period boundaries in the workspace's time zone, team
subtrees, currencies, forecast), scope, the rules of the services with proof that a
refused write wrote nothing, the bulk set-up of a team, the API and the pages."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse

from conftest import add_member
from relata.core.concurrency import StaleVersion
from relata.core.models import Team
from relata.core.models.events import Event
from relata.sales.models import Deal, SalesPlan
from relata.sales.selectors.plans import parse_period, plan_get, plan_progress, plans_visible_to
from relata.sales.services.deals import deal_lose, deal_win
from relata.sales.services.plans import sales_plan_create, sales_plan_delete, sales_plan_update, sales_plans_set
from relata.sales.tests.helpers import deal, reason

pytestmark = pytest.mark.django_db

MSK = zoneinfo.ZoneInfo("Europe/Moscow")
DEC = dt.date(2026, 12, 1)


def won(member: Any, amount: str, closed_at: dt.datetime, currency: str = "RUB", **values: Any) -> Deal:
    """A deal of `member` won at `closed_at` (moved there with an ORM update)."""
    created = deal(
        member, f"Won {amount} {currency} {closed_at:%Y-%m-%d %H:%M}", amount=amount, currency=currency, **values
    )
    deal_win(member, created.pk, version=created.version)
    Deal.objects.filter(pk=created.pk).update(closed_at=closed_at)
    return created


def plan(actor: Any, **values: Any) -> SalesPlan:
    return sales_plan_create(actor, values={"period_kind": "month", "period_start": DEC, **values})


def state() -> tuple[list[tuple[Any, ...]], int]:
    """Every plan row and the number of plan events: what a refused write must not change."""
    rows = list(SalesPlan.objects.order_by("pk").values_list("pk", "version", "target_amount", "period_start"))
    return rows, Event.objects.filter(kind__startswith="sales_plan.").count()


def row_of(rows: list[Any], plan_obj: SalesPlan) -> Any:
    return next(r for r in rows if r.plan.pk == plan_obj.pk)


# --- Plan versus actual -------------------------------------------------------------


def test_actual_counts_deals_won_inside_the_period_in_the_workspace_time_zone(personas):
    p = personas
    m1 = p.manager1
    target = plan(p.admin, manager=m1.user_id, target_amount="100000", target_count=4)
    won(m1, "30000", dt.datetime(2026, 12, 31, 23, 30, tzinfo=MSK))  # 20:30 UTC: counts
    won(m1, "20000", dt.datetime(2026, 12, 1, 0, 0, tzinfo=MSK))  # the first moment: counts
    won(m1, "5000", dt.datetime(2027, 1, 1, 0, 10, tzinfo=MSK))  # still 31 December in UTC: not
    won(m1, "7000", dt.datetime(2026, 11, 30, 23, 59, tzinfo=MSK))  # 1 December... in no zone: not
    won(m1, "1000", dt.datetime(2026, 12, 10, 12, 0, tzinfo=MSK), currency="EUR")  # shown apart
    lost = deal(m1, "Lost in December", amount="9000")
    deal_lose(m1, lost.pk, version=lost.version, reason=reason(m1).pk)
    Deal.objects.filter(pk=lost.pk).update(closed_at=dt.datetime(2026, 12, 5, tzinfo=MSK))
    # Open deals: weighted into the forecast when expected to close in the period.
    deal(m1, "Expected in December", amount="10000", probability=50, expected_close_date="2026-12-20")
    deal(m1, "Expected in January", amount="80000", probability=90, expected_close_date="2027-01-05")
    deal(m1, "Expected in dollars", amount="300", currency="USD", probability=50, expected_close_date="2026-12-20")
    deal(p.manager2, "Someone else's", amount="50000", probability=80, expected_close_date="2026-12-20")

    [row] = plan_progress(p.admin, "month", DEC)

    assert row.plan == target
    assert row.actual == Decimal("50000.00")
    assert row.won_count == 2
    assert row.percent == 50
    assert row.count_percent == 50
    assert row.bar == 50
    assert row.other_currencies == {"EUR": Decimal("1000.00")}
    assert row.other_count == 1
    assert row.forecast == Decimal("5000.00")


def test_team_plan_adds_up_the_team_subtree_and_a_pipeline_plan_only_its_pipeline(personas):
    p = personas
    moment = dt.datetime(2026, 12, 15, 12, 0, tzinfo=MSK)
    won(p.manager1, "100", moment)  # North
    won(p.manager2, "200", moment)  # South
    won(p.head, "400", moment)  # Sales itself
    outsider_team = Team.objects.create(workspace=p.admin.workspace, name="Retail")
    outsider = add_member(p.admin, "retail@alpha.test", "Rob Retail", "sales_manager", outsider_team)
    won(outsider, "800", moment)
    sales = plan(p.admin, team=p.sales.pk, target_amount="1400")
    north = plan(p.admin, team=p.north.pk, target_amount="0")
    quarter = sales_plan_create(
        p.admin,
        values={"period_kind": "quarter", "period_start": "2026-10-01", "team": p.sales.pk, "target_amount": "7000"},
    )
    other_pipeline = plan(p.admin, manager=p.manager1.user_id, target_amount="100", pipeline=_second_pipeline(p).pk)

    rows = plan_progress(p.admin, "month", DEC)
    assert row_of(rows, sales).actual == Decimal("700.00")
    assert row_of(rows, sales).percent == 50
    assert row_of(rows, north).actual == Decimal("100.00")
    assert row_of(rows, north).percent is None  # a zero target has no percent
    assert row_of(rows, other_pipeline).actual == Decimal("0.00")  # manager 1's deal is in the first pipeline
    [quarter_row] = plan_progress(p.admin, "quarter", dt.date(2026, 10, 1))
    assert quarter_row.plan == quarter
    assert quarter_row.actual == Decimal("700.00")
    assert quarter_row.percent == 10


def _second_pipeline(p: Any) -> Any:
    from relata.sales.services.settings import pipeline_create, stage_create

    second = pipeline_create(p.admin, values={"name": "Retail pipeline"})
    stage_create(p.admin, second.pk, values={"name": "First"})
    return second


def test_each_sees_the_plans_and_actuals_of_their_scope(personas, api_as, client_as):
    p = personas
    moment = dt.datetime(2026, 12, 15, 12, 0, tzinfo=MSK)
    won(p.manager1, "1111", moment)
    won(p.manager2, "2222", moment)
    first = plan(p.admin, manager=p.manager1.user_id, target_amount="10000")
    second = plan(p.admin, manager=p.manager2.user_id, target_amount="20000")
    team = plan(p.admin, team=p.north.pk, target_amount="30000")

    assert {r.plan.pk for r in plan_progress(p.manager2, "month", DEC)} == {second.pk}
    assert {r.plan.pk for r in plan_progress(p.manager1, "month", DEC)} == {first.pk}
    assert {r.plan.pk for r in plan_progress(p.head, "month", DEC)} == {first.pk, second.pk, team.pk}
    assert set(plans_visible_to(p.admin)) == {first, second, team}
    assert not plans_visible_to(p.other).exists()
    with pytest.raises(Http404):
        plan_get(p.manager2, first.pk)
    with pytest.raises(Http404):
        plan_get(p.manager2, team.pk)

    api = api_as(p.manager2)
    response = api.get("/api/v1/sales-plans/progress", {"period": "2026-12", "kind": "month"})
    assert response.status_code == 200
    assert [r["plan"]["id"] for r in response.json()] == [second.pk]
    assert response.json()[0]["actual"] == "2222.00"
    assert "1111" not in response.content.decode()
    assert api.get(f"/api/v1/sales-plans/{first.pk}").status_code == 404
    assert [r["id"] for r in api.get("/api/v1/sales-plans").json()["items"]] == [second.pk]

    page = client_as(p.manager2).get(reverse("sales:sales_plans"), {"kind": "month", "period": "2026-12"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "Max South" in body
    assert "Mila North" not in body
    assert "1 111" not in body and "1,111" not in body and "1111" not in body


# --- The rules, and nothing written when refused ------------------------------------


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"target_amount": "-1"}, "target_amount"),
        ({"target_amount": ""}, "target_amount"),
        ({"period_start": "2026-12-15"}, "period_start"),
        ({"period_kind": "quarter", "period_start": "2026-11-01"}, "period_start"),
        ({"period_kind": "week"}, "period_kind"),
        ({"team": "north"}, "team"),
        ({"manager": None}, "manager"),
        ({"currency": "roubles"}, "currency"),
        ({"target_count": "-3"}, "target_count"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(personas, values, field):
    p = personas
    before = state()
    base = {"period_kind": "month", "period_start": DEC, "manager": p.manager1.user_id, "target_amount": "100"}
    if values.get("team") == "north":
        values = {"team": p.north.pk}  # with the manager: both
    with pytest.raises(ValidationError) as refused:
        sales_plan_create(p.admin, values={**base, **values})
    assert field in refused.value.message_dict
    assert state() == before


def test_a_duplicate_plan_is_refused_also_without_a_pipeline(personas):
    p = personas
    plan(p.admin, manager=p.manager1.user_id, target_amount="100")
    plan(p.admin, team=p.north.pk, target_amount="100")
    before = state()
    with pytest.raises(ValidationError) as refused:
        plan(p.head, manager=p.manager1.user_id, target_amount="200")
    assert "manager" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        plan(p.head, team=p.north.pk, target_amount="200")
    assert "team" in refused.value.message_dict
    assert state() == before
    # The database refuses it too (NULL pipelines do not slip past the constraint).
    with pytest.raises(IntegrityError), transaction.atomic():
        SalesPlan.objects.create(
            workspace=p.admin.workspace,
            period_kind="month",
            period_start=DEC,
            manager=p.manager1.user,
            target_amount=5,
            currency="RUB",
        )
    # Another period kind, or another pipeline, is another plan.
    plan(p.admin, manager=p.manager1.user_id, target_amount="100", pipeline=_second_pipeline(p).pk)
    sales_plan_create(
        p.admin,
        values={
            "period_kind": "quarter",
            "period_start": "2026-10-01",
            "manager": p.manager1.user_id,
            "target_amount": "1",
        },
    )


def test_the_database_refuses_a_plan_for_both_or_neither_and_a_negative_target(personas):
    p = personas
    base = {"workspace": p.admin.workspace, "period_kind": "month", "period_start": DEC, "currency": "RUB"}
    for extra in (
        {"manager": p.manager1.user, "team": p.north, "target_amount": 1},
        {"target_amount": 1},
        {"manager": p.manager1.user, "target_amount": -1},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            SalesPlan.objects.create(**base, **extra)
    assert not SalesPlan.objects.exists()


def test_a_stale_version_is_refused_and_nothing_changes(personas):
    p = personas
    target = plan(p.admin, manager=p.manager1.user_id, target_amount="100")
    sales_plan_update(p.head, target.pk, version=1, values={"target_amount": "150"})
    before = state()
    with pytest.raises(StaleVersion) as stale:
        sales_plan_update(p.admin, target.pk, version=1, values={"target_amount": "999"})
    assert stale.value.current["target_amount"] == "150.00"
    with pytest.raises(StaleVersion):
        sales_plan_delete(p.admin, target.pk, version=1)
    assert state() == before
    sales_plan_delete(p.admin, target.pk, version=2)
    assert not SalesPlan.objects.exists()
    kinds = list(Event.objects.filter(kind__startswith="sales_plan.").order_by("pk").values_list("kind", flat=True))
    assert kinds == ["sales_plan.created", "sales_plan.changed", "sales_plan.deleted"]


def test_only_sales_assign_sets_plans_and_only_within_the_scope(personas):
    p = personas
    target = plan(p.admin, manager=p.manager1.user_id, target_amount="100")
    before = state()
    with pytest.raises(PermissionDenied):
        plan(p.manager1, manager=p.manager1.user_id, target_amount="1", period_start="2027-01-01")
    with pytest.raises(PermissionDenied):
        sales_plan_update(p.manager1, target.pk, version=target.version, values={"target_amount": "1"})
    with pytest.raises(Http404):  # manager 2 does not learn the plan exists
        sales_plan_update(p.manager2, target.pk, version=target.version, values={"target_amount": "1"})
    with pytest.raises(PermissionDenied):
        sales_plan_delete(p.readonly, target.pk)
    # A head of sales plans their team subtree, not a team outside it.
    retail = Team.objects.create(workspace=p.admin.workspace, name="Retail")
    outsider = add_member(p.admin, "retail@alpha.test", "Rob Retail", "sales_manager", retail)
    with pytest.raises(ValidationError) as refused:
        plan(p.head, manager=outsider.user_id, target_amount="1")
    assert "manager" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        plan(p.head, team=retail.pk, target_amount="1")
    assert "team" in refused.value.message_dict
    with pytest.raises(ValidationError):  # a member of another workspace
        plan(p.admin, manager=p.other.user_id, target_amount="1")
    assert state() == before


# --- Setting a team's plans at once -------------------------------------------------


def test_setting_a_team_period_creates_changes_and_deletes_all_or_nothing(personas):
    p = personas
    saved = sales_plans_set(
        p.head,
        period_kind="month",
        period_start="2026-12-01",
        rows=[
            {"team": p.north.pk, "target_amount": "1000", "target_count": 3},
            {"manager": p.manager1.user_id, "target_amount": "600"},
            {"manager": p.manager2.user_id, "target_amount": ""},
        ],
    )
    assert [(s.team_id, s.manager_id, s.target_amount) for s in saved] == [
        (p.north.pk, None, Decimal("1000.00")),
        (None, p.manager1.user_id, Decimal("600.00")),
    ]
    team_plan, m1_plan = saved
    before = state()
    # A row based on no plan where one exists now (someone saved meanwhile): stale.
    with pytest.raises(StaleVersion):
        sales_plans_set(
            p.head,
            period_kind="month",
            period_start=DEC,
            rows=[
                {"team": p.north.pk, "target_amount": "2000", "version": team_plan.version},
                {"manager": p.manager1.user_id, "target_amount": "700"},
            ],
        )
    # A bad row refuses the lot, naming the row's field.
    with pytest.raises(ValidationError) as refused:
        sales_plans_set(
            p.head,
            period_kind="month",
            period_start=DEC,
            rows=[
                {"team": p.north.pk, "target_amount": "2000", "version": team_plan.version},
                {"manager": p.manager1.user_id, "target_amount": "-5", "version": m1_plan.version},
            ],
        )
    assert "rows.1.target_amount" in refused.value.message_dict
    assert state() == before
    sales_plans_set(
        p.head,
        period_kind="month",
        period_start=DEC,
        rows=[
            {"team": p.north.pk, "target_amount": "2000", "version": team_plan.version},
            {"manager": p.manager1.user_id, "target_amount": None, "version": m1_plan.version},
        ],
    )
    assert list(SalesPlan.objects.values_list("team_id", "target_amount")) == [(p.north.pk, Decimal("2000.00"))]


# --- API and pages ----------------------------------------------------------------------


def test_api_crud_and_progress(personas, api_as):
    p = personas
    api = api_as(p.head)
    response = api.post(
        "/api/v1/sales-plans",
        {"period_start": "2026-12-01", "manager_id": p.manager1.user_id, "target_amount": "1000", "target_count": 2},
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["currency"] == "RUB" and created["target_amount"] == "1000.00" and created["version"] == 1
    won(p.manager1, "250", dt.datetime(2026, 12, 31, 23, 30, tzinfo=MSK))

    rows = api.get("/api/v1/sales-plans/progress", {"period": "2026-12", "kind": "month"}).json()
    assert [(r["plan"]["id"], r["actual"], r["percent"], r["won_count"]) for r in rows] == [
        (created["id"], "250.00", 25, 1)
    ]
    quarter = api.get("/api/v1/sales-plans/progress", {"period": "2026-Q4", "kind": "quarter"})
    assert quarter.status_code == 200 and quarter.json() == []
    bad = api.get("/api/v1/sales-plans/progress", {"period": "December", "kind": "month"})
    assert bad.status_code == 422 and "period" in bad.json()["error"]["fields"]

    before = state()
    refused = api.post(
        "/api/v1/sales-plans", {"period_start": "2026-12-02", "manager_id": p.manager1.user_id, "target_amount": "1"}
    )
    assert refused.status_code == 422 and "period_start" in refused.json()["error"]["fields"]
    both = api.post(
        "/api/v1/sales-plans",
        {"period_start": "2027-01-01", "manager_id": p.manager1.user_id, "team_id": p.north.pk, "target_amount": "1"},
    )
    assert both.status_code == 422 and "team" in both.json()["error"]["fields"]
    assert state() == before

    url = f"/api/v1/sales-plans/{created['id']}"
    changed = api.patch(url, {"version": 1, "target_amount": "2000"})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = api.patch(url, {"version": 1, "target_amount": "3000"})
    assert stale.status_code == 409
    assert stale.json()["error"]["current_version"] == 2
    assert api.delete(url).status_code == 204
    assert not SalesPlan.objects.exists()


def test_plans_page_shows_progress_and_the_forms_save(personas, client_as):
    p = personas
    client = client_as(p.head)
    response = client.post(
        reverse("sales:sales_plan_new"),
        {
            "period_kind": "month",
            "period_start": "2026-12-01",
            "manager": p.manager1.user_id,
            "target_amount": "1 000,00",
            "currency": "RUB",
        },
    )
    assert response.status_code == 302, response.content.decode()
    created = SalesPlan.objects.get()
    won(p.manager1, "500", dt.datetime(2026, 12, 10, tzinfo=MSK))
    page = client.get(reverse("sales:sales_plans"), {"kind": "month", "period": "2026-12"})
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="plan-row"' in body and "50%" in body and 'style="width: 50%"' in body

    # A period start in the middle of the month: 400 with the field's error, nothing saved.
    bad = client.post(
        reverse("sales:sales_plan_new"),
        {"period_kind": "month", "period_start": "2026-12-15", "manager": p.manager1.user_id, "target_amount": "5"},
    )
    assert bad.status_code == 400
    assert SalesPlan.objects.count() == 1

    edit_url = reverse("sales:sales_plan_edit", args=[created.pk])
    form = {
        "version": "1",
        "period_kind": "month",
        "period_start": "2026-12-01",
        "manager": p.manager1.user_id,
        "target_amount": "2000",
        "currency": "RUB",
    }
    assert client.post(edit_url, form).status_code == 302
    assert client.post(edit_url, {**form, "target_amount": "3000"}).status_code == 409
    created.refresh_from_db()
    assert created.target_amount == Decimal("2000.00") and created.version == 2

    setup = client.get(reverse("sales:sales_plans_setup"), {"team": p.north.pk, "kind": "month", "period": "2026-12"})
    assert setup.status_code == 200 and "Mila North" in setup.content.decode()
    # Rows: North itself, then Mila North (with her plan at version 2).
    saved = client.post(
        reverse("sales:sales_plans_setup") + "?kind=month&period=2026-12",
        {"team": p.north.pk, "currency": "RUB", "amount_0": "9000", "amount_1": "4000", "version_1": "2"},
    )
    assert saved.status_code == 302, saved.content.decode()
    assert sorted(SalesPlan.objects.values_list("target_amount", flat=True)) == [Decimal("4000.00"), Decimal("9000.00")]


def test_periods_are_read_as_months_and_quarters():
    today = dt.date(2026, 12, 4)
    assert parse_period("month", "", today=today) == DEC
    assert parse_period("quarter", None, today=today) == dt.date(2026, 10, 1)
    assert parse_period("quarter", "2026-Q2", today=today) == dt.date(2026, 4, 1)
    assert parse_period("quarter", "2026-05", today=today) == dt.date(2026, 4, 1)
    assert parse_period("month", "2026-13", today=today) is None
    assert parse_period("month", "soon", today=today) is None


def test_plan_versus_actual_takes_the_same_queries_for_more_plans(personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    p = personas
    won(p.manager1, "100", dt.datetime(2026, 12, 15, tzinfo=MSK))
    plan(p.admin, manager=p.manager1.user_id, target_amount="100")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            plan_progress(p.head, "month", DEC)
        return len(queries)

    count()  # the head's team subtree is read once and kept on the membership
    one = count()
    plan(p.admin, manager=p.manager2.user_id, target_amount="100")
    plan(p.admin, team=p.north.pk, target_amount="100")
    plan(p.admin, team=p.sales.pk, target_amount="100")
    assert count() == one


def test_a_head_sets_up_only_teams_of_their_subtree(personas, client_as):
    p = personas
    retail = Team.objects.create(workspace=p.admin.workspace, name="Retail")
    add_member(p.admin, "retail@alpha.test", "Rob Retail", "sales_manager", retail)
    client = client_as(p.head)
    picker = client.get(reverse("sales:sales_plans_setup"))
    assert picker.status_code == 200
    assert "North" in picker.content.decode() and "Retail" not in picker.content.decode()
    refused = client.post(reverse("sales:sales_plans_setup"), {"team": retail.pk, "amount_0": "100"})
    assert refused.status_code == 400
    assert "Rob Retail" not in refused.content.decode()
    assert not SalesPlan.objects.exists()
    assert client_as(p.admin).get(reverse("sales:sales_plans_setup"), {"team": retail.pk}).status_code == 200
