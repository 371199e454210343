"""Permission-matrix entries of task rules: administrators (`admin.change`) define them
on their pages and through the API; the API lets readers of activities read them.

The world's rule is inactive, so that it makes no tasks in other cases.
"""

from __future__ import annotations

from typing import Any

from relata.activities.models import TaskType
from relata.activities.services.rules import task_rule_create
from relata.core.tests.matrix import Rule, World, api_rule, form, page

LEAK_MARKERS = ["Zircon"]


def _call_back(w: World) -> int:
    return int(TaskType.objects.get(workspace_id=w.p.admin.workspace_id, key="call_back").pk)


def extend_world(world: World) -> None:
    rule = task_rule_create(
        world.p.admin,
        values={
            "name": "Zircon rule",
            "is_active": False,
            "trigger": "activity",
            "activity_text": "Zircon price list",
            "task_type": _call_back(world),
            "delay_days": 3,
        },
    )
    world.extra.update(zircon_rule=rule)


def _pk(w: World) -> dict[str, Any]:
    return {"pk": w.zircon_rule.pk}


def rule_form(w: World) -> dict[str, Any]:
    return {
        "name": "Matrix rule",
        "trigger": "activity",
        "activity_kind": "call",
        "task_type": _call_back(w),
        "delay_days": "1",
        "due_time": "10:00",
        "priority": "normal",
        "assignee_policy": "owner",
    }


PAGES: dict[str, Rule] = {
    "activities:task_rules": page("admin.change"),
    "activities:task_rule_new": page("admin.change"),
    "activities:task_rule_edit": page("admin.change", object_route=True, kwargs=_pk),
    "activities:task_rule_delete": form("admin.change", lambda w: {}, object_route=True, kwargs=_pk),
}

PAGE_POSTS: dict[str, Rule] = {
    # Workspace B's administrator cannot use workspace A's task type.
    "activities:task_rule_new": form("admin.change", rule_form, foreign_data=400),
    "activities:task_rule_edit": form(
        "admin.change",
        lambda w: {**rule_form(w), "version": w.zircon_rule.version},
        object_route=True,
        kwargs=_pk,
    ),
}

_RULE = "/api/v1/task-rules/{rule_id}"


def _rule_id(w: World) -> dict[str, Any]:
    return {"rule_id": w.zircon_rule.pk}


API: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/task-rules"): api_rule("activities.view"),
    ("POST", "/api/v1/task-rules"): api_rule(
        "admin.change",
        201,
        data=lambda w: {
            "name": "Matrix rule",
            "trigger": "activity",
            "activity_kind": "call",
            "task_type_id": _call_back(w),
        },
        foreign_data=422,
    ),
    ("GET", _RULE): api_rule("activities.view", object_route=True, kwargs=_rule_id),
    ("PATCH", _RULE): api_rule(
        "admin.change",
        data=lambda w: {"version": w.zircon_rule.version, "name": "Renamed"},
        object_route=True,
        kwargs=_rule_id,
    ),
    ("DELETE", _RULE): api_rule("admin.change", 204, data=lambda w: {}, object_route=True, kwargs=_rule_id),
}
