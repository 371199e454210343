"""Mass planning through the API: the same task for every client of a filter, a segment
or a selection, spread over managers and days; a job with progress (as the page does).

Starting one needs `activities.create` (and `activities.assign` when some tasks go to
colleagues). A plan is seen by its author and by administrators only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.responses import Status

from relata.activities.models import TaskPriority
from relata.activities.selectors.settings import task_plan_of_job, task_plan_summary
from relata.activities.services.planning import plan_start
from relata.api.auth import actor_of
from relata.clients.api.segments import list_query
from relata.clients.models import ClientKind
from relata.clients.selectors.segments import segments_visible_to
from relata.core.access import get_visible, require
from relata.core.api.schemas import JobOut

router = Router(tags=["task plans"])


class TaskPlanIn(Schema):
    kind: str = Field("", description="company or person: the list the definition (and segment) filters.")
    definition: dict[str, Any] = Field(
        default_factory=dict, description="Filter conditions, as for segments (with `kind`)."
    )
    segment_id: int | None = Field(None, description="The segment's clients (with `kind`).")
    ids: list[int] = Field(default_factory=list, description="The chosen clients, instead of a definition.")
    title: str = Field("", description="Empty: the name of the task type.")
    type_id: int = Field(..., description="The task type's id (GET /task-types).")
    priority: str = TaskPriority.NORMAL.value
    description: str = ""
    remind_before: int | None = Field(None, description="Minutes before the due time; null: no reminder.")
    manager_ids: list[int] = Field(
        default_factory=list, description="User ids the tasks are shared among in turn; empty: each client's owner."
    )
    start_date: dt.date = Field(..., description="The first day (not in the past).")
    per_day: int = Field(..., description="Tasks a day per manager.")
    weekdays_only: bool = Field(True, description="Monday to Friday only.")
    time: str = Field("10:00", description="HH:MM of a day's first task, in the workspace's time zone.")
    interval: int = Field(0, description="Minutes between a day's tasks.")


class TaskPlanOut(Schema):
    id: int
    title: str
    created_by_id: int
    created_at: dt.datetime
    params: dict[str, Any] = Field(..., description="What was asked: the clients and the spreading.")
    job: JobOut | None
    tasks_created: int = Field(..., description="Tasks the plan has made so far.")


# Service names → payload names.
PAYLOAD_NAMES = {"type": "type_id", "managers": "manager_ids"}


@router.post("/task-plans", response={202: JobOut}, summary="Plan a task for many clients (a job)")
def task_plan_new(request: HttpRequest, response: HttpResponse, payload: TaskPlanIn) -> Status:
    """The answer is the job; its `Location` header names the plan (GET it for the tasks made)."""
    actor = actor_of(request)
    require(actor, "activities", "create")
    query = ""
    if not payload.ids:
        if payload.kind not in ClientKind.values:
            raise ValidationError({"kind": ["Choose company or person."]})
        if payload.segment_id is not None:
            get_visible(actor, segments_visible_to(actor, payload.kind), payload.segment_id)
        query = list_query(payload.definition, segment_id=payload.segment_id)
    values = {
        "title": payload.title,
        "type": payload.type_id,
        "priority": payload.priority,
        "description": payload.description,
        "remind_before": payload.remind_before,
        "managers": payload.manager_ids,
        "start_date": payload.start_date.isoformat(),
        "per_day": payload.per_day,
        "weekdays_only": payload.weekdays_only,
        "time": payload.time,
        "interval": payload.interval,
    }
    try:
        job = plan_start(actor, kind=payload.kind, ids=payload.ids, query=query, values=values)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {PAYLOAD_NAMES.get(name, name): errors for name, errors in error.error_dict.items()}
        ) from error
    job.refresh_from_db()
    plan = task_plan_of_job(actor, job)
    if plan is not None:
        response["Location"] = f"/api/v1/task-plans/{plan.pk}"
    return Status(202, job)


@router.get("/task-plans/{plan_id}", response=TaskPlanOut, summary="A plan, its job and the tasks it made")
def task_plan_detail(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "activities", "view")
    summary = task_plan_summary(actor, plan_id)
    plan, job = summary.plan, summary.job
    return {
        "id": plan.pk,
        "title": plan.title,
        "created_by_id": plan.created_by_id,
        "created_at": plan.created_at,
        "params": plan.params,
        "job": job,
        "tasks_created": summary.tasks_created,
    }
