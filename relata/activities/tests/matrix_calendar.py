"""Permission-matrix entries of the calendar: the page and its entries (`activities.view`),
drag and drop (`activities.change` and the task's visibility: manager2 and workspace B
cannot find manager1's task), the member's own iCalendar address (every reader of
activities manages their own), and the public feed (a wrong address is 404 for everyone).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.utils import timezone

from relata.activities.models import TaskType
from relata.activities.services.tasks import task_create
from relata.clients.services.clients import client_create
from relata.core.tests.matrix import Rule, World, api_rule, form, page

LEAK_MARKERS = ["Zenith"]


def extend_world(world: World) -> None:
    p = world.p
    client = client_create(p.manager1, kind="company", values={"name": "Zenith Calendar Works"})
    task_type = TaskType.objects.filter(workspace=p.manager1.workspace, is_active=True).first()
    assert task_type is not None
    task = task_create(
        p.manager1,
        values={
            "type": task_type.pk,
            "title": "Zenith call back",
            "due_at": timezone.now() + dt.timedelta(days=2),
            "client": client.pk,
        },
    )
    world.extra.update(calendar_task=task)


def _period(w: World) -> dict[str, str]:
    today = timezone.localdate()
    return {"start": (today - dt.timedelta(days=1)).isoformat(), "end": (today + dt.timedelta(days=7)).isoformat()}


def _move(w: World) -> dict[str, Any]:
    # A wall-clock time of the members' zone (the workspace's), three days ahead.
    zone = zoneinfo.ZoneInfo(w.p.manager1.workspace.time_zone)
    later = timezone.localtime(timezone.now() + dt.timedelta(days=3), zone).replace(minute=0, second=0, microsecond=0)
    return {
        "kind": "task",
        "id": w.calendar_task.pk,
        "start": later.replace(tzinfo=None).isoformat(),
        "version": w.calendar_task.version,
    }


PAGES: dict[str, Rule] = {
    "activities:calendar": page("activities.view"),
    "activities:calendar_events": page("activities.view", data=_period),
    # manager1's task: those who see it and may change tasks move it; manager2 and
    # workspace B do not find it (404); the read-only role may not move anything (403).
    "activities:calendar_move": Rule(
        "custom",
        data=_move,
        write=True,
        expect={"admin": 200, "head": 200, "manager1": 200, "readonly": 403},
    ),
    "activities:calendar_feed_new": form("activities.view", lambda w: {}, ok=200),
    "activities:calendar_feed_revoke": form("activities.view", lambda w: {}),
    # Public (no log-in): an address that is not a feed is 404 for everybody.
    "activities:calendar_feed": Rule("custom", kwargs=lambda w: {"token": "not-a-feed"}, expect={"anonymous": 404}),
}

API: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/calendar"): Rule("activities.view", data=_period),
    ("POST", "/api/v1/calendar/feed"): api_rule("activities.view", 201, data=lambda w: {}),
    ("DELETE", "/api/v1/calendar/feed"): api_rule("activities.view", 204, data=lambda w: {}),
}
