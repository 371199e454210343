"""Activities, tasks and the timeline through the API, as an integration would use them."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from relata.activities.models import Activity, Attachment, Task
from relata.activities.tests.helpers import PDF, company, outcome, task_type
from relata.core.models import Event


def later(**delta: float) -> str:
    return (timezone.now() + dt.timedelta(**(delta or {"days": 1}))).isoformat()


def test_log_read_change_and_list_activities(personas, api_as):
    client = company(personas.manager1)
    api = api_as(personas.manager1)
    created = api.post(
        "/api/v1/activities",
        {
            "client_id": client.pk,
            "kind": "email",
            "direction": "in",
            "subject": "Запрос цены",
            "body": "<p>Здравствуйте<script>x</script></p>",
            "email_thread": "<abc@mail>",
            "outcome_id": outcome(personas.manager1, "asked_for_offer").pk,
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["body"] == "<p>Здравствуйте</p>" and body["version"] == 1 and body["attachments"] == []
    activity_id = body["id"]
    stale = api.patch(f"/api/v1/activities/{activity_id}", {"version": 1, "subject": "Новая тема"})
    assert stale.status_code == 200 and stale.json()["version"] == 2
    conflict = api.patch(f"/api/v1/activities/{activity_id}", {"version": 1, "subject": "Опоздал"})
    assert conflict.status_code == 409
    assert Activity.objects.get().subject == "Новая тема"
    listed = api.get("/api/v1/activities", {"client_id": client.pk, "kind": "email"}).json()
    assert [a["id"] for a in listed["items"]] == [activity_id]
    assert api_as(personas.manager2).get("/api/v1/activities").json()["count"] == 0


def test_bad_activities_are_refused_with_the_field_named(personas, api_as):
    client = company(personas.manager1)
    api = api_as(personas.manager1)
    for payload, field in [
        ({"client_id": client.pk, "kind": "party"}, "kind"),
        ({"client_id": client.pk, "kind": "call", "duration": -1}, "duration"),
        ({"client_id": client.pk, "kind": "call", "occurred_at": later(days=2)}, "occurred_at"),
        ({"client_id": client.pk, "kind": "call", "participant_ids": [personas.other.user_id]}, "participants"),
        ({"client_id": 10**9, "kind": "call"}, "client"),
    ]:
        response = api.post("/api/v1/activities", payload)
        assert response.status_code == 422 and field in response.json()["error"]["fields"], (payload, response.json())
    assert not Activity.objects.exists()


def test_attachments_through_the_api(personas, api_as):
    client = company(personas.manager1)
    api = api_as(personas.manager1)
    activity_id = api.post("/api/v1/activities", {"client_id": client.pk, "kind": "document_sent"}).json()["id"]
    url = f"/api/v1/activities/{activity_id}/attachments"
    response = api.client.post(url, {"files": [SimpleUploadedFile("счёт.pdf", PDF)]}, headers=api.headers)
    assert response.status_code == 201
    [attachment] = response.json()
    assert attachment["name"] == "счёт.pdf" and attachment["size"] == len(PDF)
    download = api.get(attachment["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment;")
    refused = api.client.post(url, {"files": [SimpleUploadedFile("x.svg", b"<svg/>")]}, headers=api.headers)
    assert refused.status_code == 422 and "files" in refused.json()["error"]["fields"]
    assert Attachment.objects.count() == 1
    assert api_as(personas.manager2).get(attachment["url"]).status_code == 404
    assert api.call("DELETE", f"/api/v1/attachments/{attachment['id']}").status_code == 204
    assert not Attachment.objects.exists()


def test_tasks_through_the_api(personas, api_as):
    client = company(personas.manager1)
    api = api_as(personas.manager1)
    created = api.post(
        "/api/v1/tasks",
        {
            "type_id": task_type(personas.manager1).pk,
            "title": "Перезвонить",
            "due_at": later(hours=3),
            "client_id": client.pk,
            "remind_before": 15,
            "recurrence": "FREQ=WEEKLY;COUNT=2",
        },
    )
    assert created.status_code == 201, created.json()
    task = created.json()
    assert task["assignee_id"] == personas.manager1.user_id and task["series_id"] == task["id"]
    assert api.get("/api/v1/tasks", {"bucket": "today"}).json()["count"] in (0, 1)  # depends on the hour
    assert api.get("/api/v1/tasks", {"status": "open", "client_id": client.pk}).json()["count"] == 1
    moved = api.patch(f"/api/v1/tasks/{task['id']}", {"version": 1, "due_at": later(days=2)})
    assert moved.status_code == 200 and moved.json()["version"] == 2
    done = api.post(
        f"/api/v1/tasks/{task['id']}/complete",
        {
            "result": "Договорились",
            "activity": {"kind": "call", "outcome_id": outcome(personas.manager1).pk},
            "follow_up": {"type_id": task_type(personas.manager1, "send_offer").pk, "due_at": later(days=4)},
        },
    )
    assert done.status_code == 200, done.json()
    result = done.json()
    assert result["task"]["status"] == "done" and result["activity_id"] is not None
    assert result["follow_up"]["client_id"] == client.pk
    assert result["next_occurrence"]["occurrence"] == 2
    again = api.post(f"/api/v1/tasks/{task['id']}/complete", {})
    assert again.status_code == 422 and "status" in again.json()["error"]["fields"]
    assert api.post(f"/api/v1/tasks/{task['id']}/reopen", {}).json()["status"] == "open"


def test_bad_tasks_through_the_api_write_nothing(personas, api_as):
    api = api_as(personas.manager1)
    tt = task_type(personas.manager1).pk
    for payload, field in [
        ({"type_id": tt, "due_at": (timezone.now() - dt.timedelta(days=1)).isoformat()}, "due_at"),
        ({"type_id": tt, "due_at": later(), "recurrence": "FREQ=DAILY"}, "recurrence"),
        ({"type_id": tt, "due_at": later(), "recurrence": "nonsense"}, "recurrence"),
        ({"type_id": tt, "due_at": later(), "priority": "asap"}, "priority"),
        ({"type_id": 10**9, "due_at": later()}, "type"),
        ({"type_id": tt, "due_at": "soon"}, "due_at"),
    ]:
        response = api.post("/api/v1/tasks", payload)
        assert response.status_code == 422, (payload, response.json())
        assert field in response.json()["error"]["fields"], (payload, response.json())
    # A manager cannot give a task to a colleague (403), the head can.
    assert (
        api.post(
            "/api/v1/tasks", {"type_id": tt, "due_at": later(), "assignee_id": personas.manager2.user_id}
        ).status_code
        == 403
    )
    assert api.get("/api/v1/tasks", {"bucket": "someday"}).status_code == 422
    assert not Task.objects.exists() and not Event.objects.filter(kind="task.created").exists()


def test_the_timeline_through_the_api_pages_with_a_cursor(personas, api_as):
    client = company(personas.manager1)
    base = timezone.now() - dt.timedelta(days=30)
    Activity.objects.bulk_create(
        [
            Activity(
                workspace_id=client.workspace_id,
                client=client,
                author=personas.manager1.user,
                kind="call" if n % 2 else "email",
                occurred_at=base + dt.timedelta(hours=n),
                subject=f"#{n}",
            )
            for n in range(30)
        ]
    )
    api = api_as(personas.manager1)
    first = api.get(f"/api/v1/clients/{client.pk}/timeline", {"limit": 20}).json()
    second = api.get(f"/api/v1/clients/{client.pk}/timeline", {"limit": 20, "before": first["next_cursor"]}).json()
    titles = [i["title"] for i in first["items"] + second["items"]]
    # The client was created now, after the calls it had (logged back-dated): newest first.
    assert titles == ["Client created"] + [f"#{n}" for n in range(29, -1, -1)]
    assert second["next_cursor"] is None and first["items"][0]["source"] == "change"
    calls = api.get(f"/api/v1/clients/{client.pk}/timeline", {"kind": "activities:call", "limit": 100}).json()
    assert len(calls["items"]) == 15
    assert api.get(f"/api/v1/clients/{client.pk}/timeline", {"before": "garbage"}).status_code == 422
    assert api_as(personas.manager2).get(f"/api/v1/clients/{client.pk}/timeline").status_code == 404
