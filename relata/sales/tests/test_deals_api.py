"""Deals through the API, as an integration would use them."""

from __future__ import annotations

from relata.activities.tests.helpers import company
from relata.sales.models import Deal, StageVisit
from relata.sales.tests.helpers import pipeline, reason, stages


def test_create_move_lose_reopen_and_read_the_history(personas, api_as):
    api = api_as(personas.manager1)
    client = company(personas.manager1)
    created = api.post(
        "/api/v1/deals",
        {"title": "Кирпич", "pipeline_id": pipeline(personas.manager1).pk, "client_id": client.pk, "amount": "1500.5"},
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["stage"] == "New" and body["version"] == 1 and body["currency"] == "RUB" and body["contact_ids"] == []
    deal_id = body["id"]
    third = stages(personas.manager1)[2]
    moved = api.post(f"/api/v1/deals/{deal_id}/move", {"stage_id": third.pk, "version": 1})
    assert moved.status_code == 200 and moved.json()["stage_id"] == third.pk
    stale = api.post(f"/api/v1/deals/{deal_id}/move", {"stage_id": stages(personas.manager1)[0].pk, "version": 1})
    assert stale.status_code == 409
    assert Deal.objects.get(pk=deal_id).stage == third
    no_reason = api.post(f"/api/v1/deals/{deal_id}/lose", {"version": 2, "loss_reason_id": 0})
    assert no_reason.status_code == 422 and "loss_reason" in no_reason.json()["error"]["fields"]
    lost = api.post(f"/api/v1/deals/{deal_id}/lose", {"version": 2, "loss_reason_id": reason(personas.manager1).pk})
    assert lost.status_code == 200 and lost.json()["status"] == "lost" and lost.json()["stage_id"] == third.pk
    history = api.get(f"/api/v1/deals/{deal_id}/history").json()
    assert [h["stage"] for h in history] == ["New", third.name] and all(h["left_at"] for h in history)
    reopened = api.post(f"/api/v1/deals/{deal_id}/reopen", {"version": 3})
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"
    assert StageVisit.objects.filter(deal_id=deal_id, left_at__isnull=True).count() == 1


def test_required_fields_and_bad_values_are_named(personas, api_as):
    api = api_as(personas.manager1)
    target = stages(personas.manager1)[1]
    target.required_fields = ["expected_close_date"]
    target.save()
    bad = api.post("/api/v1/deals", {"title": "X", "pipeline_id": pipeline(personas.manager1).pk, "amount": "-1"})
    assert bad.status_code == 422 and not Deal.objects.exists()
    created = api.post("/api/v1/deals", {"title": "X", "pipeline_id": pipeline(personas.manager1).pk}).json()
    refused = api.post(f"/api/v1/deals/{created['id']}/move", {"stage_id": target.pk, "version": 1})
    assert refused.status_code == 422 and "expected_close_date" in refused.json()["error"]["fields"]
    ok = api.post(
        f"/api/v1/deals/{created['id']}/move",
        {"stage_id": target.pk, "version": 1, "values": {"expected_close_date": "2027-03-01"}},
    )
    assert ok.status_code == 200 and ok.json()["expected_close_date"] == "2027-03-01"


def test_the_board_counts_and_sums_per_column(personas, api_as):
    api = api_as(personas.manager1)
    for amount in ("100", "200"):
        api.post("/api/v1/deals", {"title": "X", "pipeline_id": pipeline(personas.manager1).pk, "amount": amount})
    board = api.get(f"/api/v1/pipelines/{pipeline(personas.manager1).pk}/board").json()
    first = board["columns"][0]
    assert first["count"] == 2 and first["totals"] == {"RUB": "300.00"} and len(first["deals"]) == 2
    assert board["won"]["count"] == 0
    others = api_as(personas.manager2).get(f"/api/v1/pipelines/{pipeline(personas.manager1).pk}/board").json()
    assert others["columns"][0]["count"] == 0
