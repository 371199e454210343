"""Dashboards per role: the default widgets of each built-in role, a widget computed within
the reader's scope with the dashboard's filters, an analyst choosing a role's widgets on a
page and through the API (checked, versioned, audited), and a widget's export."""

from __future__ import annotations

import pytest
from django.urls import reverse

from relata.analytics.models import Dashboard
from relata.analytics.reports.widgets import default_layout
from relata.analytics.services.recompute import classes_recompute
from relata.analytics.tests.helpers import Shop, buy, company, day_in
from relata.core.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def bought(personas):
    shop = Shop(personas.admin)
    buy(shop, company(personas.manager1, "Mine Ltd"), "900", day_in(1))
    buy(shop, company(personas.manager2, "Theirs Ltd"), "100", day_in(1))
    classes_recompute(personas.admin.workspace)


def test_each_role_sees_its_default_widgets_loaded_one_by_one(personas, client_as, api_as):
    mine = api_as(personas.manager1).get("/api/v1/analytics/dashboard").json()
    assert [w["key"] for w in mine] == default_layout("sales_manager")
    head = api_as(personas.head).get("/api/v1/analytics/dashboard").json()
    assert [w["key"] for w in head] == default_layout("head_of_sales")
    page = client_as(personas.manager1).get(reverse("analytics:dashboard"))
    assert page.status_code == 200
    html = page.content.decode()
    for key in default_layout("sales_manager"):
        assert f'hx-get="{reverse("analytics:widget", args=[key])}?' in html
    assert 'data-testid="dashboard-edit"' not in html  # only analytics.change chooses widgets


def test_a_widget_counts_only_what_the_reader_may_see(personas, api_as, client_as, bought):
    def total_clients(member) -> int:
        table = api_as(member).get("/api/v1/analytics/widgets/classes_matrix").json()
        return sum(sum(row[c] for c in ("X", "Y", "Z", "none")) for row in table["rows"])

    assert total_clients(personas.admin) == 2
    assert total_clients(personas.manager1) == 1
    assert total_clients(personas.manager2) == 1
    fragment = client_as(personas.manager1).get(reverse("analytics:widget", args=["classes_rfm"]))
    assert fragment.status_code == 200
    assert 'data-testid="widget-classes_rfm"' in fragment.content.decode()
    assert 'data-chart="classes_rfm-chart"' in fragment.content.decode()
    # The manager filter narrows; a bad filter is named.
    only_theirs = api_as(personas.admin).get(
        "/api/v1/analytics/widgets/classes_matrix", {"manager": personas.manager2.user_id}
    )
    assert sum(row["X"] + row["Y"] + row["Z"] + row["none"] for row in only_theirs.json()["rows"]) == 1
    bad = api_as(personas.admin).get("/api/v1/analytics/widgets/classes_matrix", {"date_from": "soon"})
    assert bad.status_code == 422 and set(bad.json()["error"]["fields"]) == {"date_from"}
    assert api_as(personas.admin).get("/api/v1/analytics/widgets/nothing").status_code == 404


def test_a_widget_is_exported_by_those_who_may_export(personas, client_as, bought):
    url = reverse("analytics:widget", args=["classes_rfm"])
    download = client_as(personas.admin).get(url, {"fmt": "csv"})
    assert download.status_code == 200
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0] == "RFM segment;Clients"
    assert Event.objects.filter(kind="analytics.report_exported", data__table="classes_rfm").exists()
    assert client_as(personas.manager1).get(url, {"fmt": "csv"}).status_code == 403


def test_an_analyst_sets_a_roles_widgets_through_the_api(personas, api_as):
    admin = api_as(personas.admin)
    role = personas.manager1.role_id
    read = admin.get(f"/api/v1/analytics/dashboards/{role}").json()
    assert (read["widgets"], read["version"]) == (default_layout("sales_manager"), None)
    assert "classes_matrix" in [w["key"] for w in read["available"]]
    saved = admin.put(f"/api/v1/analytics/dashboards/{role}", {"widgets": ["classes_rfm", "managers_sales"]})
    assert saved.status_code == 200, saved.json()
    assert saved.json()["version"] == 1
    mine = api_as(personas.manager1).get("/api/v1/analytics/dashboard").json()
    assert [w["key"] for w in mine] == ["classes_rfm", "managers_sales"]
    assert Event.objects.filter(kind="analytics.dashboard_changed").count() == 1
    before = list(Dashboard.objects.values_list("widgets", "version"))
    for widgets, message in (
        (["classes_rfm", "nothing"], "Unknown widgets: nothing."),
        (["classes_rfm", "classes_rfm"], "Each widget may appear once."),
        ([], "Choose at least one widget."),
    ):
        refused = admin.put(f"/api/v1/analytics/dashboards/{role}", {"widgets": widgets, "version": 1})
        assert refused.status_code == 422
        assert refused.json()["error"]["fields"] == {"widgets": [message]}
    stale = admin.put(f"/api/v1/analytics/dashboards/{role}", {"widgets": ["classes_matrix"], "version": 7})
    assert stale.status_code == 409
    assert list(Dashboard.objects.values_list("widgets", "version")) == before
    assert (
        api_as(personas.head).put(f"/api/v1/analytics/dashboards/{role}", {"widgets": ["classes_rfm"]}).status_code
        == 403
    )


