"""Permission-matrix entries of the lists of task types and activity outcomes: the pages
and the changes are the administrators' (`admin.change`); the API lets readers of
activities read the lists."""

from __future__ import annotations

from typing import Any

from relata.activities.services.settings import outcome_save, task_type_save
from relata.core.tests.matrix import Rule, World, api_rule, form, page

LEAK_MARKERS = ["Xenon"]


def extend_world(world: World) -> None:
    admin = world.p.admin
    world.extra.update(
        xenon_type=task_type_save(admin, name="Xenon type"),
        xenon_outcome=outcome_save(admin, name="Xenon outcome", is_positive=True),
    )


def _type(w: World) -> dict[str, Any]:
    return {"pk": w.xenon_type.pk}


def _outcome(w: World) -> dict[str, Any]:
    return {"pk": w.xenon_outcome.pk}


PAGES: dict[str, Rule] = {
    "activities:task_types": page("admin.change"),
    "activities:task_type_new": page("admin.change"),
    "activities:task_type_edit": page("admin.change", object_route=True, kwargs=_type),
    "activities:outcomes": page("admin.change"),
    "activities:outcome_new": page("admin.change"),
    "activities:outcome_edit": page("admin.change", object_route=True, kwargs=_outcome),
}

PAGE_POSTS: dict[str, Rule] = {
    "activities:task_type_new": form("admin.change", lambda w: {"name": "Matrix type", "is_active": "on"}),
    "activities:task_type_edit": form(
        "admin.change", lambda w: {"name": "Renamed", "position": "1"}, object_route=True, kwargs=_type
    ),
    "activities:outcome_new": form("admin.change", lambda w: {"name": "Matrix outcome", "is_active": "on"}),
    "activities:outcome_edit": form(
        "admin.change",
        lambda w: {"name": "Renamed", "position": "1", "is_positive": "0", "is_active": "on"},
        object_route=True,
        kwargs=_outcome,
    ),
}

API: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/task-types"): api_rule("activities.view"),
    ("POST", "/api/v1/task-types"): api_rule("admin.change", 201, data=lambda w: {"name": "Matrix type"}),
    ("PATCH", "/api/v1/task-types/{type_id}"): api_rule(
        "admin.change",
        data=lambda w: {"name": "Renamed"},
        object_route=True,
        kwargs=lambda w: {"type_id": w.xenon_type.pk},
    ),
    ("GET", "/api/v1/outcomes"): api_rule("activities.view"),
    ("POST", "/api/v1/outcomes"): api_rule("admin.change", 201, data=lambda w: {"name": "Matrix outcome"}),
    ("PATCH", "/api/v1/outcomes/{outcome_id}"): api_rule(
        "admin.change",
        data=lambda w: {"is_positive": False},
        object_route=True,
        kwargs=lambda w: {"outcome_id": w.xenon_outcome.pk},
    ),
}
