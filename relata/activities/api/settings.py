"""The workspace's lists of task types and activity outcomes through the API.

Reading them needs `activities.view` (a program must know them to write tasks and
activities); adding and changing them needs `admin.change`. Entries are never deleted:
PATCH `is_active: false` takes one out of use; an empty `name` gives a built-in entry its
built-in name back.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from relata.activities.models import Outcome, TaskType
from relata.activities.selectors.settings import outcome_get, outcomes_visible_to, task_type_get, task_types_visible_to
from relata.activities.services.settings import outcome_save, task_type_save
from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.core.access import require

router = Router(tags=["activity settings"])


class TaskTypeOut(Schema):
    id: int
    key: str = Field(..., description="The built-in type's key (call_back, send_offer…); empty for added ones.")
    name: str = Field(..., description="The name shown (the built-in, translated name unless renamed).")
    given_name: str = Field(..., description="The name given by the workspace; empty: the built-in name is shown.")
    position: int
    is_active: bool

    @staticmethod
    def resolve_name(entry: TaskType) -> str:
        return entry.display_name

    @staticmethod
    def resolve_given_name(entry: TaskType) -> str:
        return entry.name


class OutcomeOut(TaskTypeOut):
    key: str = Field(..., description="The built-in outcome's key (interested, refused…); empty for added ones.")
    is_positive: bool | None = Field(..., description="A good sign (true), a bad one (false) or neutral (null).")


class EntryIn(Schema):
    name: str
    position: int | None = Field(None, description="Empty: after the existing entries.")
    is_active: bool = True


class OutcomeIn(EntryIn):
    is_positive: bool | None = None


class EntryPatch(Schema):
    """Only the fields sent change."""

    name: str | None = Field(None, description="Empty: the built-in name (built-in entries only).")
    position: int | None = None
    is_active: bool | None = None


class OutcomePatch(EntryPatch):
    is_positive: bool | None = Field(None, description="Sent null: neutral.")


def _sent(payload: Schema) -> dict[str, Any]:
    sent = payload.dict(exclude_unset=True)
    # null means "unchanged", except for is_positive where it means neutral.
    return {name: value for name, value in sent.items() if value is not None or name == "is_positive"}


def _types(request: HttpRequest) -> QuerySet[TaskType]:
    actor = actor_of(request)
    require(actor, "activities", "view")
    return task_types_visible_to(actor)


def _outcomes(request: HttpRequest) -> QuerySet[Outcome]:
    actor = actor_of(request)
    require(actor, "activities", "view")
    return outcomes_visible_to(actor)


@router.get("/task-types", response=list[TaskTypeOut], summary="Task types, in order")
@paginate(PagePagination)
def task_type_list(request: HttpRequest, is_active: bool | None = None) -> QuerySet[TaskType]:
    queryset = _types(request)
    return queryset if is_active is None else queryset.filter(is_active=is_active)


@router.post("/task-types", response={201: TaskTypeOut}, summary="Add a task type (administrators)")
def task_type_new(request: HttpRequest, payload: EntryIn) -> Status:
    entry = task_type_save(actor_of(request), **payload.dict(exclude_none=True))
    return Status(201, entry)


@router.patch(
    "/task-types/{type_id}", response=TaskTypeOut, summary="Rename, reorder or retire a task type (administrators)"
)
def task_type_change(request: HttpRequest, type_id: int, payload: EntryPatch) -> TaskType:
    actor = actor_of(request)
    require(actor, "admin", "change")
    entry = task_type_get(actor, type_id)
    return task_type_save(actor, entry.pk, **_sent(payload))


@router.get("/outcomes", response=list[OutcomeOut], summary="Outcomes of activities, in order")
@paginate(PagePagination)
def outcome_list(request: HttpRequest, is_active: bool | None = None) -> QuerySet[Outcome]:
    queryset = _outcomes(request)
    return queryset if is_active is None else queryset.filter(is_active=is_active)


@router.post("/outcomes", response={201: OutcomeOut}, summary="Add an outcome (administrators)")
def outcome_new(request: HttpRequest, payload: OutcomeIn) -> Status:
    values = payload.dict(exclude_unset=True)
    values.setdefault("is_active", True)
    entry = outcome_save(actor_of(request), **{k: v for k, v in values.items() if v is not None or k == "is_positive"})
    return Status(201, entry)


@router.patch(
    "/outcomes/{outcome_id}", response=OutcomeOut, summary="Rename, reorder or retire an outcome (administrators)"
)
def outcome_change(request: HttpRequest, outcome_id: int, payload: OutcomePatch) -> Outcome:
    actor = actor_of(request)
    require(actor, "admin", "change")
    entry = outcome_get(actor, outcome_id)
    return outcome_save(actor, entry.pk, **_sent(payload))
