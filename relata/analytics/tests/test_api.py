"""The analytics API and pages: scope, the recompute job, bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from relata.analytics.models import AnalyticsSettings, ClientClass
from relata.analytics.services.recompute import analytics_settings_update, classes_recompute
from relata.analytics.tests.helpers import Shop, buy, company, day_in
from relata.core.models import Job, JobState

pytestmark = pytest.mark.django_db


@pytest.fixture
def bought(personas):
    """Manager 1's North Ltd bought 900, manager 2's South Ltd 100."""
    shop = Shop(personas.admin)
    north, south = company(personas.manager1, "North Ltd"), company(personas.manager2, "South Ltd")
    buy(shop, north, "900", day_in(1))
    buy(shop, south, "100", day_in(2))
    classes_recompute(personas.admin.workspace)
    return north, south


def test_a_manager_sees_only_the_classes_of_their_clients(personas, api_as, bought):
    north, south = bought
    admin = api_as(personas.admin).get("/api/v1/analytics/classes").json()
    assert [(i["client_name"], i["abc"]) for i in admin["items"]] == [("North Ltd", "A"), ("South Ltd", "B")]
    mine = api_as(personas.manager2).get("/api/v1/analytics/classes").json()
    assert [i["client_id"] for i in mine["items"]] == [south.pk]
    assert api_as(personas.manager2).get(f"/api/v1/analytics/classes/{north.pk}").status_code == 404
    assert api_as(personas.manager1).get(f"/api/v1/analytics/classes/{north.pk}").json()["abc"] == "A"
    assert api_as(personas.other).get(f"/api/v1/analytics/classes/{north.pk}").status_code == 404
    assert api_as(personas.other).get("/api/v1/analytics/classes").json()["count"] == 0
    # The matrix of manager 2 holds South only.
    cells = api_as(personas.manager2).get("/api/v1/analytics/matrix").json()
    assert cells["clients"] == 1 and Decimal(cells["revenue"]) == Decimal("100.00")
    assert [c for c in cells["cells"] if c["clients"]] == [{"abc": "B", "xyz": "Z", "clients": 1, "revenue": "100.00"}]
    assert api_as(personas.admin).get("/api/v1/analytics/matrix").json()["clients"] == 2


def test_filters(personas, api_as, bought):
    north, _south = bought
    data = api_as(personas.admin).get("/api/v1/analytics/classes", {"abc": "A", "xyz": "Z"}).json()
    assert [i["client_id"] for i in data["items"]] == [north.pk]
    assert api_as(personas.admin).get("/api/v1/analytics/classes", {"abc": "Q"}).status_code == 422


def test_the_recompute_job_stores_the_classes(personas, api_as, bought, django_capture_on_commit_callbacks):
    north, _south = bought
    ClientClass.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(personas.admin).post("/api/v1/analytics/recompute", {"months": 3})
    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["id"])
    assert job.state == JobState.SUCCEEDED, job.error
    assert job.result["clients"] == 2
    assert ClientClass.objects.get(client=north).revenue == Decimal("900.00")


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"months": 0}, "months"), ({"months": 99}, "months"), ({"period_end": "2020-02-15"}, "period_end")],
)
def test_a_bad_period_is_refused_and_nothing_is_written(personas, api_as, bought, payload, field):
    before = list(ClientClass.objects.order_by("pk").values_list("pk", "revenue"))
    response = api_as(personas.admin).post("/api/v1/analytics/recompute", payload)
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"]
    assert not Job.objects.filter(kind="analytics.recompute").exists()
    assert list(ClientClass.objects.order_by("pk").values_list("pk", "revenue")) == before


def test_only_analytics_change_recomputes(personas, api_as):
    assert api_as(personas.head).post("/api/v1/analytics/recompute", {}).status_code == 403
    assert not Job.objects.exists()


def test_bad_thresholds_are_refused(personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        analytics_settings_update(personas.admin, values={"abc_a": "90", "abc_b": "10", "xyz_x": "30"})
    assert set(error.value.message_dict) == {"abc_b", "xyz_y"}
    assert not AnalyticsSettings.objects.exists()
    saved = analytics_settings_update(personas.admin, values={"abc_a": "70", "abc_b": "20", "period_months": "6"})
    assert (saved.abc_a, saved.abc_b, saved.period_months) == (Decimal(70), Decimal(20), 6)


def test_the_card_and_the_page_show_the_classes(personas, client_as, bought):
    north, south = bought
    html = client_as(personas.manager1).get(reverse("clients:detail", args=[north.pk])).content.decode()
    assert 'data-testid="client-classes"' in html
    assert 'data-testid="client-abc">A<' in html
    page = client_as(personas.admin).get(reverse("analytics:classes")).content.decode()
    assert 'data-testid="abc-xyz-matrix"' in page and 'data-testid="recompute"' in page
    assert (
        'data-testid="recompute"' not in client_as(personas.manager1).get(reverse("analytics:classes")).content.decode()
    )
