"""The activity and task screens as users work with them."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from relata.activities.models import Activity, Task
from relata.activities.services.activities import activity_log
from relata.activities.services.tasks import task_create
from relata.activities.tests.helpers import PDF, company, outcome, person, soon, task_type, upload
from relata.clients.services.clients import client_update


def local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_log_a_call_with_a_file_from_the_client_card(personas, client_as):
    client = company(personas.manager1)
    buyer = person(personas.manager1, "Петров", client.pk)
    browser = client_as(personas.manager1)
    card = browser.get(f"/clients/{client.pk}/").content.decode()
    assert f"/activities/new/{client.pk}/?kind=call" in card
    form = browser.get(f"/activities/new/{client.pk}/?kind=call").content.decode()
    assert "Петров" in form  # the company's contact persons are offered
    response = browser.post(
        f"/activities/new/{client.pk}/",
        {
            "kind": "call",
            "direction": "out",
            "subject": "Предложил кирпич",
            "body": "<p>Договорились <em>созвониться</em><script>x()</script></p>",
            "outcome": outcome(personas.manager1).pk,
            "duration_minutes": "7",
            "contacts": [buyer.pk],
            "files": [upload("прайс.pdf", PDF)],
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/clients/{client.pk}/"
    activity = Activity.objects.get()
    assert activity.duration == 420 and "<script>" not in activity.body
    card = browser.get(f"/clients/{client.pk}/").content.decode()
    assert "Предложил кирпич" in card and "<em>созвониться</em>" in card and "прайс.pdf" in card
    assert "Interested" in card and "7:00" in card


def test_the_form_shows_the_services_refusals(personas, client_as):
    client = company(personas.manager1)
    response = client_as(personas.manager1).post(
        f"/activities/new/{client.pk}/",
        {"kind": "note", "files": [upload("страница.html", b"<html></html>")]},
    )
    assert response.status_code == 400
    assert "are not accepted" in response.content.decode()
    assert not Activity.objects.exists()


def test_attachments_download_only_for_those_who_see_the_client(personas, client_as):
    client = company(personas.manager1)
    activity = activity_log(
        personas.manager1, client_id=client.pk, values={"kind": "note"}, files=[upload("счёт.pdf", PDF)]
    )
    attachment = activity.attachments.get()
    response = client_as(personas.manager1).get(f"/activities/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    assert client_as(personas.manager2).get(f"/activities/attachments/{attachment.pk}/").status_code == 404
    assert client_as(personas.other).get(f"/activities/attachments/{attachment.pk}/").status_code == 404
    # After a hand-over of the client, the new owner gets it and the old one no longer does.
    client_update(personas.head, client.pk, version=client.version, values={"owner": personas.manager2.user_id})
    assert client_as(personas.manager2).get(f"/activities/attachments/{attachment.pk}/").status_code == 200
    assert client_as(personas.manager1).get(f"/activities/attachments/{attachment.pk}/").status_code == 404


def test_the_timeline_mixes_activities_tasks_and_changes_and_filters(personas, client_as):
    client = company(personas.manager1)
    activity_log(personas.manager1, client_id=client.pk, values={"kind": "call", "subject": "Звонок-1"})
    activity_log(personas.head, client_id=client.pk, values={"kind": "email", "subject": "Письмо-1"})
    task_create(
        personas.manager1,
        values={"type": task_type(personas.manager1).pk, "title": "Задача-1", "due_at": soon(), "client": client.pk},
    )
    browser = client_as(personas.manager1)
    card = browser.get(f"/clients/{client.pk}/").content.decode()
    positions = [card.index(text) for text in ("Задача-1", "Письмо-1", "Звонок-1", "Client created")]
    assert positions == sorted(positions)  # newest first
    calls = browser.get(f"/clients/{client.pk}/timeline/", {"kind": "activities:call"}).content.decode()
    assert "Звонок-1" in calls and "Письмо-1" not in calls and "Задача-1" not in calls
    by_head = browser.get(f"/clients/{client.pk}/timeline/", {"author": personas.head.user_id}).content.decode()
    assert "Письмо-1" in by_head and "Звонок-1" not in by_head
    tasks = browser.get(f"/clients/{client.pk}/timeline/", {"kind": "tasks"}).content.decode()
    assert "Задача-1" in tasks and "Client created" not in tasks


def test_the_timeline_pages_through_thousands_of_entries_without_repeats(personas, client_as):
    client = company(personas.manager1)
    base = timezone.now() - dt.timedelta(days=400)
    Activity.objects.bulk_create(
        [
            Activity(
                workspace_id=client.workspace_id,
                client=client,
                author=personas.manager1.user,
                kind="call",
                direction="out",
                subject=f"Звонок №{n}",
                # Pairs share a time: the order must still be total.
                occurred_at=base + dt.timedelta(hours=n // 2),
            )
            for n in range(1200)
        ]
    )
    browser = client_as(personas.manager1)
    seen: list[str] = []
    html = browser.get(f"/clients/{client.pk}/").content.decode()
    for _page in range(60):
        seen += re.findall(r"Звонок №(\d+)", html)
        found = re.search(r'before=([^&"]+)&amp;', html)
        if not found:
            break
        from urllib.parse import unquote

        html = browser.get(f"/clients/{client.pk}/timeline/", {"before": unquote(found.group(1))}).content.decode()
    assert len(seen) == 1200 and len(set(seen)) == 1200


def test_my_tasks_overdue_today_upcoming(personas, client_as):
    tt = task_type(personas.manager1).pk
    overdue = task_create(personas.manager1, values={"type": tt, "title": "Просрочено", "due_at": soon(hours=1)})
    Task.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - dt.timedelta(hours=3))
    task_create(personas.manager1, values={"type": tt, "title": "Через неделю", "due_at": soon(days=7)})
    task_create(personas.manager2, values={"type": tt, "title": "Чужое", "due_at": soon(days=1)})
    browser = client_as(personas.manager1)
    page = browser.get("/activities/tasks/").content.decode()
    assert "Просрочено" in page and 'data-testid="count-overdue">1<' in page and "table-danger" in page
    upcoming = browser.get("/activities/tasks/", {"show": "upcoming"}).content.decode()
    assert "Через неделю" in upcoming and "Чужое" not in upcoming
    # A manager has no team view; the head sees the team's tasks and can narrow them.
    assert 'data-testid="team-tasks"' not in page
    team = client_as(personas.head).get("/activities/tasks/team/", {"show": "upcoming"}).content.decode()
    assert "Через неделю" in team and "Чужое" in team
    narrowed = (
        client_as(personas.head)
        .get("/activities/tasks/team/", {"show": "upcoming", "assignee": personas.manager2.user_id})
        .content.decode()
    )
    assert "Чужое" in narrowed and "Через неделю" not in narrowed
    assert "Чужое" not in browser.get("/activities/tasks/team/", {"show": "upcoming"}).content.decode()


def test_create_a_task_from_the_card_and_complete_it_with_a_follow_up(personas, client_as):
    client = company(personas.manager1)
    browser = client_as(personas.manager1)
    due = soon(hours=5)
    response = browser.post(
        f"/activities/tasks/new/?client={client.pk}",
        {
            "type": task_type(personas.manager1).pk,
            "title": "Позвонить о поставке",
            "due_at": local(due),
            "priority": "high",
            "client": client.pk,
            "remind_before": "30",
            "repeat": "",
        },
    )
    task = Task.objects.get()
    assert response["Location"] == f"/activities/tasks/{task.pk}/"
    assert task.client_id == client.pk and task.remind_before == 30 and task.priority == "high"
    next_due = soon(days=2)
    response = browser.post(
        f"/activities/tasks/{task.pk}/complete/",
        {
            "result": "Ждут КП",
            "log_activity": "on",
            "activity_kind": "call",
            "activity_direction": "out",
            "activity_outcome": outcome(personas.manager1, "asked_for_offer").pk,
            "plan_next": "on",
            "next_type": task_type(personas.manager1, "send_offer").pk,
            "next_due_at": local(next_due),
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "done" and task.result == "Ждут КП"
    follow_up = Task.objects.exclude(pk=task.pk).get()
    assert follow_up.client_id == client.pk and follow_up.type.key == "send_offer"
    assert Activity.objects.get().outcome.key == "asked_for_offer"
    card = browser.get(f"/clients/{client.pk}/").content.decode()
    assert "Task done" in card and "Send a commercial offer" in card


def test_completion_errors_name_the_fields_and_change_nothing(personas, client_as):
    client = company(personas.manager1)
    task = task_create(
        personas.manager1, values={"type": task_type(personas.manager1).pk, "due_at": soon(), "client": client.pk}
    )
    response = client_as(personas.manager1).post(
        f"/activities/tasks/{task.pk}/complete/",
        {
            "result": "ok",
            "plan_next": "on",
            "next_type": task_type(personas.manager1).pk,
            "next_due_at": "2001-01-01T10:00",
        },
    )
    assert response.status_code == 400
    assert "The due time is in the past." in response.content.decode()
    task.refresh_from_db()
    assert task.is_open and Task.objects.count() == 1


def test_task_form_errors_and_custom_recurrence(personas, client_as):
    browser = client_as(personas.manager1)
    bad = browser.post(
        "/activities/tasks/new/",
        {
            "type": task_type(personas.manager1).pk,
            "due_at": local(soon()),
            "repeat": "custom",
            "recurrence": "FREQ=DAILY",
        },
    )
    assert bad.status_code == 400 and "never ends" in bad.content.decode()
    assert not Task.objects.exists()
    good = browser.post(
        "/activities/tasks/new/",
        {
            "type": task_type(personas.manager1).pk,
            "due_at": local(soon()),
            "repeat": "custom",
            "recurrence": "FREQ=DAILY;COUNT=2",
        },
    )
    assert good.status_code == 302 and Task.objects.get().recurrence == "FREQ=DAILY;COUNT=2"
