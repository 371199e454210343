"""The thresholds of the classes as an analyst changes them: on a page and through the API,
checked (A + B below 100 %, X ≤ Y), refused when stale, audited, applied at the next
recomputation; and the recomputation's period chosen on the page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from relata.analytics.models import AnalyticsSettings, ClientClass
from relata.analytics.services.classes import add_months
from relata.analytics.tests.helpers import Shop, buy, company, day_in, period_end
from relata.core.models import Event, Job

pytestmark = pytest.mark.django_db

URL = "/api/v1/analytics/settings"


def test_the_api_reads_the_defaults_and_changes_only_what_is_sent(personas, api_as):
    api = api_as(personas.admin)
    assert api.get(URL).json() == {
        "abc_a": "80.00",
        "abc_b": "15.00",
        "xyz_x": "10.00",
        "xyz_y": "25.00",
        "period_months": 12,
        "version": 1,
    }
    changed = api.patch(URL, {"abc_a": "70", "abc_b": "20"})
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["abc_a"], changed.json()["abc_b"], changed.json()["xyz_x"]) == ("70.00", "20.00", "10.00")
    again = api.patch(URL, {"period_months": 6, "version": changed.json()["version"]})
    assert again.status_code == 200 and again.json()["period_months"] == 6
    stale = api.patch(URL, {"period_months": 3, "version": changed.json()["version"]})
    assert stale.status_code == 409
    assert AnalyticsSettings.objects.get().period_months == 6
    assert Event.objects.filter(kind="analytics.settings_changed").count() == 2


def test_bad_thresholds_name_the_field_and_change_nothing(personas, api_as):
    api = api_as(personas.admin)
    api.patch(URL, {"abc_a": "70"})
    before = list(AnalyticsSettings.objects.values_list("abc_a", "abc_b", "xyz_x", "xyz_y", "period_months", "version"))
    refused = api.patch(URL, {"abc_a": "90", "abc_b": "15", "xyz_x": "30", "xyz_y": "20", "period_months": 40})
    assert refused.status_code == 422
    assert set(refused.json()["error"]["fields"]) == {"abc_b", "xyz_y", "period_months"}
    assert (
        list(AnalyticsSettings.objects.values_list("abc_a", "abc_b", "xyz_x", "xyz_y", "period_months", "version"))
        == before
    )
    assert api_as(personas.head).patch(URL, {"abc_a": "60"}).status_code == 403
    assert api_as(personas.head).get(URL).status_code == 200


def test_the_page_saves_the_thresholds_and_the_next_recomputation_uses_them(
    personas, client_as, django_capture_on_commit_callbacks
):
    shop = Shop(personas.admin)
    big, small = company(personas.manager1, "Big Ltd"), company(personas.manager1, "Small Ltd")
    buy(shop, big, "7500", day_in(1))
    buy(shop, small, "2500", day_in(1))
    browser = client_as(personas.admin)
    page = browser.get(reverse("analytics:settings"))
    assert page.status_code == 200 and 'data-testid="analytics-settings-form"' in page.content.decode()
    bad = browser.post(
        reverse("analytics:settings"),
        {"abc_a": "60", "abc_b": "50", "xyz_x": "10", "xyz_y": "25", "period_months": "12", "version": "1"},
    )
    assert bad.status_code == 400 and "below 100" in bad.content.decode()
    saved = browser.post(
        reverse("analytics:settings"),
        {"abc_a": "60", "abc_b": "30", "xyz_x": "10", "xyz_y": "25", "period_months": "12", "version": "1"},
    )
    assert saved.status_code == 302
    # Big holds 75 % of the revenue: A under the default 80 %, and with A at 60 % too (no
    # client ranks above it); Small is B under 60/30, and would be B under 80/15 as well;
    # the period of the recomputation is chosen on the page as a month.
    month = period_end().strftime("%Y-%m")
    with django_capture_on_commit_callbacks(execute=True):
        answer = browser.post(reverse("analytics:recompute"), {"months": "2", "period_end": month})
    assert answer.status_code == 302
    job = Job.objects.get(kind="analytics.recompute")
    assert job.params == {"period_end": period_end().isoformat(), "months": 2}
    classes = dict(ClientClass.objects.values_list("client__name", "abc"))
    assert classes == {"Big Ltd": "A", "Small Ltd": "B"}
    assert ClientClass.objects.first().period_start == add_months(period_end(), -2)
    assert AnalyticsSettings.objects.get().abc_a == Decimal(60)


def test_a_page_save_over_another_users_change_is_refused(personas, client_as, api_as):
    api_as(personas.admin).patch(URL, {"abc_a": "70"})  # version 1 → 2 after the first save
    api_as(personas.admin).patch(URL, {"abc_a": "65", "version": 1})
    values = {"abc_a": "60", "abc_b": "30", "xyz_x": "10", "xyz_y": "25", "period_months": "12", "version": "1"}
    answer = client_as(personas.admin).post(reverse("analytics:settings"), values)
    assert answer.status_code == 409
