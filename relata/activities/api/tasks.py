"""Tasks through the API: list, create, change, complete (with the contact and the next
step), cancel, reopen, delete."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from relata.activities.api.activities import ActivityFields
from relata.activities.models import Task, TaskStatus
from relata.activities.selectors.tasks import bucket, task_get, tasks_visible_to, today_for
from relata.activities.services.tasks import (
    task_cancel,
    task_complete,
    task_create,
    task_delete,
    task_reopen,
    task_update,
)
from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.core.access import require
from relata.core.errors import invalid

router = Router(tags=["tasks"])


class TaskOut(Schema):
    id: int
    type_id: int
    type: str
    title: str
    description: str
    due_at: dt.datetime
    overdue: bool
    priority: str
    status: str
    assignee_id: int
    created_by_id: int
    client_id: int | None
    remind_before: int | None = Field(None, description="Minutes before the due time; null: no reminder.")
    remind_by_email: bool
    remind_at: dt.datetime | None
    reminded_at: dt.datetime | None
    recurrence: str
    series_id: int | None
    occurrence: int
    rule_id: int | None
    plan_id: int | None
    completed_at: dt.datetime | None
    completed_by_id: int | None
    result: str
    version: int
    created_at: dt.datetime

    @staticmethod
    def resolve_type(task: Task) -> str:
        return task.type.display_name

    @staticmethod
    def resolve_overdue(task: Task) -> bool:
        return task.is_overdue()


class TaskFields(Schema):
    type_id: int | None = Field(None, description="From /api/v1/task-types.")
    title: str | None = Field(None, max_length=200)
    description: str | None = None
    due_at: dt.datetime | None = Field(None, description="Not in the past.")
    priority: str | None = Field(None, description="low, normal, high or urgent")
    assignee_id: int | None = Field(None, description="Default: you. Someone else needs the assign permission.")
    client_id: int | None = None
    remind_before: int | None = Field(None, description="Minutes before the due time (0: at it); null: none.")
    remind_by_email: bool | None = None
    recurrence: str | None = Field(None, description="An RRULE that ends, e.g. FREQ=WEEKLY;BYDAY=MO;COUNT=10.")


class TaskIn(TaskFields):
    type_id: int  # type: ignore[assignment]
    due_at: dt.datetime  # type: ignore[assignment]


class TaskPatch(TaskFields):
    version: int = Field(..., ge=1)


class TaskFilter(Schema):
    assignee_id: int | None = None
    client_id: int | None = None
    status: str | None = Field(None, description="open, done or cancelled")
    bucket: str | None = Field(None, description="overdue, today or upcoming (open tasks)")
    due_from: dt.datetime | None = None
    due_to: dt.datetime | None = None


class ActivityLogIn(ActivityFields):
    kind: str = "call"  # type: ignore[assignment]


class CompleteIn(Schema):
    result: str = ""
    activity: ActivityLogIn | None = Field(None, description="Log the contact on the task's client.")
    follow_up: TaskFields | None = Field(None, description="The next task (on the same client unless given).")


class CompleteOut(Schema):
    task: TaskOut
    activity_id: int | None
    follow_up: TaskOut | None
    next_occurrence: TaskOut | None


class CancelIn(Schema):
    reason: str = ""


RENAMES = {"type_id": "type", "assignee_id": "assignee", "client_id": "client", "outcome_id": "outcome"}


def task_values(payload: Schema) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    data.pop("version", None)
    return {RENAMES.get(key, key): value for key, value in data.items()}


@router.get("/tasks", response=list[TaskOut], summary="Tasks you may see (yours, your team's…), by due time")
@paginate(PagePagination)
def task_list(request: HttpRequest, filters: Query[TaskFilter]) -> QuerySet[Task]:
    actor = actor_of(request)
    require(actor, "activities", "view")
    queryset = tasks_visible_to(actor)
    if filters.assignee_id is not None:
        queryset = queryset.filter(assignee_id=filters.assignee_id)
    if filters.client_id is not None:
        queryset = queryset.filter(client_id=filters.client_id)
    if filters.status is not None:
        if filters.status not in TaskStatus.values:
            raise invalid("status", "Choose open, done or cancelled.")
        queryset = queryset.filter(status=filters.status)
    if filters.bucket is not None:
        if filters.bucket not in ("overdue", "today", "upcoming"):
            raise invalid("bucket", "Choose overdue, today or upcoming.")
        queryset = bucket(queryset, filters.bucket, today_for(actor), timezone.now())
    if filters.due_from is not None:
        queryset = queryset.filter(due_at__gte=filters.due_from)
    if filters.due_to is not None:
        queryset = queryset.filter(due_at__lt=filters.due_to)
    return queryset.order_by("due_at", "id")


@router.post("/tasks", response={201: TaskOut}, summary="Create a task")
def task_new(request: HttpRequest, payload: TaskIn) -> Status[Any]:
    actor = actor_of(request)
    task = task_create(actor, values=task_values(payload))
    return Status(201, task_get(actor, task.pk))


@router.get("/tasks/{task_id}", response=TaskOut, summary="One task")
def task_detail(request: HttpRequest, task_id: int) -> Task:
    return task_get(actor_of(request), task_id)


@router.patch("/tasks/{task_id}", response=TaskOut, summary="Change or reschedule an open task (optimistic locking)")
def task_change(request: HttpRequest, task_id: int, payload: TaskPatch) -> Task:
    actor = actor_of(request)
    task_update(actor, task_id, version=payload.version, values=task_values(payload))
    return task_get(actor, task_id)


@router.delete("/tasks/{task_id}", response={204: None}, summary="Delete a task")
def task_remove(request: HttpRequest, task_id: int) -> Status[None]:
    actor = actor_of(request)
    require(actor, "activities", "delete")
    task_delete(actor, task_get(actor, task_id).pk)
    return Status(204, None)


@router.post(
    "/tasks/{task_id}/complete",
    response=CompleteOut,
    summary="Complete a task; optionally log the contact and plan the next step in one go",
)
def task_done(request: HttpRequest, task_id: int, payload: CompleteIn) -> CompleteOut:
    actor = actor_of(request)
    activity = task_values(payload.activity) if payload.activity is not None else None
    if activity is not None and "kind" not in activity:
        activity["kind"] = "call"
    follow_up = task_values(payload.follow_up) if payload.follow_up is not None else None
    done = task_complete(actor, task_id, result=payload.result, activity=activity, follow_up=follow_up)
    return CompleteOut(
        task=task_get(actor, done.task.pk),  # type: ignore[arg-type]
        activity_id=done.activity.pk if done.activity else None,
        follow_up=task_get(actor, done.follow_up.pk) if done.follow_up else None,  # type: ignore[arg-type]
        next_occurrence=task_get(actor, done.next_occurrence.pk) if done.next_occurrence else None,  # type: ignore[arg-type]
    )


@router.post("/tasks/{task_id}/cancel", response=TaskOut, summary="Cancel an open task (a series stops)")
def task_stop(request: HttpRequest, task_id: int, payload: CancelIn) -> Task:
    actor = actor_of(request)
    task_cancel(actor, task_id, reason=payload.reason)
    return task_get(actor, task_id)


@router.post("/tasks/{task_id}/reopen", response=TaskOut, summary="Open a finished task again")
def task_open_again(request: HttpRequest, task_id: int) -> Task:
    actor = actor_of(request)
    task_reopen(actor, task_id)
    return task_get(actor, task_id)
