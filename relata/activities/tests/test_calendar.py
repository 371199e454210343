"""The calendar: whose entries it shows and for which period, the member's time zone,
drag and drop to reschedule (with its refusals: a stale version, a past time, a finished
task), the API, and the private iCalendar address (create, read, revoke, replace)."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest
import vobject
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from relata.activities.ical import uid_host
from relata.activities.models import Activity, CalendarFeed, Task, TaskStatus
from relata.activities.services.activities import activity_log
from relata.activities.services.calendar import calendar_feed_create, calendar_feed_revoke
from relata.activities.services.tasks import task_cancel, task_complete, task_create
from relata.activities.tests.helpers import company, task_type
from relata.core.models import Event, Workspace
from relata.core.services.members import member_deactivate
from relata.core.services.tokens import hash_token

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
EVENTS = "/activities/calendar/events/"
MOVE = "/activities/calendar/move/"


def anchor(hour: int = 10, days: int = 8) -> dt.datetime:
    """A moment some days ahead, at `hour` o'clock in Moscow (the workspace's zone)."""
    day = timezone.localdate(timezone.now(), MOSCOW) + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=MOSCOW)


def period(around: dt.datetime, before: int = 1, after: int = 2) -> dict[str, str]:
    day = around.astimezone(MOSCOW).date()
    return {"start": (day - dt.timedelta(days=before)).isoformat(), "end": (day + dt.timedelta(days=after)).isoformat()}


def new_task(member, title, due_at, client=None, **values):
    return task_create(
        member,
        values={
            "type": task_type(member).pk,
            "title": title,
            "due_at": due_at,
            "client": client.pk if client else None,
            **values,
        },
        allow_past=due_at < timezone.now(),
    )


def new_meeting(member, client, when, subject="Meeting", kind="meeting", duration=None, participants=()):
    values = {"kind": kind, "occurred_at": when, "subject": subject}
    if duration is not None:
        values["duration"] = duration
    return activity_log(member, client_id=client.pk, values=values, participant_ids=list(participants))


def entries(response):
    assert response.status_code == 200, response.content
    return {event["id"]: event for event in response.json()["events"]}


@pytest.fixture
def world(personas):
    """manager1 with a client, an open task and a meeting at the anchor; manager2 likewise."""
    p = personas
    north_client = company(p.manager1, "Northwind Bricks")
    south_client = company(p.manager2, "Southern Steel")
    when = anchor()
    return {
        "p": p,
        "when": when,
        "north_client": north_client,
        "south_client": south_client,
        "task1": new_task(p.manager1, "Call Northwind back", when, north_client),
        "meeting1": new_meeting(p.manager1, north_client, when + dt.timedelta(hours=2), "Visit plan", duration=5400),
        "task2": new_task(p.manager2, "Call Southern back", when, south_client),
    }


# --- What the calendar shows ----------------------------------------------------------


def test_own_tasks_and_meetings_of_the_period_in_wall_clock_time(world, client_as):
    p, when = world["p"], world["when"]
    later = new_task(p.manager1, "Next month", when + dt.timedelta(days=40), world["north_client"])
    call = activity_log(p.manager1, client_id=world["north_client"].pk, values={"kind": "call", "subject": "Rang"})
    shown = entries(client_as(p.manager1).get(EVENTS, period(when)))

    task = shown[f"task-{world['task1'].pk}"]
    day = when.date().isoformat()
    assert task["start"] == f"{day}T10:00:00" and task["end"] == f"{day}T10:30:00"  # 30 minutes, Moscow time
    assert task["title"] == "Call Northwind back · Northwind Bricks"
    assert task["url"] == reverse("activities:task", args=[world["task1"].pk])
    assert task["startEditable"] is True and task["durationEditable"] is False
    assert task["extendedProps"]["version"] == world["task1"].version

    meeting = shown[f"activity-{world['meeting1'].pk}"]
    assert meeting["start"] == f"{day}T12:00:00" and meeting["end"] == f"{day}T13:30:00"  # its 90 minutes
    assert meeting["url"] == reverse("clients:detail", args=[world["north_client"].pk])
    assert meeting["durationEditable"] is True
    # Not the colleague's task, not next month's, not a call (only meetings and visits).
    assert f"task-{world['task2'].pk}" not in shown
    assert f"task-{later.pk}" not in shown
    assert f"activity-{call.pk}" not in shown


def test_a_meeting_without_duration_lasts_an_hour_and_one_taken_part_in_is_shown(world, client_as):
    p, when = world["p"], world["when"]
    # The head books a visit to manager1's client with manager1 taking part.
    visit = new_meeting(
        p.head,
        world["north_client"],
        when + dt.timedelta(hours=5),
        "Plant tour",
        kind="visit",
        participants=[p.manager1.user_id],
    )
    shown = entries(client_as(p.manager1).get(EVENTS, period(when)))
    entry = shown[f"activity-{visit.pk}"]
    assert entry["end"].endswith("T16:00:00") and entry["start"].endswith("T15:00:00")
    assert entry["extendedProps"]["status"] == "visit"


def test_a_meeting_started_the_day_before_and_still_running_is_shown(world, client_as):
    p, when = world["p"], world["when"]
    day_start = when.replace(hour=0)
    overnight = new_meeting(p.manager1, world["north_client"], day_start - dt.timedelta(hours=2), duration=4 * 3600)
    finished_before = new_meeting(p.manager1, world["north_client"], day_start - dt.timedelta(hours=3), duration=3600)
    shown = entries(client_as(p.manager1).get(EVENTS, period(when, before=0, after=1)))
    assert f"activity-{overnight.pk}" in shown
    assert f"activity-{finished_before.pk}" not in shown


def test_overdue_tasks_are_marked_and_finished_ones_greyed_and_fixed(world, client_as):
    p = world["p"]
    overdue = new_task(p.manager1, "Forgotten", timezone.now() - dt.timedelta(hours=3), world["north_client"])
    done = new_task(p.manager1, "Done already", timezone.now() + dt.timedelta(hours=3))
    task_complete(p.manager1, done.pk, result="Called")
    cancelled = new_task(p.manager1, "Not needed", timezone.now() + dt.timedelta(hours=4))
    task_cancel(p.manager1, cancelled.pk)
    now = timezone.now()
    shown = entries(client_as(p.manager1).get(EVENTS, period(now)))
    assert shown[f"task-{overdue.pk}"]["extendedProps"]["overdue"] is True
    assert "relata-entry-overdue" in shown[f"task-{overdue.pk}"]["classNames"]
    assert shown[f"task-{overdue.pk}"]["startEditable"] is True
    for task in (done, cancelled):
        entry = shown[f"task-{task.pk}"]
        assert entry["extendedProps"]["finished"] is True and entry["extendedProps"]["overdue"] is False
        assert entry["startEditable"] is False
        assert "relata-entry-finished" in entry["classNames"]


def test_times_follow_the_members_own_time_zone(world, client_as):
    p, when = world["p"], world["when"]
    p.manager1.user.time_zone = "Asia/Vladivostok"  # UTC+10, Moscow is UTC+3
    p.manager1.user.save(update_fields=["time_zone"])
    vladivostok_day = when.astimezone(zoneinfo.ZoneInfo("Asia/Vladivostok")).date()
    shown = entries(
        client_as(p.manager1).get(
            EVENTS, {"start": f"{vladivostok_day}T00:00:00", "end": f"{vladivostok_day}T23:59:00"}
        )
    )
    assert shown[f"task-{world['task1'].pk}"]["start"] == f"{vladivostok_day}T17:00:00"
    page = client_as(p.manager1).get("/activities/calendar/").content.decode()
    assert '"timeZone": "Asia/Vladivostok"' in page


def test_a_read_only_member_sees_entries_but_cannot_drag_them(world, client_as):
    p, when = world["p"], world["when"]
    shown = entries(client_as(p.readonly).get(EVENTS, {**period(when), "user": p.manager1.user_id}))
    assert shown[f"task-{world['task1'].pk}"]["startEditable"] is False
    assert shown[f"activity-{world['meeting1'].pk}"]["durationEditable"] is False


# --- Whose calendar: the access scope -------------------------------------------------


def test_a_manager_never_sees_a_colleagues_entries(world, client_as):
    p, when = world["p"], world["when"]
    browser = client_as(p.manager2)
    own = entries(browser.get(EVENTS, period(when)))
    assert set(own) == {f"task-{world['task2'].pk}"}
    for params in ({"user": p.manager1.user_id}, {"team": p.north.pk}, {"team": p.sales.pk}):
        response = browser.get(EVENTS, {**period(when), **params})
        assert response.status_code == 404
        assert "Northwind" not in response.content.decode()
    assert browser.get("/activities/calendar/", {"user": p.manager1.user_id}).status_code == 404
    # The page offers no colleagues and no teams.
    page = browser.get("/activities/calendar/").content.decode()
    assert "Mila North" not in page and f'value="team:{p.sales.pk}"' not in page


def test_a_head_of_sales_sees_the_team_and_each_member(world, client_as):
    p, when = world["p"], world["when"]
    browser = client_as(p.head)
    assert f"task-{world['task1'].pk}" in entries(browser.get(EVENTS, {**period(when), "user": p.manager1.user_id}))
    team = entries(browser.get(EVENTS, {**period(when), "team": p.sales.pk}))
    assert {f"task-{world['task1'].pk}", f"task-{world['task2'].pk}", f"activity-{world['meeting1'].pk}"} <= set(team)
    north = entries(browser.get(EVENTS, {**period(when), "team": p.north.pk}))
    assert f"task-{world['task1'].pk}" in north and f"task-{world['task2'].pk}" not in north
    # The read-only member has no team: outside the head's scope.
    assert browser.get(EVENTS, {**period(when), "user": p.readonly.user_id}).status_code == 404
    page = browser.get("/activities/calendar/").content.decode()
    assert "Mila North" in page and "Max South" in page and "Rita Reader" not in page
    assert f'value="team:{p.north.pk}"' in page


def test_another_workspace_cannot_open_this_workspaces_calendars(world, client_as):
    p, when = world["p"], world["when"]
    browser = client_as(p.other)
    assert browser.get(EVENTS, {**period(when), "user": p.manager1.user_id}).status_code == 404
    assert browser.get(EVENTS, {**period(when), "team": p.sales.pk}).status_code == 404
    assert entries(browser.get(EVENTS, period(when))) == {}


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"end": "2030-01-08"}, "start", "Give the start and the end"),
        ({"start": "2030-01-01"}, "end", "Give the start and the end"),
        ({"start": "next monday", "end": "2030-01-08"}, "start", "Enter a date"),
        ({"start": "2030-02-31", "end": "2030-03-08"}, "start", "Enter a date"),
        ({"start": "2030-01-08", "end": "2030-01-01"}, "end", "after its start"),
        ({"start": "2030-01-01", "end": "2030-01-01"}, "end", "after its start"),
        ({"start": "2030-01-01", "end": "2030-04-12"}, "end", "at most 100 days"),
        ({"start": "2030-01-01", "end": "2030-01-08", "user": "abc"}, "user", "Choose a colleague"),
        ({"start": "2030-01-01", "end": "2030-01-08", "user": "1", "team": "1"}, "team", "not both"),
    ],
)
def test_bad_parameters_are_refused_with_a_message(personas, client_as, params, field, message):
    response = client_as(personas.manager1).get(EVENTS, params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert message in error["message"] and field in error["fields"]


def test_a_period_of_exactly_100_days_and_offsets_are_accepted(personas, client_as):
    browser = client_as(personas.manager1)
    assert browser.get(EVENTS, {"start": "2030-01-01", "end": "2030-04-11"}).status_code == 200
    assert browser.get(EVENTS, {"start": "2030-01-01T00:00:00+03:00", "end": "2030-01-08T00:00:00Z"}).status_code == 200
    assert browser.get(EVENTS, {"start": "2030-01-01", "end": "2030-01-08", "user": 999999}).status_code == 404


# --- Drag and drop --------------------------------------------------------------------


def move(browser, **data):
    return browser.post(MOVE, data)


def test_moving_a_task_saves_the_new_due_time_and_records_it(world, client_as):
    p, task = world["p"], world["task1"]
    new_time = anchor(hour=15, days=9)
    response = move(
        client_as(p.manager1),
        kind="task",
        id=task.pk,
        version=task.version,
        start=new_time.replace(tzinfo=None).isoformat(),
    )
    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "version": task.version + 1,
        "start": new_time.replace(tzinfo=None).isoformat(),
    }
    task.refresh_from_db()
    assert task.due_at == new_time
    event = Event.objects.filter(kind="task.changed", target_id=task.pk).latest("id")
    assert event.actor_id == p.manager1.user_id and "due_at" in event.changes


def test_a_head_moves_a_team_members_task(world, client_as):
    p, task = world["p"], world["task1"]
    new_time = anchor(hour=9, days=10)
    response = move(
        client_as(p.head),
        kind="task",
        id=task.pk,
        version=task.version,
        start=new_time.replace(tzinfo=None).isoformat(),
    )
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.due_at == new_time


def test_a_stale_version_is_refused_with_the_current_time_and_nothing_changes(world, client_as):
    p, task = world["p"], world["task1"]
    other_time = anchor(hour=11, days=9)
    first = move(
        client_as(p.head),
        kind="task",
        id=task.pk,
        version=task.version,
        start=other_time.replace(tzinfo=None).isoformat(),
    )
    assert first.status_code == 200
    events_before = Event.objects.filter(target_id=task.pk).count()
    response = move(
        client_as(p.manager1),
        kind="task",
        id=task.pk,
        version=task.version,
        start=anchor(hour=16, days=9).replace(tzinfo=None).isoformat(),
    )
    assert response.status_code == 409
    body = response.json()
    assert body["ok"] is False and body["error"]["code"] == "conflict"
    assert body["current"] == {"start": other_time.replace(tzinfo=None).isoformat(), "version": task.version + 1}
    assert "Someone else changed this task" in body["error"]["message"]
    stored = Task.objects.get(pk=task.pk)
    assert stored.due_at == other_time and stored.version == task.version + 1
    assert Event.objects.filter(target_id=task.pk).count() == events_before


def test_a_due_time_in_the_past_is_refused(world, client_as):
    p, task = world["p"], world["task1"]
    yesterday = timezone.localtime(timezone.now() - dt.timedelta(days=1), MOSCOW).replace(tzinfo=None)
    response = move(
        client_as(p.manager1),
        kind="task",
        id=task.pk,
        version=task.version,
        start=yesterday.isoformat(timespec="seconds"),
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"due_at": ["The due time is in the past."]}
    stored = Task.objects.get(pk=task.pk)
    assert stored.due_at == task.due_at and stored.version == task.version


def test_a_finished_task_cannot_be_moved(world, client_as):
    p, task = world["p"], world["task1"]
    task_complete(p.manager1, task.pk, result="Done")
    task.refresh_from_db()
    response = move(
        client_as(p.manager1),
        kind="task",
        id=task.pk,
        version=task.version,
        start=anchor(hour=12, days=9).replace(tzinfo=None).isoformat(),
    )
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]
    stored = Task.objects.get(pk=task.pk)
    assert stored.due_at == task.due_at and stored.status == TaskStatus.DONE


def test_others_cannot_move_what_they_may_not_change(world, client_as):
    p, task = world["p"], world["task1"]
    data = {
        "kind": "task",
        "id": task.pk,
        "version": task.version,
        "start": anchor(hour=12, days=9).replace(tzinfo=None).isoformat(),
    }
    assert move(client_as(p.manager2), **data).status_code == 404
    assert move(client_as(p.other), **data).status_code == 404
    response = move(client_as(p.readonly), **data)
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    assert Task.objects.get(pk=task.pk).due_at == task.due_at


def test_resizing_a_meeting_changes_its_length_and_moving_keeps_it(world, client_as):
    p, meeting = world["p"], world["meeting1"]
    browser = client_as(p.manager1)
    start = anchor(hour=14, days=8)
    response = move(
        browser,
        kind="activity",
        id=meeting.pk,
        version=meeting.version,
        start=start.replace(tzinfo=None).isoformat(),
        end=(start + dt.timedelta(hours=2)).replace(tzinfo=None).isoformat(),
    )
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.occurred_at == start and meeting.duration == 7200
    moved_to = anchor(hour=9, days=11)
    response = move(
        browser,
        kind="activity",
        id=meeting.pk,
        version=meeting.version,
        start=moved_to.replace(tzinfo=None).isoformat(),
    )
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.occurred_at == moved_to and meeting.duration == 7200
    assert Event.objects.filter(kind="activity.changed", target_id=meeting.pk).count() == 2


def test_bad_moves_are_refused_and_change_nothing(world, client_as):
    p, meeting, task = world["p"], world["meeting1"], world["task1"]
    browser = client_as(p.manager1)
    start = anchor(hour=14, days=8).replace(tzinfo=None)
    call = activity_log(p.manager1, client_id=world["north_client"].pk, values={"kind": "call"})
    cases = [
        (
            {
                "kind": "activity",
                "id": meeting.pk,
                "version": meeting.version,
                "start": start.isoformat(),
                "end": start.isoformat(),
            },
            "end",
        ),
        (
            {
                "kind": "activity",
                "id": meeting.pk,
                "version": meeting.version,
                "start": start.isoformat(),
                "end": (start + dt.timedelta(hours=25)).isoformat(),
            },
            "end",
        ),
        ({"kind": "activity", "id": call.pk, "version": call.version, "start": start.isoformat()}, "kind"),
        ({"kind": "deal", "id": task.pk, "version": task.version, "start": start.isoformat()}, "kind"),
        ({"kind": "task", "id": task.pk, "version": task.version, "start": "tomorrow"}, "start"),
        ({"kind": "task", "id": task.pk, "start": start.isoformat()}, "version"),
        ({"kind": "task", "id": "x", "version": task.version, "start": start.isoformat()}, "id"),
    ]
    for data, field in cases:
        response = move(browser, **data)
        assert response.status_code == 400, data
        assert field in response.json()["error"]["fields"], data
    assert Activity.objects.get(pk=meeting.pk).occurred_at == meeting.occurred_at
    assert Task.objects.get(pk=task.pk).due_at == task.due_at
    assert browser.get(MOVE).status_code == 405


# --- The page -------------------------------------------------------------------------


def test_the_page_has_the_calendar_its_configuration_and_the_feed_panel(personas, client_as):
    response = client_as(personas.manager1).get("/activities/calendar/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="calendar"' in page and 'data-testid="calendar-feed"' in page
    assert "vendor/fullcalendar/index.global.min.js" in page and "web/calendar.js" in page
    assert "fullcalendar-locales/ru" not in page
    config = json.loads(page.split('<script id="calendar-config" type="application/json">')[1].split("</script>")[0])
    assert config["eventsUrl"] == EVENTS and config["moveUrl"] == MOVE
    assert config["timeZone"] == "Europe/Moscow" and config["locale"] == "en"
    assert config["whose"] == f"user:{personas.manager1.user_id}" and config["canMove"] is True


def test_the_page_speaks_russian_to_a_russian_speaker(personas, client_as):
    personas.manager1.user.language = "ru"
    personas.manager1.user.save(update_fields=["language"])
    page = client_as(personas.manager1).get("/activities/calendar/").content.decode()
    assert "vendor/fullcalendar-locales/ru.global.min.js" in page
    assert '"locale": "ru"' in page


def test_the_page_opens_on_a_chosen_colleague_or_team(world, client_as):
    p = world["p"]
    page = client_as(p.head).get("/activities/calendar/", {"team": p.north.pk}).content.decode()
    assert f'"whose": "team:{p.north.pk}"' in page
    page = client_as(p.head).get("/activities/calendar/", {"whose": f"user:{p.manager2.user_id}"}).content.decode()
    assert f'"whose": "user:{p.manager2.user_id}"' in page


# --- The API --------------------------------------------------------------------------


def test_api_calendar_shows_the_period_in_the_members_zone(world, api_as):
    p, when = world["p"], world["when"]
    response = api_as(p.manager1).get("/api/v1/calendar", period(when))
    assert response.status_code == 200
    body = response.json()
    assert body["time_zone"] == "Europe/Moscow" and body["user_ids"] == [p.manager1.user_id]
    by_key = {(e["type"], e["id"]): e for e in body["entries"]}
    task = by_key[("task", world["task1"].pk)]
    assert dt.datetime.fromisoformat(task["start"]) == when
    assert task["start"].endswith("+03:00") and task["client_name"] == "Northwind Bricks"
    assert task["version"] == world["task1"].version and task["editable"] is True
    meeting = by_key[("activity", world["meeting1"].pk)]
    assert meeting["kind"] == "meeting"
    assert dt.datetime.fromisoformat(meeting["end"]) - dt.datetime.fromisoformat(meeting["start"]) == dt.timedelta(
        minutes=90
    )
    assert ("task", world["task2"].pk) not in by_key


def test_api_calendar_applies_the_scope(world, api_as):
    p, when = world["p"], world["when"]
    manager2 = api_as(p.manager2)
    for params in ({"user_id": p.manager1.user_id}, {"team_id": p.north.pk}):
        response = manager2.get("/api/v1/calendar", {**period(when), **params})
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    body = api_as(p.head).get("/api/v1/calendar", {**period(when), "team_id": p.sales.pk}).json()
    assert {("task", world["task1"].pk), ("task", world["task2"].pk)} <= {(e["type"], e["id"]) for e in body["entries"]}


def test_api_calendar_refuses_bad_periods(personas, api_as):
    api = api_as(personas.manager1)
    response = api.get("/api/v1/calendar", {"start": "2030-01-01", "end": "2030-06-01"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"end": ["The period can be at most 100 days long."]}
    response = api.get("/api/v1/calendar", {"end": "2030-01-08"})
    assert response.status_code == 422 and "start" in response.json()["error"]["fields"]


def test_api_feed_is_created_once_shown_and_revoked(personas, api_as, client):
    api = api_as(personas.manager1)
    response = api.post("/api/v1/calendar/feed")
    assert response.status_code == 201
    body = response.json()
    path = body["url"].split("testserver", 1)[1]
    assert path.startswith("/activities/calendar/feed/") and path.endswith(".ics")
    assert body["webcal_url"].startswith("webcal://")
    assert client.get(path).status_code == 200
    assert api.delete("/api/v1/calendar/feed").status_code == 204
    assert client.get(path).status_code == 404
    assert api.delete("/api/v1/calendar/feed").status_code == 204  # idempotent


# --- The iCalendar feed ---------------------------------------------------------------


def read_feed(client, secret):
    response = client.get(reverse("activities:calendar_feed", kwargs={"token": secret}))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return vobject.readOne(response.content.decode())


def test_the_feed_holds_the_members_open_tasks_and_meetings(world, client):
    p = world["p"]
    done = new_task(p.manager1, "Already done", anchor(hour=16))
    task_complete(p.manager1, done.pk)
    old = new_task(p.manager1, "Long ago", timezone.now() - dt.timedelta(days=45))
    _feed, secret = calendar_feed_create(p.manager1)
    calendar = read_feed(client, secret)
    assert calendar.x_wr_calname.value == "Relata: Mila North"
    events = {event.uid.value: event for event in calendar.vevent_list}
    task_uid = f"task-{world['task1'].pk}@{uid_host()}"
    meeting_uid = f"activity-{world['meeting1'].pk}@{uid_host()}"
    assert set(events) == {task_uid, meeting_uid}  # not the colleague's, not done, not 45 days ago
    task = events[task_uid]
    assert task.summary.value == "Call Northwind back"
    assert task.dtstart.value == world["when"] and task.dtstart.value.utcoffset() == dt.timedelta(0)
    assert task.dtend.value - task.dtstart.value == dt.timedelta(minutes=30)
    assert "Northwind Bricks" in task.description.value
    assert f"http://testserver{reverse('activities:task', args=[world['task1'].pk])}" in task.description.value
    meeting = events[meeting_uid]
    assert meeting.dtend.value - meeting.dtstart.value == dt.timedelta(minutes=90)
    assert reverse("clients:detail", args=[world["north_client"].pk]) in meeting.description.value
    assert str(done.pk) not in "".join(events) and str(old.pk) not in "".join(events)


def test_the_feed_is_read_with_the_members_current_scope(world, client):
    p = world["p"]
    _feed, secret = calendar_feed_create(p.head)
    # The head has no entries of their own: the feed is theirs, never the team's.
    assert read_feed(client, secret).contents.get("vevent", []) == []


def test_only_the_hash_is_kept_and_use_is_noted_once_a_minute(world, client):
    p = world["p"]
    feed, secret = calendar_feed_create(p.manager1)
    assert feed.token_hash == hash_token(secret) and secret not in feed.token_hash and feed.prefix == secret[:8]
    assert not CalendarFeed.objects.filter(token_hash=secret).exists()
    read_feed(client, secret)
    first = CalendarFeed.objects.get(pk=feed.pk).last_used_at
    assert first is not None
    read_feed(client, secret)
    assert CalendarFeed.objects.get(pk=feed.pk).last_used_at == first
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    read_feed(client, secret)
    assert CalendarFeed.objects.get(pk=feed.pk).last_used_at > first


def test_a_revoked_address_answers_404(world, client):
    p = world["p"]
    feed, secret = calendar_feed_create(p.manager1)
    calendar_feed_revoke(p.manager1)
    assert client.get(reverse("activities:calendar_feed", kwargs={"token": secret})).status_code == 404
    assert Event.objects.filter(kind="calendar_feed.revoked", target_id=feed.pk).exists()
    assert calendar_feed_revoke(p.manager1) is None  # nothing more to revoke, nothing recorded
    assert Event.objects.filter(kind="calendar_feed.revoked").count() == 1


def test_a_new_address_replaces_the_old_one(world, client):
    p = world["p"]
    _old, old_secret = calendar_feed_create(p.manager1)
    new, new_secret = calendar_feed_create(p.manager1)
    assert client.get(reverse("activities:calendar_feed", kwargs={"token": old_secret})).status_code == 404
    read_feed(client, new_secret)
    assert CalendarFeed.objects.filter(user=p.manager1.user, revoked_at__isnull=True).get() == new
    assert Event.objects.filter(kind="calendar_feed.created").count() == 2


def test_a_deactivated_member_or_a_closed_workspace_has_no_feed(world, client):
    p = world["p"]
    _feed, secret = calendar_feed_create(p.manager1)
    url = reverse("activities:calendar_feed", kwargs={"token": secret})
    member_deactivate(p.admin, p.manager1.user_id)
    assert client.get(url).status_code == 404
    _feed, secret2 = calendar_feed_create(p.manager2)
    url2 = reverse("activities:calendar_feed", kwargs={"token": secret2})
    assert client.get(url2).status_code == 200
    Workspace.objects.filter(pk=p.admin.workspace_id).update(is_active=False)  # the platform closes it
    assert client.get(url2).status_code == 404


def test_a_wrong_address_answers_404(personas, client):
    for token in ("nothing", "x" * 300):
        assert client.get(f"/activities/calendar/feed/{token}.ics").status_code == 404


def test_the_page_creates_and_shows_the_address_once_and_revokes_it(personas, client_as, client):
    browser = client_as(personas.manager1)
    response = browser.post("/activities/calendar/feed/new/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="calendar-feed-url"' in page and 'data-testid="calendar"' in page
    address = page.split('data-testid="calendar-feed-url"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert client.get(address.split("testserver", 1)[1]).status_code == 200
    # Shown once: the page afterwards only names its beginning.
    again = browser.get("/activities/calendar/").content.decode()
    assert address not in again and 'data-testid="calendar-feed-state"' in again
    # HTMX: only the panel comes back.
    partial = browser.post("/activities/calendar/feed/revoke/", headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert 'data-testid="calendar-feed"' in partial.content.decode() and "<html" not in partial.content.decode()
    assert client.get(address.split("testserver", 1)[1]).status_code == 404
    response = browser.post("/activities/calendar/feed/revoke/")
    assert response.status_code == 302 and response["Location"] == "/activities/calendar/"
    htmx_new = browser.post("/activities/calendar/feed/new/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in htmx_new and "/activities/calendar/feed/" in htmx_new


def test_the_number_of_queries_does_not_grow_with_the_entries(world, client_as):
    p, when = world["p"], world["when"]
    browser = client_as(p.head)
    params = {**period(when), "team": p.sales.pk}
    browser.get(EVENTS, params)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert browser.get(EVENTS, params).status_code == 200
    for hour in range(11, 17):
        new_task(p.manager2, f"Task at {hour}", anchor(hour=hour), world["south_client"])
        new_meeting(p.manager1, world["north_client"], anchor(hour=hour, days=9), f"Meeting at {hour}")
    with CaptureQueriesContext(connection) as many:
        shown = entries(browser.get(EVENTS, params))
    assert len(shown) >= 14
    assert len(many) == len(few)
