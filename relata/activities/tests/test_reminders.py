"""Reminders: delivered once, at the chosen time, in the app and optionally by e-mail,
and shown live in open pages through the bell's polling."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils import timezone

from relata.activities.models import Task
from relata.activities.services.reminders import reminders_deliver
from relata.activities.services.tasks import task_cancel, task_create, task_reschedule
from relata.activities.tests.helpers import company, task_type
from relata.core.models import Notification, OutgoingEmail
from relata.core.services.notifications import email_send


def reminder_task(member, *, due_in: dt.timedelta, before: int = 10, **values):
    return task_create(
        member,
        values={
            "type": task_type(member).pk,
            "title": values.pop("title", "Перезвонить"),
            "due_at": timezone.now() + due_in,
            "remind_before": before,
            **values,
        },
    )


def test_a_due_reminder_is_delivered_once(personas, django_capture_on_commit_callbacks):
    client = company(personas.manager1)
    task = reminder_task(personas.manager1, due_in=dt.timedelta(minutes=5), client=client.pk, remind_by_email=True)
    later = reminder_task(personas.manager1, due_in=dt.timedelta(hours=5), title="Позже")
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_deliver() == 1
    note = Notification.objects.get()
    assert note.user_id == personas.manager1.user_id and note.kind == "task.reminder"
    assert note.title == "Reminder: Перезвонить" and "ООО «Кирпич»" in note.body  # in the member's language
    assert note.url == f"/activities/tasks/{task.pk}/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["m1@alpha.test"]
    assert f"/activities/tasks/{task.pk}/" in mail.outbox[0].body
    assert OutgoingEmail.objects.get().state == OutgoingEmail.State.SENT
    # Again, and again: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_deliver() == 0
        assert reminders_deliver(timezone.now() + dt.timedelta(minutes=1)) == 0
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1
    # The later one comes in its time.
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_deliver(later.remind_at + dt.timedelta(seconds=1)) == 1
    assert Notification.objects.count() == 2 and len(mail.outbox) == 1  # no e-mail asked for it


def test_a_sent_letter_is_never_sent_twice(personas, django_capture_on_commit_callbacks):
    reminder_task(personas.manager1, due_in=dt.timedelta(minutes=1), remind_by_email=True)
    with django_capture_on_commit_callbacks(execute=True):
        reminders_deliver()
    letter = OutgoingEmail.objects.get()
    assert email_send(letter.pk) == "skipped"  # the worker's retry or a second worker
    assert len(mail.outbox) == 1


def test_finished_or_unreminded_tasks_are_not_reminded(personas):
    cancelled = reminder_task(personas.manager1, due_in=dt.timedelta(minutes=1))
    task_cancel(personas.manager1, cancelled.pk)
    task_create(
        personas.manager1,
        values={"type": task_type(personas.manager1).pk, "due_at": timezone.now() + dt.timedelta(minutes=1)},
    )
    assert reminders_deliver(timezone.now() + dt.timedelta(hours=1)) == 0
    assert not Notification.objects.exists()


def test_a_rescheduled_task_is_reminded_again(personas):
    task = reminder_task(personas.manager1, due_in=dt.timedelta(minutes=5))
    assert reminders_deliver() == 1
    task = task_reschedule(personas.manager1, task.pk, due_at=timezone.now() + dt.timedelta(days=1))
    assert reminders_deliver() == 0
    assert reminders_deliver(task.remind_at + dt.timedelta(seconds=1)) == 1
    assert Notification.objects.count() == 2


def test_one_broken_task_does_not_hold_back_the_others(personas, monkeypatch):
    first = reminder_task(personas.manager1, due_in=dt.timedelta(minutes=1), title="Сломанная")
    reminder_task(personas.manager1, due_in=dt.timedelta(minutes=2), title="Целая")
    from relata.activities.services import reminders

    real_notify = reminders.notify

    def notify(**kwargs):
        if "Сломанная" in kwargs["title"]:
            raise RuntimeError("broken")
        return real_notify(**kwargs)

    monkeypatch.setattr(reminders, "notify", notify)
    assert reminders_deliver() == 1
    assert list(Notification.objects.values_list("title", flat=True)) == ["Reminder: Целая"]
    assert Task.objects.get(pk=first.pk).reminded_at is None  # tried again next time
    monkeypatch.setattr(reminders, "notify", real_notify)
    assert reminders_deliver() == 1


def test_the_bell_pops_up_new_notifications_in_open_pages(personas, client_as):
    browser = client_as(personas.manager1)
    page = browser.get("/").content.decode()
    assert "/notifications/?after=0" in page
    reminder_task(personas.manager1, due_in=dt.timedelta(minutes=1))
    reminders_deliver()
    note = Notification.objects.get()
    bell = browser.get("/notifications/", {"after": 0}, HTTP_HX_REQUEST="true").content.decode()
    assert f'data-id="{note.pk}"' in bell and "Reminder: Перезвонить" in bell
    assert 'data-testid="unread-count">1<' in bell
    assert f"after={note.pk}" in bell  # the next poll asks only for newer ones
    again = browser.get("/notifications/", {"after": note.pk}).content.decode()
    assert "data-toast" not in again
    # Somebody else's bell shows nothing of it.
    other = client_as(personas.manager2).get("/notifications/", {"after": 0}).content.decode()
    assert "Перезвонить" not in other


def test_reading_notifications(personas, client_as, api_as):
    reminder_task(personas.manager1, due_in=dt.timedelta(minutes=1))
    reminder_task(personas.manager1, due_in=dt.timedelta(minutes=2), title="Второе")
    reminders_deliver()
    first, second = Notification.objects.order_by("id")
    browser = client_as(personas.manager1)
    assert "Второе" in browser.get("/notifications/all/").content.decode()
    # Opening one from the list marks it read and follows its link.
    response = browser.post("/notifications/read/", {"id": first.pk})
    assert response["Location"] == first.url
    first.refresh_from_db()
    assert first.read_at is not None
    # Nobody can mark another's notification read.
    client_as(personas.manager2).post("/notifications/read/", {"id": second.pk})
    second.refresh_from_db()
    assert second.read_at is None
    api = api_as(personas.manager1)
    listed = api.get("/api/v1/notifications", {"unread": "true"}).json()
    assert [n["title"] for n in listed["items"]] == ["Reminder: Второе"]
    assert api.post("/api/v1/notifications/read", {}).json() == {"marked": 1}
    assert api_as(personas.manager2).get("/api/v1/notifications").json()["count"] == 0
