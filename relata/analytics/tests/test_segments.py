"""The client's classes in filters and segments: "ABC class is A", "RFM segment is …" in
the list's condition builder, in dynamic segments with their live count, through the
pages and the API; a client without a class matches "none of" only."""

from __future__ import annotations

import pytest
from django.test import Client as Browser
from django.urls import reverse

from relata.analytics.models import ClientClass, RfmSegment
from relata.analytics.services.recompute import classes_recompute
from relata.analytics.tests.helpers import Shop, buy, company, day_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def classed(personas):
    """Manager 1's clients with 80 %, 15 % and 5 % of the revenue (A, B, C) and one
    without purchases."""
    shop = Shop(personas.admin)
    m1 = personas.manager1
    clients = {
        "a": company(m1, "Alpha Ltd"),
        "b": company(m1, "Beta Ltd"),
        "c": company(m1, "Gamma Ltd"),
        "none": company(m1, "Idle Ltd"),
    }
    buy(shop, clients["a"], "8000", day_in(2))
    buy(shop, clients["b"], "1500", day_in(2))
    buy(shop, clients["c"], "500", day_in(2))
    classes_recompute(personas.admin.workspace)
    assert dict(ClientClass.objects.values_list("client__name", "abc")) == {
        "Alpha Ltd": "A",
        "Beta Ltd": "B",
        "Gamma Ltd": "C",
    }
    return clients


def _abc(op: str, *positions: int) -> dict[str, object]:
    return {"conditions": [{"field": "analytics.abc", "op": op, "value": list(positions)}]}


def test_a_segment_of_the_clients_of_an_abc_class(personas, api_as, classed):
    api = api_as(personas.manager1)
    count = api.post("/api/v1/segments/count", {"entity": "company", "definition": _abc("any", 1)})
    assert count.json() == {"count": 1, "capped": False}
    assert (
        api.post("/api/v1/segments/count", {"entity": "company", "definition": _abc("any", 2, 3)}).json()["count"] == 2
    )
    # "None of A": B, C and the client without a class.
    assert api.post("/api/v1/segments/count", {"entity": "company", "definition": _abc("none", 1)}).json()["count"] == 3
    created = api.post("/api/v1/segments", {"name": "Класс A", "entity": "company", "definition": _abc("any", 1)})
    assert created.status_code == 201, created.json()
    assert api.get(f"/api/v1/segments/{created.json()['id']}").json()["count"] == 1
    refused = api.post("/api/v1/segments", {"name": "Пустой", "entity": "company", "definition": _abc("any")})
    assert refused.status_code == 422
    # Manager 2 sees none of manager 1's clients, whatever their class.
    other = api_as(personas.manager2).post(
        "/api/v1/segments/count", {"entity": "company", "definition": _abc("any", 1)}
    )
    assert other.json()["count"] == 0


def test_the_list_filters_by_the_rfm_segment_and_offers_the_classes_in_the_builder(personas, classed):
    segment = ClientClass.objects.get(client=classed["a"]).rfm_segment
    position = list(RfmSegment.values).index(segment) + 1
    browser = Browser()
    browser.force_login(personas.manager1.user)
    page = browser.get(reverse("clients:companies"), {"cond": f'analytics.rfm_segment|any|["{position}"]'})
    assert page.status_code == 200
    assert "Alpha Ltd" in page.text and "Idle Ltd" not in page.text
    assert "ABC class" in page.text and "XYZ class" in page.text and "RFM segment" in page.text


def test_the_conditions_are_gone_while_analytics_is_switched_off(personas, api_as, classed):
    workspace = personas.admin.workspace
    workspace.enabled_modules = [m for m in workspace.enabled_modules if m != "analytics"]
    workspace.save(update_fields=["enabled_modules"])
    answer = api_as(personas.manager1).post(
        "/api/v1/segments/count", {"entity": "company", "definition": _abc("any", 1)}
    )
    assert answer.status_code == 422
