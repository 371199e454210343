"""Permission-matrix entries of activities, attachments, tasks, the timeline and
notifications.

The records are manager 1's (team North) on manager 1's client "Zenith Bricks" (made by
the clients' matrix): the head of sales (team Sales, above North) and the administrator
see and change them, the read-only user only sees them, and manager 2 (team South, scope
own) must not learn they exist — not the activity, not its file, not the task.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from relata.activities.models import TaskType
from relata.activities.services.activities import activity_log
from relata.activities.services.tasks import task_complete, task_create
from relata.activities.tests.helpers import PDF
from relata.core.tests.matrix import Rule, World, api_rule, form, page

LEAK_MARKERS = ["Zenith call notes", "Zenith follow-up"]

SEES = {"admin": 200, "head": 200, "manager1": 200, "readonly": 200}  # manager2 and workspace B: 404
CHANGES = {"admin": 200, "head": 200, "manager1": 200, "readonly": 403}
CHANGE_POSTS = {"admin": 302, "head": 302, "manager1": 302, "readonly": 403}
# Deleting needs activities.delete (heads and administrators), checked before any lookup.
DELETES = {"admin": 204, "head": 204, "manager1": 403, "manager2": 403, "readonly": 403}


def _type_id(w: World) -> int:
    return int(TaskType.objects.filter(workspace_id=w.p.admin.workspace_id).values_list("pk", flat=True)[0])


def _due() -> str:
    return (timezone.now() + dt.timedelta(days=2)).isoformat()


def extend_world(world: World) -> None:
    p = world.p
    company = world.company  # the clients' matrix made it first (apps are walked in order)
    activity = activity_log(
        p.manager1,
        client_id=company.pk,
        values={"kind": "call", "subject": "Zenith call notes"},
        files=[SimpleUploadedFile("zenith.pdf", PDF)],
    )
    type_id = _type_id(world)
    task = task_create(
        p.manager1, values={"type": type_id, "title": "Zenith follow-up", "due_at": _due(), "client": company.pk}
    )
    done = task_create(p.manager1, values={"type": type_id, "title": "Zenith done", "due_at": _due()})
    task_complete(p.manager1, done.pk, result="ok")
    world.extra.update(
        activity=activity, attachment=activity.attachments.get(), task=task, done_task=done, task_type_id=type_id
    )


def _task_form(w: World) -> dict[str, Any]:
    return {"type": w.task_type_id, "due_at": timezone.localtime().strftime("%Y-%m-%dT23:59"), "title": "Matrix"}


def _obj(name: str, key: str = "pk") -> Any:
    return lambda w: {key: getattr(w, name).pk}


PAGES: dict[str, Rule] = {
    "activities:activity_new": page(
        "custom",
        object_route=True,
        kwargs=lambda w: {"client_id": w.company.pk},
        expect={"admin": 200, "head": 200, "manager1": 200, "readonly": 403},
    ),
    "activities:activity": page("custom", object_route=True, kwargs=_obj("activity"), expect=SEES),
    "activities:activity_edit": page("custom", object_route=True, kwargs=_obj("activity"), expect=CHANGES),
    "activities:activity_delete": form(
        "custom",
        lambda w: {},
        object_route=True,
        kwargs=_obj("activity"),
        expect={"admin": 302, "head": 302, "manager1": 403, "manager2": 403, "readonly": 403},
    ),
    "activities:attachment": page("custom", object_route=True, kwargs=_obj("attachment"), expect=SEES),
    "activities:attachment_delete": form(
        "custom", lambda w: {}, object_route=True, kwargs=_obj("attachment"), expect=CHANGE_POSTS
    ),
    "activities:tasks": page("activities.view"),
    "activities:team_tasks": page("activities.view"),
    "activities:task_new": page("activities.create"),
    "activities:task": page("custom", object_route=True, kwargs=_obj("task"), expect=SEES),
    "activities:task_edit": page("custom", object_route=True, kwargs=_obj("task"), expect=CHANGES),
    "activities:task_complete": form(
        "custom", lambda w: {"result": "done"}, object_route=True, kwargs=_obj("task"), expect=CHANGE_POSTS
    ),
    "activities:task_cancel": form("custom", lambda w: {}, object_route=True, kwargs=_obj("task"), expect=CHANGE_POSTS),
    "activities:task_reopen": form(
        "custom", lambda w: {}, object_route=True, kwargs=_obj("done_task"), expect=CHANGE_POSTS
    ),
    "activities:task_delete": form(
        "custom",
        lambda w: {},
        object_route=True,
        kwargs=_obj("task"),
        expect={"admin": 302, "head": 302, "manager1": 403, "manager2": 403, "readonly": 403},
    ),
    "web:notification_list": page("member"),
    "web:notification_read": form("member", lambda w: {}),
}

PAGE_POSTS: dict[str, Rule] = {
    "activities:activity_new": form(
        "custom",
        lambda w: {"kind": "note", "subject": "From the matrix"},
        object_route=True,
        kwargs=lambda w: {"client_id": w.company.pk},
        expect={"admin": 302, "head": 302, "manager1": 302, "readonly": 403},
    ),
    "activities:activity_edit": form(
        "custom",
        lambda w: {"kind": "call", "subject": "Changed", "version": w.activity.version},
        object_route=True,
        kwargs=_obj("activity"),
        expect=CHANGE_POSTS,
    ),
    # The task type of workspace A is no choice for workspace B's member: a form error.
    "activities:task_new": form("activities.create", _task_form, foreign_data=400),
    "activities:task_edit": form(
        "custom",
        lambda w: {**_task_form(w), "version": w.task.version},
        object_route=True,
        kwargs=_obj("task"),
        expect=CHANGE_POSTS,
    ),
}


def _api_item(path: str, name: str, key: str) -> dict[tuple[str, str], Rule]:
    return {
        ("GET", path): api_rule("custom", object_route=True, kwargs=_obj(name, key), expect=SEES),
        ("PATCH", path): api_rule(
            "custom",
            data=lambda w: {"version": getattr(w, name).version},
            object_route=True,
            kwargs=_obj(name, key),
            expect=CHANGES,
        ),
        ("DELETE", path): api_rule(
            "custom", 204, data=lambda w: {}, object_route=True, kwargs=_obj(name, key), expect=DELETES
        ),
    }


API: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/activities"): api_rule("activities.view"),
    # Logging on a client one cannot see is a field error (422), never a hint it exists.
    ("POST", "/api/v1/activities"): api_rule(
        "custom",
        201,
        data=lambda w: {"client_id": w.company.pk, "kind": "note"},
        expect={"admin": 201, "head": 201, "manager1": 201, "manager2": 422, "readonly": 403, "other": 422},
    ),
    **_api_item("/api/v1/activities/{activity_id}", "activity", "activity_id"),
    ("POST", "/api/v1/activities/{activity_id}/attachments"): api_rule(
        "custom",
        201,
        data=lambda w: {"files": SimpleUploadedFile("more.pdf", PDF)},
        object_route=True,
        kwargs=_obj("activity", "activity_id"),
        expect={"admin": 201, "head": 201, "manager1": 201, "readonly": 403},
        multipart=True,
    ),
    ("GET", "/api/v1/attachments/{attachment_id}/file"): api_rule(
        "custom", object_route=True, kwargs=_obj("attachment", "attachment_id"), expect=SEES
    ),
    ("DELETE", "/api/v1/attachments/{attachment_id}"): api_rule(
        "custom",
        204,
        data=lambda w: {},
        object_route=True,
        kwargs=_obj("attachment", "attachment_id"),
        expect={"admin": 204, "head": 204, "manager1": 204, "readonly": 403},
    ),
    ("GET", "/api/v1/clients/{client_id}/timeline"): api_rule(
        "custom", object_route=True, kwargs=lambda w: {"client_id": w.company.pk}, expect=SEES
    ),
    ("GET", "/api/v1/tasks"): api_rule("activities.view"),
    ("POST", "/api/v1/tasks"): api_rule(
        "activities.create", 201, data=lambda w: {"type_id": w.task_type_id, "due_at": _due()}, foreign_data=422
    ),
    **_api_item("/api/v1/tasks/{task_id}", "task", "task_id"),
    ("POST", "/api/v1/tasks/{task_id}/complete"): api_rule(
        "custom", data=lambda w: {"result": "ok"}, object_route=True, kwargs=_obj("task", "task_id"), expect=CHANGES
    ),
    ("POST", "/api/v1/tasks/{task_id}/cancel"): api_rule(
        "custom", data=lambda w: {}, object_route=True, kwargs=_obj("task", "task_id"), expect=CHANGES
    ),
    ("POST", "/api/v1/tasks/{task_id}/reopen"): api_rule(
        "custom", data=lambda w: {}, object_route=True, kwargs=_obj("done_task", "task_id"), expect=CHANGES
    ),
    ("GET", "/api/v1/notifications"): api_rule("member"),
    ("POST", "/api/v1/notifications/read"): api_rule("member", data=lambda w: {}),
}
