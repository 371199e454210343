"""Tasks: creating, assigning, completing with the contact and the next step, recurring."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from relata.activities.models import Activity, Task, TaskStatus
from relata.activities.recurrence import validate_rule
from relata.activities.services.tasks import (
    task_cancel,
    task_complete,
    task_create,
    task_reopen,
    task_reschedule,
    task_update,
)
from relata.activities.tests.helpers import company, outcome, soon, task_type
from relata.core.concurrency import StaleVersion
from relata.core.models import Event


def new_task(member, **values):
    return task_create(member, values={"type": task_type(member).pk, "due_at": soon(), **values})


def test_a_task_for_oneself_with_a_reminder(personas):
    client = company(personas.manager1)
    due = soon(hours=3)
    task = new_task(personas.manager1, title="Перезвонить", client=client.pk, due_at=due, remind_before=15)
    assert (task.assignee_id, task.created_by_id, task.status) == (personas.manager1.user_id,) * 2 + ("open",)
    assert task.remind_at == due - dt.timedelta(minutes=15) and task.reminded_at is None
    assert Event.objects.get(kind="task.created").data == {"client": client.pk}


def test_the_title_defaults_to_the_type(personas):
    task = new_task(personas.manager1, title="")
    assert task.title == "Call back"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"due_at": None}, "due_at"),
        ({"due_at": "not a date"}, "due_at"),
        ({"type": 999999}, "type"),
        ({"priority": "whenever"}, "priority"),
        ({"remind_before": -1}, "remind_before"),
        ({"remind_before": 60 * 24 * 31}, "remind_before"),
        ({"remind_by_email": True}, "remind_by_email"),  # e-mail without a reminder time
        ({"client": 999999}, "client"),
        ({"recurrence": "FREQ=DAILY"}, "recurrence"),  # never ends
        ({"recurrence": "FREQ=NEVERLY;COUNT=3"}, "recurrence"),
        ({"recurrence": "COUNT=3"}, "recurrence"),
        ({"recurrence": "FREQ=MINUTELY;COUNT=3"}, "recurrence"),
        ({"recurrence": "FREQ=DAILY;COUNT=100000"}, "recurrence"),
        ({"recurrence": "FREQ=DAILY;UNTIL=20991231T000000Z"}, "recurrence"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_bad_tasks_are_refused_by_field(personas, values, field):
    with pytest.raises(ValidationError) as error:
        new_task(personas.manager1, **values)
    assert field in error.value.message_dict, error.value.message_dict
    assert not Task.objects.exists() and not Event.objects.filter(kind="task.created").exists()


def test_a_due_time_in_the_past_is_refused(personas):
    with pytest.raises(ValidationError) as error:
        new_task(personas.manager1, due_at=timezone.now() - dt.timedelta(hours=1))
    assert error.value.message_dict == {"due_at": ["The due time is in the past."]}
    task = new_task(personas.manager1)
    with pytest.raises(ValidationError):
        task_reschedule(personas.manager1, task.pk, due_at=timezone.now() - dt.timedelta(days=1))
    task.refresh_from_db()
    assert task.version == 1


def test_assigning_to_a_colleague_needs_the_permission_and_a_visible_client(personas):
    client = company(personas.manager1)
    # A manager may not give tasks to others.
    with pytest.raises(PermissionDenied):
        new_task(personas.manager1, assignee=personas.manager2.user_id)
    # An unknown assignee or one of another workspace is named as such.
    for stranger in (999999, personas.other.user_id):
        with pytest.raises(ValidationError) as error:
            new_task(personas.head, assignee=stranger)
        assert "assignee" in error.value.message_dict
    # The head may assign, but not a client to a manager who cannot see it.
    with pytest.raises(ValidationError) as error:
        new_task(personas.head, assignee=personas.manager2.user_id, client=client.pk)
    assert "cannot see this client" in error.value.message_dict["assignee"][0]
    task = new_task(personas.head, assignee=personas.manager1.user_id, client=client.pk)
    assert task.assignee_id == personas.manager1.user_id and task.created_by_id == personas.head.user_id
    assert Task.objects.count() == 1


def test_visibility_follows_the_assignee(personas):
    from relata.activities.selectors.tasks import tasks_visible_to

    mine = new_task(personas.manager1)
    theirs = new_task(personas.manager2)
    assert list(tasks_visible_to(personas.manager1)) == [mine]
    assert set(tasks_visible_to(personas.head)) == {mine, theirs}  # the team subtree
    assert list(tasks_visible_to(personas.other)) == []
    from django.http import Http404

    with pytest.raises(Http404):
        task_update(personas.manager1, theirs.pk, version=1, values={"title": "x"})


def test_complete_with_the_contact_and_the_next_step_in_one_go(personas):
    client = company(personas.manager1)
    task = new_task(personas.manager1, title="Позвонить", client=client.pk)
    follow_due = soon(days=3)
    done = task_complete(
        personas.manager1,
        task.pk,
        result="Заинтересовались, ждут КП",
        activity={"kind": "call", "outcome": outcome(personas.manager1).pk, "duration": 120},
        follow_up={"type": task_type(personas.manager1, "send_offer").pk, "due_at": follow_due},
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.result == "Заинтересовались, ждут КП"
    assert task.completed_by_id == personas.manager1.user_id and task.version == 2
    assert done.activity.client_id == client.pk and done.activity.subject == "Позвонить"
    assert done.activity.duration == 120 and "Заинтересовались" in done.activity.body
    assert done.follow_up.client_id == client.pk and done.follow_up.due_at == follow_due
    assert done.follow_up.title == "Send a commercial offer"
    event = Event.objects.get(kind="task.completed")
    assert event.data["activity"] == done.activity.pk and event.data["follow_up"] == done.follow_up.pk


def test_a_refused_follow_up_undoes_the_completion(personas):
    client = company(personas.manager1)
    task = new_task(personas.manager1, client=client.pk)
    with pytest.raises(ValidationError) as error:
        task_complete(
            personas.manager1,
            task.pk,
            result="ok",
            activity={"kind": "call"},
            follow_up={"type": task_type(personas.manager1).pk, "due_at": timezone.now() - dt.timedelta(days=1)},
        )
    assert "due_at" in error.value.message_dict
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and not task.result
    assert not Activity.objects.exists() and Task.objects.count() == 1


def test_completing_twice_is_refused(personas):
    task = new_task(personas.manager1)
    task_complete(personas.manager1, task.pk, result="first")
    with pytest.raises(ValidationError) as error:
        task_complete(personas.manager1, task.pk, result="second")
    assert error.value.message_dict == {"status": ["This task is already finished."]}
    task.refresh_from_db()
    assert task.result == "first"
    with pytest.raises(ValidationError):
        task_update(personas.manager1, task.pk, version=task.version, values={"title": "late"})


def test_logging_a_contact_needs_a_client(personas):
    task = new_task(personas.manager1)
    with pytest.raises(ValidationError) as error:
        task_complete(personas.manager1, task.pk, activity={"kind": "call"})
    assert "activity" in error.value.message_dict
    task.refresh_from_db()
    assert task.is_open


def test_cancel_and_reopen(personas):
    task = new_task(personas.manager1)
    task_cancel(personas.manager1, task.pk, reason="Клиент закрылся")
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED and task.result == "Клиент закрылся"
    task_reopen(personas.manager1, task.pk)
    task.refresh_from_db()
    assert task.is_open and task.completed_at is None
    assert [e.kind for e in Event.objects.order_by("id")][-2:] == ["task.cancelled", "task.reopened"]


def test_a_stale_edit_is_refused(personas):
    task = new_task(personas.manager1, title="A")
    task_update(personas.manager1, task.pk, version=1, values={"title": "B"})
    with pytest.raises(StaleVersion) as stale:
        task_update(personas.manager1, task.pk, version=1, values={"title": "C"})
    assert stale.value.theirs == {"title": "B"}


def test_rescheduling_asks_for_a_new_reminder(personas):
    task = new_task(personas.manager1, remind_before=10)
    Task.objects.filter(pk=task.pk).update(reminded_at=timezone.now())
    later = soon(days=2)
    task = task_reschedule(personas.manager1, task.pk, due_at=later)
    assert task.remind_at == later - dt.timedelta(minutes=10) and task.reminded_at is None


def test_a_recurring_task_comes_back_until_its_rule_ends(personas):
    tz = zoneinfo.ZoneInfo("Europe/Moscow")
    first_due = (timezone.now().astimezone(tz) + dt.timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    task = new_task(personas.manager1, title="Планёрка", due_at=first_due, recurrence="rrule:freq=weekly;count=3")
    assert task.recurrence == "FREQ=WEEKLY;COUNT=3" and task.series_id == task.pk
    second = task_complete(personas.manager1, task.pk).next_occurrence
    assert second.due_at == first_due + dt.timedelta(weeks=1) and second.occurrence == 2
    assert second.due_at.astimezone(tz).hour == 10
    third = task_complete(personas.manager1, second.pk).next_occurrence
    assert third.occurrence == 3
    assert task_complete(personas.manager1, third.pk).next_occurrence is None
    assert Task.objects.filter(series_id=task.pk).count() == 3


def test_a_recurring_series_keeps_its_local_time_across_daylight_saving():
    start = dt.datetime(2026, 10, 19, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    from relata.activities.recurrence import next_occurrence

    rule = validate_rule("FREQ=WEEKLY;COUNT=4", start, "Europe/Berlin")
    after_switch = next_occurrence(rule, start, start + dt.timedelta(weeks=1), "Europe/Berlin")
    assert after_switch.astimezone(zoneinfo.ZoneInfo("Europe/Berlin")).hour == 10  # not 9 after 25 October
    assert after_switch.utcoffset() == dt.timedelta(0)  # stored in UTC
