"""Task rules through the API: tasks the CRM makes by itself on an activity or on a
client's silence. Reading them needs `activities.view`; creating, changing and deleting
them needs `admin.change`. A PATCH carries the version it was based on (409 when stale).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from relata.activities.models import TaskRule
from relata.activities.selectors.settings import task_rules_visible_to
from relata.activities.services.rules import task_rule_create, task_rule_delete, task_rule_update
from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.core.access import get_visible, require

router = Router(tags=["task rules"])


class Ref(Schema):
    id: int
    name: str


class TaskRuleOut(Schema):
    id: int
    name: str
    is_active: bool
    trigger: str = Field(..., description="activity (when an activity is logged) or silence (no contact for a while).")
    activity_kind: str = Field(..., description="On an activity: its kind (call, email…); empty: any.")
    activity_text: str = Field(..., description="On an activity: words its purpose or text contains (any case).")
    activity_outcome: Ref | None = Field(..., description="On an activity: its outcome.")
    segment: Ref | None = Field(..., description="On silence: the segment's clients (null: every client).")
    silence_days: int | None = Field(..., description="On silence: days without contact.")
    task_type: Ref
    task_title: str
    delay_days: int = Field(..., description="The task is due so many days after the activity (or the check).")
    due_time: dt.time = Field(..., description="At this time, in the workspace's time zone.")
    priority: str
    remind_before: int | None = Field(..., description="Minutes before the due time; null: no reminder.")
    assignee_policy: str = Field(..., description="owner (the client's), author (of the activity) or user (assignee).")
    assignee: Ref | None
    last_run_at: dt.datetime | None = Field(..., description="When a silence rule was last checked.")
    version: int

    @staticmethod
    def resolve_activity_outcome(rule: TaskRule) -> dict[str, Any] | None:
        outcome = rule.activity_outcome
        return {"id": outcome.pk, "name": outcome.display_name} if outcome else None

    @staticmethod
    def resolve_segment(rule: TaskRule) -> dict[str, Any] | None:
        return {"id": rule.segment.pk, "name": rule.segment.name} if rule.segment else None

    @staticmethod
    def resolve_task_type(rule: TaskRule) -> dict[str, Any]:
        return {"id": rule.task_type.pk, "name": rule.task_type.display_name}

    @staticmethod
    def resolve_assignee(rule: TaskRule) -> dict[str, Any] | None:
        user = rule.assignee
        return {"id": user.pk, "name": user.full_name or user.email} if user else None


class TaskRuleIn(Schema):
    name: str
    is_active: bool = True
    trigger: str = Field(..., description="activity or silence.")
    activity_kind: str = ""
    activity_text: str = ""
    activity_outcome_id: int | None = None
    segment_id: int | None = None
    silence_days: int | None = None
    task_type_id: int
    task_title: str = Field("", description="Empty: the name of the task type.")
    delay_days: int = 0
    due_time: str = Field("10:00", description="HH:MM in the workspace's time zone.")
    priority: str = "normal"
    remind_before: int | None = None
    assignee_policy: str = Field("owner", description="owner, author or user.")
    assignee_id: int | None = Field(None, description="With assignee_policy user: the colleague's user id.")


class TaskRulePatch(Schema):
    """Only the fields sent change; `null` clears the optional ones."""

    version: int
    name: str | None = None
    is_active: bool | None = None
    trigger: str | None = None
    activity_kind: str | None = None
    activity_text: str | None = None
    activity_outcome_id: int | None = None
    segment_id: int | None = None
    silence_days: int | None = None
    task_type_id: int | None = None
    task_title: str | None = None
    delay_days: int | None = None
    due_time: str | None = None
    priority: str | None = None
    remind_before: int | None = None
    assignee_policy: str | None = None
    assignee_id: int | None = None


# Payload names → the service's names.
NAMES = {
    "activity_outcome_id": "activity_outcome",
    "segment_id": "segment",
    "task_type_id": "task_type",
    "assignee_id": "assignee",
}
SERVICE_NAMES = {value: key for key, value in NAMES.items()}
# Fields a PATCH may set to null (others keep their value when sent null).
NULLABLE = {"activity_outcome_id", "segment_id", "silence_days", "remind_before", "assignee_id"}


def _values(sent: dict[str, Any]) -> dict[str, Any]:
    return {
        NAMES.get(name, name): value
        for name, value in sent.items()
        if name != "version" and (value is not None or name in NULLABLE)
    }


def _renamed(call: Any) -> Any:
    """Run a service call; its field errors name the payload's fields."""
    try:
        return call()
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {SERVICE_NAMES.get(name, name): errors for name, errors in error.error_dict.items()}
        ) from error


@router.get("/task-rules", response=list[TaskRuleOut], summary="Task rules")
@paginate(PagePagination)
def task_rule_list(request: HttpRequest) -> QuerySet[TaskRule]:
    actor = actor_of(request)
    require(actor, "activities", "view")
    return task_rules_visible_to(actor).order_by("name", "id")


@router.get("/task-rules/{rule_id}", response=TaskRuleOut, summary="One task rule")
def task_rule_detail(request: HttpRequest, rule_id: int) -> TaskRule:
    actor = actor_of(request)
    return get_visible(actor, task_rules_visible_to(actor), rule_id)


@router.post("/task-rules", response={201: TaskRuleOut}, summary="Create a task rule (administrators)")
def task_rule_new(request: HttpRequest, payload: TaskRuleIn) -> Status:
    actor = actor_of(request)
    rule = _renamed(lambda: task_rule_create(actor, values=_values(payload.dict())))
    return Status(201, get_visible(actor, task_rules_visible_to(actor), rule.pk))


@router.patch("/task-rules/{rule_id}", response=TaskRuleOut, summary="Change a task rule (administrators)")
def task_rule_change(request: HttpRequest, rule_id: int, payload: TaskRulePatch) -> TaskRule:
    actor = actor_of(request)
    require(actor, "admin", "change")  # the permission first: nothing is looked up without it
    rule = get_visible(actor, task_rules_visible_to(actor), rule_id)
    sent = payload.dict(exclude_unset=True)
    _renamed(lambda: task_rule_update(actor, rule.pk, version=payload.version, values=_values(sent)))
    return get_visible(actor, task_rules_visible_to(actor), rule.pk)


@router.delete("/task-rules/{rule_id}", response={204: None}, summary="Delete a task rule (administrators)")
def task_rule_remove(request: HttpRequest, rule_id: int) -> Status:
    actor = actor_of(request)
    require(actor, "admin", "change")
    rule = get_visible(actor, task_rules_visible_to(actor), rule_id)
    task_rule_delete(actor, rule.pk)
    return Status(204, None)
