"""Segments, bulk actions and exports: one filter format behind all of them, always within
the user's scope."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from relata.clients.models import Client, Segment, SegmentMember
from relata.clients.services.clients import client_create
from relata.clients.services.segments import segment_create
from relata.core import jobs
from relata.core.models import Event, Job


@pytest.fixture
def base(personas):
    m1 = personas.manager1
    for n, city in enumerate(["Москва", "Москва", "Казань"]):
        client_create(
            m1,
            kind="company",
            values={
                "name": f"Москва-{n}" if city == "Москва" else "=HYPERLINK(1)",
                "addresses": [{"city": city}],
                "phones": [f"+7 916 000 00 0{n}"],
            },
        )
    client_create(personas.manager2, kind="company", values={"name": "Южная Москва", "addresses": [{"city": "Москва"}]})


def moscow(**extra):
    return {"conditions": [{"field": "city", "op": "eq", "value": "Москва"}], **extra}


def test_dynamic_segment_counts_within_each_users_scope(personas, client_as, base):
    segment = segment_create(personas.manager1, name="Москва", entity="company", definition=moscow())
    for member, expected in [(personas.manager1, "2"), (personas.manager2, "1"), (personas.admin, "3")]:
        page = client_as(member).get("/clients/segments/").content.decode()
        assert f'data-testid="segment-count">{expected}<' in page
    listing = client_as(personas.manager1).get(f"/clients/companies/?segment={segment.pk}").content.decode()
    assert "Москва-0" in listing and "Казань" not in listing and "Южная" not in listing


def test_segment_from_the_builder_with_a_live_count(personas, client_as, base):
    client = client_as(personas.manager1)
    count = client.get("/clients/segments/count/", {"entity": "company", "cond": 'city|eq|"Москва"'})
    assert count.content.decode().strip() == "2"
    bad = client.get("/clients/segments/count/", {"entity": "company", "cond": 'headcount|gt|"lots"'})
    assert "is not a number" in bad.content.decode()
    response = client.post(
        "/clients/segments/new/",
        {"name": "Московские", "entity": "company", "kind": "dynamic", "cond": 'city|eq|"Москва"', "is_shared": "on"},
    )
    assert response.status_code == 302
    segment = Segment.objects.get(name="Московские")
    assert segment.definition["conditions"] == [{"field": "city", "op": "eq", "value": "Москва"}]
    assert Event.objects.filter(kind="segment.created").exists()


def test_segment_with_a_bad_condition_is_refused_with_the_reason(personas, client_as):
    response = client_as(personas.manager1).post(
        "/clients/segments/new/",
        {"name": "Плохой", "entity": "company", "kind": "dynamic", "cond": 'nosuchfield|eq|"x"'},
    )
    assert response.status_code == 400
    assert "no longer exists" in response.content.decode()
    assert not Segment.objects.exists()


def test_static_segment_add_and_remove_only_visible_clients(personas, client_as, base):
    segment = segment_create(personas.manager1, name="Список", entity="company", kind="static")
    mine = list(Client.objects.filter(owner=personas.manager1.user).values_list("pk", flat=True))
    theirs = Client.objects.get(owner=personas.manager2.user).pk
    client = client_as(personas.manager1)
    client.post(f"/clients/segments/{segment.pk}/members/", {"ids": [*mine, theirs]})
    assert set(SegmentMember.objects.values_list("client_id", flat=True)) == set(mine)
    client.post(f"/clients/segments/{segment.pk}/members/", {"ids": mine[:1], "remove": "1"})
    assert SegmentMember.objects.count() == len(mine) - 1
    # Someone else's segment needs the assign permission to change.
    assert (
        client_as(personas.manager2).post(f"/clients/segments/{segment.pk}/members/", {"ids": [theirs]}).status_code
        == 403
    )


def run_jobs() -> None:
    for job in Job.objects.filter(state="pending"):
        jobs.execute(job.pk)


def test_bulk_assign_selected_clients(personas, client_as, base):
    mine = list(Client.objects.filter(owner=personas.manager1.user).values_list("pk", flat=True))[:2]
    response = client_as(personas.head).post(
        "/clients/company/bulk/", {"action": "assign", "ids": mine, "owner": personas.manager2.user_id}
    )
    job = Job.objects.get(kind="clients.bulk")
    assert response["Location"] == f"/jobs/{job.pk}/"
    run_jobs()
    job.refresh_from_db()
    assert job.state == "succeeded" and job.result == {"action": "assign", "count": 2, "kept": 0}
    assert Client.objects.filter(pk__in=mine, owner=personas.manager2.user).count() == 2
    assert Event.objects.filter(kind="record.owner_changed").count() == 2
    assert Event.objects.get(kind="client.bulk_changed").data["count"] == 2


def test_bulk_tag_everything_matching_the_filter(personas, client_as, base):
    client_as(personas.manager1).post(
        "/clients/company/bulk/", {"action": "tag", "all": "1", "tag": "Столица", "query": "city=Москва"}
    )
    run_jobs()
    tagged = set(Client.objects.filter(tags__name="Столица").values_list("name", flat=True))
    assert tagged == {"Москва-0", "Москва-1"}  # never the colleague's "Южная Москва"


def test_bulk_refusals_change_nothing(personas, client_as, base):
    mine = list(Client.objects.filter(owner=personas.manager1.user).values_list("pk", flat=True))
    # A manager may not reassign; nobody may act on nothing.
    assert (
        client_as(personas.manager1)
        .post("/clients/company/bulk/", {"action": "assign", "ids": mine, "owner": personas.manager2.user_id})
        .status_code
        == 403
    )
    response = client_as(personas.manager1).post("/clients/company/bulk/", {"action": "status", "ids": []}, follow=True)
    assert "Select the clients first" in response.content.decode()
    assert not Job.objects.exists()


def test_bulk_delete_as_a_job(personas, client_as, base):
    client_as(personas.admin).post("/clients/company/bulk/", {"action": "delete", "all": "1", "query": "city=Казань"})
    run_jobs()
    assert not Client.objects.filter(city="Казань").exists()
    assert Client.objects.count() == 3


def test_bulk_through_the_api_on_a_filter_and_on_a_selection(personas, api_as, base):
    head = api_as(personas.head)
    response = head.post(
        "/api/v1/clients/bulk",
        {
            "kind": "company",
            "action": "assign",
            "all": True,
            "definition": {"conditions": [{"field": "city", "op": "eq", "value": "Москва"}]},
            "owner_id": personas.manager2.user_id,
        },
    )
    assert response.status_code == 202 and response.json()["kind"] == "clients.bulk"
    run_jobs()
    assert response.json()["progress_total"] == 3  # the head sees the colleague's client too
    moved = set(Client.objects.filter(owner=personas.manager2.user).values_list("name", flat=True))
    assert moved == {"Москва-0", "Москва-1", "Южная Москва"}
    kazan = Client.objects.get(city="Казань")
    response = api_as(personas.manager1).post(
        "/api/v1/clients/bulk", {"kind": "company", "action": "tag", "ids": [kazan.pk], "tag": "Юг"}
    )
    assert response.status_code == 202
    run_jobs()
    assert list(kazan.tags.values_list("name", flat=True)) == ["Юг"]


def test_bulk_through_the_api_refuses_bad_requests_and_writes_nothing(personas, api_as, base):
    api = api_as(personas.head)
    mine = list(Client.objects.values_list("pk", flat=True))
    bad = api.post("/api/v1/clients/bulk", {"kind": "company", "action": "assign", "ids": mine})
    assert bad.status_code == 422 and "owner_id" in bad.json()["error"]["fields"]
    bad = api.post("/api/v1/clients/bulk", {"kind": "company", "action": "status", "ids": mine, "status_id": 10**6})
    assert bad.status_code == 422 and "status_id" in bad.json()["error"]["fields"]
    bad = api.post("/api/v1/clients/bulk", {"kind": "company", "action": "explode", "ids": mine})
    assert bad.status_code == 422 and "action" in bad.json()["error"]["fields"]
    bad = api.post("/api/v1/clients/bulk", {"kind": "robot", "action": "tag", "ids": mine, "tag": "x"})
    assert bad.status_code == 422 and "kind" in bad.json()["error"]["fields"]
    bad = api.post("/api/v1/clients/bulk", {"kind": "company", "action": "tag", "tag": "x"})
    assert bad.status_code == 422 and "ids" in bad.json()["error"]["fields"]
    # A manager may tag but not delete.
    denied = api_as(personas.manager1).post(
        "/api/v1/clients/bulk", {"kind": "company", "action": "delete", "ids": mine}
    )
    assert denied.status_code == 403
    assert not Job.objects.exists() and Client.objects.count() == len(mine)


def test_export_csv_has_the_columns_filters_scope_and_neutralised_cells(personas, client_as, base):
    response = client_as(personas.head).get(
        "/clients/company/export/", {"format": "csv", "cols": "name,city,primary_phone", "sort": "name"}
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Name", "City", "Phone"]
    names = [r[0] for r in rows[1:]]
    assert "'=HYPERLINK(1)" in names  # neutralised, and the colleague's client too for the head (team scope)
    assert "Южная Москва" in names
    assert ["Москва-0", "Москва", "'+79160000000"] in rows  # "+…" would run as a formula in a spreadsheet
    event = Event.objects.get(kind="client.exported")
    assert event.data["rows"] == 4 and event.data["format"] == "csv"


def test_export_of_a_segment_as_excel_for_a_manager_is_refused_without_permission(personas, client_as, base):
    segment = segment_create(personas.manager1, name="Москва", entity="company", definition=moscow())
    assert client_as(personas.manager1).get("/clients/company/export/", {"segment": segment.pk}).status_code == 403
    response = client_as(personas.admin).get("/clients/company/export/", {"segment": segment.pk, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = sorted(row[0].value for row in sheet.iter_rows(min_row=2))
    assert names == ["Москва-0", "Москва-1", "Южная Москва"]


def test_large_export_runs_as_a_job_and_leaves_a_file(personas, client_as, base, monkeypatch):
    from relata.clients.services import export as export_service

    monkeypatch.setattr(export_service, "SYNC_LIMIT", 1)
    client = client_as(personas.admin)
    response = client.get("/clients/company/export/", {"format": "csv"})
    job = Job.objects.get(kind="clients.export")
    assert response["Location"] == f"/jobs/{job.pk}/"
    run_jobs()
    job.refresh_from_db()
    assert job.state == "succeeded" and job.result["rows"] == 4
    download = client.get(f"/clients/exports/{job.pk}/download/")
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "Южная Москва" in text
    assert client_as(personas.head).get(f"/clients/exports/{job.pk}/download/").status_code == 404
    assert Event.objects.get(kind="client.exported").data["rows"] == 4


def test_export_bad_format_is_refused(personas, client_as, base):
    response = client_as(personas.admin).get("/clients/company/export/", {"format": "pdf"}, follow=True)
    assert "Choose CSV or Excel" in response.content.decode()
    assert not Event.objects.filter(kind="client.exported").exists()


def test_api_list_by_segment(personas, api_as, base):
    segment = segment_create(personas.manager1, name="Москва", entity="company", definition=moscow())
    body = api_as(personas.manager1).get("/api/v1/companies", {"segment_id": segment.pk}).json()
    assert sorted(c["name"] for c in body["items"]) == ["Москва-0", "Москва-1"]
    people = api_as(personas.manager1).get("/api/v1/people", {"segment_id": segment.pk})
    assert people.status_code == 422
    assert json.loads(people.content)["error"]["fields"] == {
        "segment_id": ["The segment is of another kind of client."]
    }
