"""Permission-matrix entries of mass planning: anyone who may create activities plans
over the clients they see (here: in owner mode, so that a manager plans only their own
tasks, and the head of sales, who may assign, plans for the team); a plan is seen through
the API by its author and by administrators only.

The world's clients "Zephyr North" (manager 1) and "Zephyr South" (manager 2) are the
ones the plans cover; manager 1's plan is made in the world (its job is never run).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.utils import timezone

from relata.activities.models import TaskPlan, TaskType
from relata.activities.services.planning import plan_start
from relata.clients.services.clients import client_create
from relata.core.tests.matrix import Rule, World, api_rule, form, page

LEAK_MARKERS = ["Zephyr"]


def _call_back(w: World) -> int:
    return int(TaskType.objects.get(workspace_id=w.p.admin.workspace_id, key="call_back").pk)


def _tomorrow(w: World) -> str:
    tz = zoneinfo.ZoneInfo(w.p.admin.workspace.time_zone)
    return (timezone.localtime(timezone.now(), tz).date() + dt.timedelta(days=1)).isoformat()


def extend_world(world: World) -> None:
    p = world.p
    north = client_create(p.manager1, kind="company", values={"name": "Zephyr North"})
    client_create(p.manager2, kind="company", values={"name": "Zephyr South"})
    job = plan_start(
        p.manager1,
        ids=[north.pk],
        values={"title": "Zephyr plan", "type": _call_back(world), "start_date": _tomorrow(world), "per_day": 5},
    )
    world.extra.update(zephyr_plan=TaskPlan.objects.get(job=job))


def plan_form(w: World) -> dict[str, Any]:
    return {
        "step": "plan",
        "kind": "company",
        "query": "q=Zephyr",
        "title": "Matrix plan",
        "type": _call_back(w),
        "priority": "normal",
        "start_date": _tomorrow(w),
        "per_day": "5",
        "time": "10:00",
        "interval": "15",
    }


def plan_payload(w: World) -> dict[str, Any]:
    return {
        "kind": "company",
        "definition": {"text": "Zephyr"},
        "title": "Matrix plan",
        "type_id": _call_back(w),
        "start_date": _tomorrow(w),
        "per_day": 5,
    }


PAGES: dict[str, Rule] = {
    "activities:plan": page("activities.create"),
}

PAGE_POSTS: dict[str, Rule] = {
    # Workspace B's member sees no such clients and has no such task type.
    "activities:plan": form("activities.create", plan_form, foreign_data=400),
}

API: dict[tuple[str, str], Rule] = {
    ("POST", "/api/v1/task-plans"): api_rule("activities.create", 202, data=plan_payload, foreign_data=422),
    ("GET", "/api/v1/task-plans/{plan_id}"): api_rule(
        "custom",
        object_route=True,
        kwargs=lambda w: {"plan_id": w.zephyr_plan.pk},
        # Its author and the administrator; not even the author's head of sales.
        expect={"manager1": 200, "admin": 200},
    ),
}
