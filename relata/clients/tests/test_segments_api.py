"""Segments and exports through the API."""

from __future__ import annotations

from relata.clients.models import Segment, SegmentMember
from relata.clients.services.clients import client_create
from relata.core import jobs
from relata.core.models import Event, Job

MOSCOW = {"conditions": [{"field": "city", "op": "eq", "value": "Москва"}]}


def test_segment_lifecycle_through_the_api(personas, api_as):
    for name, city in [("А", "Москва"), ("Б", "Казань")]:
        client_create(personas.manager1, kind="company", values={"name": name, "addresses": [{"city": city}]})
    api = api_as(personas.manager1)
    created = api.post("/api/v1/segments", {"name": "Москва", "entity": "company", "definition": MOSCOW})
    assert created.status_code == 201
    segment = created.json()
    assert api.get(f"/api/v1/segments/{segment['id']}").json()["count"] == 1
    assert api.post("/api/v1/segments/count", {"entity": "company", "definition": {}}).json() == {
        "count": 2,
        "capped": False,
    }
    changed = api.patch(
        f"/api/v1/segments/{segment['id']}",
        {
            "version": segment["version"],
            "definition": {"conditions": [{"field": "city", "op": "in", "value": ["Москва"]}]},
        },
    )
    assert changed.status_code == 422  # "in" does not apply to a text field
    assert Segment.objects.get(pk=segment["id"]).definition["conditions"][0]["op"] == "eq"
    assert api.delete(f"/api/v1/segments/{segment['id']}").status_code == 204
    assert Event.objects.filter(kind__startswith="segment.").count() == 2


def test_static_segment_members_through_the_api(personas, api_as):
    mine = client_create(personas.manager1, kind="company", values={"name": "Моя"})
    theirs = client_create(personas.manager2, kind="company", values={"name": "Чужая"})
    api = api_as(personas.manager1)
    segment = api.post("/api/v1/segments", {"name": "Список", "entity": "company", "kind": "static"}).json()
    result = api.post(f"/api/v1/segments/{segment['id']}/members", {"add": [mine.pk, theirs.pk]}).json()
    assert result == {"added": 1, "removed": 0}
    assert list(SegmentMember.objects.values_list("client_id", flat=True)) == [mine.pk]
    bad = api.post("/api/v1/segments", {"name": "", "entity": "company"})
    assert bad.status_code == 422 and "name" in bad.json()["error"]["fields"]


def test_export_through_the_api_is_a_job_with_a_file(personas, api_as, django_capture_on_commit_callbacks):
    client_create(
        personas.manager1, kind="company", values={"name": "=cmd|' /C calc'!A0", "addresses": [{"city": "Москва"}]}
    )
    api = api_as(personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/exports", {"kind": "company", "format": "csv", "definition": MOSCOW, "columns": ["name", "city"]}
        )
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["id"])
    if job.state == "pending":
        jobs.execute(job.pk)
    text = b"".join(api.get(f"/api/v1/exports/{job.pk}/file").streaming_content).decode("utf-8-sig")
    assert text.splitlines() == ["Name;City", "'=cmd|' /C calc'!A0;Москва"]
    assert Event.objects.get(kind="client.exported").data["rows"] == 1
    assert api_as(personas.manager1).post("/api/v1/exports", {"kind": "company"}).status_code == 403
    assert api.post("/api/v1/exports", {"kind": "company", "format": "pdf"}).status_code == 422