def test_an_analyst_chooses_and_orders_a_roles_widgets_on_a_page(personas, client_as):
    browser = client_as(personas.admin)
    role = personas.manager1.role_id
    page = browser.get(reverse("analytics:dashboard_edit"), {"role": role})
    assert page.status_code == 200 and 'data-testid="dashboard-form"' in page.content.decode()
    answer = browser.post(
        reverse("analytics:dashboard_edit"),
        {
            "role": role,
            "version": "",
            "use_classes_matrix": "1",
            "position_classes_matrix": "2",
            "use_products_abc_summary": "1",
            "position_products_abc_summary": "1",
        },
    )
    assert answer.status_code == 302
    assert Dashboard.objects.get(role_id=role).widgets == ["products_abc_summary", "classes_matrix"]
    empty = browser.post(reverse("analytics:dashboard_edit"), {"role": role, "version": "1"})
    assert empty.status_code == 400 and "at least one widget" in empty.content.decode()
    stale = browser.post(reverse("analytics:dashboard_edit"), {"role": role, "version": "9", "use_classes_rfm": "1"})
    assert stale.status_code == 409
    assert Dashboard.objects.get(role_id=role).widgets == ["products_abc_summary", "classes_matrix"]


def test_an_administrator_refreshes_the_analytics_copy_from_the_dashboard_and_the_api(
    personas, client_as, api_as, bought, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.ANALYTICS_COPY_DIR = str(tmp_path / "copies")
    admin = api_as(personas.admin)
    assert admin.get("/api/v1/analytics/copy").json() == {"built_at": None, "orders": 0, "lines": 0}
    # A small workspace reads the database, always current: there is nothing to refresh.
    refused = admin.post("/api/v1/analytics/copy/refresh", json={})
    assert refused.status_code == 422
    assert "there is no copy to refresh" in refused.json()["error"]["message"]
    assert not (tmp_path / "copies").exists()  # nothing was built
    page = client_as(personas.admin).get(reverse("analytics:dashboard"))
    assert 'data-testid="analytics-copy"' not in page.content.decode()

    settings.ANALYTICS_COPY_MIN_LINES = 1  # now large enough for a copy
    with django_capture_on_commit_callbacks(execute=True):  # the job runs once its transaction commits
        started = admin.post("/api/v1/analytics/copy/refresh", json={})
    assert started.status_code == 202
    assert api_as(personas.admin).get(f"/api/v1/jobs/{started.json()['id']}").json()["state"] == "succeeded"
    copy = admin.get("/api/v1/analytics/copy").json()
    assert copy["built_at"] is not None and copy["orders"] == 2 and copy["lines"] == 2
    html = client_as(personas.admin).get(reverse("analytics:dashboard")).content.decode()
    assert 'data-testid="analytics-copy"' in html and 'data-testid="analytics-copy-refresh"' in html
    assert 'data-testid="analytics-copy-job"' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(personas.admin).post(reverse("analytics:copy_refresh"))
    assert response.status_code == 302 and response["Location"] == reverse("analytics:dashboard")
    assert api_as(personas.admin).get("/api/v1/analytics/copy").json()["built_at"] > copy["built_at"]
    # A manager sees the copy's time but may not rebuild it.
    html = client_as(personas.manager1).get(reverse("analytics:dashboard")).content.decode()
    assert 'data-testid="analytics-copy"' in html and 'data-testid="analytics-copy-refresh"' not in html
    assert api_as(personas.manager1).post("/api/v1/analytics/copy/refresh", json={}).status_code == 403
