"""Deals in client filters and segments: "clients with an open deal in stage X" in the
list's condition builder, in dynamic segments and their live count, through the pages
and the API; a closed deal at that stage does not count, and the condition is no column."""

from __future__ import annotations

from django.test import Client as Browser
from django.urls import reverse

from relata.catalog.tests.helpers import company
from relata.sales.models import Stage
from relata.sales.services.deals import deal_lose, deal_move
from relata.sales.tests.helpers import deal, reason, stages


def _setup(personas) -> tuple[Stage, dict[str, int]]:
    m1 = personas.manager1
    offer = stages(m1)[1]
    in_offer = company(m1, "ООО «На предложении»")
    lost_there = company(m1, "ООО «Проиграна там»")
    elsewhere = company(m1, "ООО «На другой стадии»")
    deal_move(m1, deal(m1, "Открытая", client=in_offer.pk).pk, stage_id=offer.pk, version=1)
    lost = deal(m1, "Проигранная", client=lost_there.pk)
    deal_move(m1, lost.pk, stage_id=offer.pk, version=1)
    deal_lose(m1, lost.pk, version=2, reason=reason(m1).pk)
    deal(m1, "На первой", client=elsewhere.pk)
    company(m1, "ООО «Без сделок»")
    return offer, {"offer": in_offer.pk, "lost": lost_there.pk, "elsewhere": elsewhere.pk}


def _condition(op: str, stage: Stage) -> dict[str, object]:
    return {"conditions": [{"field": "deals.open_in_stage", "op": op, "value": [stage.pk]}]}


def test_a_segment_of_clients_with_an_open_deal_in_a_stage(personas, api_as):
    offer, ids = _setup(personas)
    api = api_as(personas.manager1)
    count = api.post("/api/v1/segments/count", {"entity": "company", "definition": _condition("any", offer)})
    assert count.json() == {"count": 1, "capped": False}
    others = api.post("/api/v1/segments/count", {"entity": "company", "definition": _condition("none", offer)})
    assert others.json()["count"] == 3
    created = api.post(
        "/api/v1/segments", {"name": "На предложении", "entity": "company", "definition": _condition("any", offer)}
    )
    assert created.status_code == 201
    assert api.get(f"/api/v1/segments/{created.json()['id']}").json()["count"] == 1
    empty = {"conditions": [{"field": "deals.open_in_stage", "op": "any", "value": []}]}
    refused = api.post("/api/v1/segments", {"name": "Пустой", "entity": "company", "definition": empty})
    assert refused.status_code == 422
    wrong_op = {"conditions": [{"field": "deals.open_in_stage", "op": "contains", "value": "x"}]}
    assert api.post("/api/v1/segments/count", {"entity": "company", "definition": wrong_op}).status_code == 422


def test_the_list_filters_by_it_and_offers_it_in_the_builder_but_not_as_a_column(personas):
    offer, ids = _setup(personas)
    browser = Browser()
    browser.force_login(personas.manager1.user)
    page = browser.get(
        reverse("clients:companies"),
        {"cond": f'deals.open_in_stage|any|["{offer.pk}"]', "cols": "name,deals.open_in_stage"},
    )
    assert page.status_code == 200
    assert "ООО «На предложении»" in page.text
    assert "ООО «Проиграна там»" not in page.text and "ООО «На другой стадии»" not in page.text
    assert "Open deal in stage" in page.text  # the condition builder's catalogue
    assert f"{offer.pipeline.name}: {offer.name}" in page.text
    assert page.text.count('<th scope="col">') == 1  # the name only: the condition is no column
