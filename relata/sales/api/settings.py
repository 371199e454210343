"""Pipelines, their stages and the loss reasons through the API.

Reading them needs `sales.view` (a program must know them to create, move and lose
deals); every change needs `admin.change`. A pipeline's PATCH carries the version it was
based on (409 with the current values when stale). Loss reasons are never deleted:
PATCH `is_active: false` takes one out of use; an empty `name` gives a built-in reason
its built-in name back.

No `from __future__ import annotations` here: Django Ninja reads the annotations of the
schemas and operations at import time.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.core.access import get_visible, require
from relata.core.models import Membership
from relata.sales.models import LossReason, Pipeline, Stage
from relata.sales.selectors.settings import (
    loss_reason_get,
    loss_reasons_visible_to,
    pipelines_with_stages,
    stage_get,
)
from relata.sales.services.settings import (
    loss_reason_save,
    pipeline_create,
    pipeline_delete,
    pipeline_update,
    stage_create,
    stage_delete,
    stage_update,
    stages_reorder,
)

router = Router(tags=["sales settings"])


class TeamRef(Schema):
    id: int
    name: str


class StageOut(Schema):
    id: int
    pipeline_id: int
    name: str
    position: int
    probability: int = Field(..., description="Given to a deal when it enters the stage, 0–100.")
    required_fields: list[str] = Field(
        ...,
        description="A deal cannot enter the stage without them: client, contacts, amount, expected_close_date, "
        "competitors, description.",
    )
    team: TeamRef | None = Field(..., description="Conveyor pipelines: the team a deal entering the stage goes to.")
    handoff: str = Field(..., description="round_robin or least_loaded: how the team's members take turns.")

    @staticmethod
    def resolve_team(stage: Stage) -> dict[str, Any] | None:
        return {"id": stage.team.pk, "name": stage.team.name} if stage.team else None


class PipelineOut(Schema):
    id: int
    name: str
    mode: str = Field(..., description="parallel (the owner keeps the deal) or conveyor (stages hand it over).")
    position: int
    is_active: bool = Field(..., description="Out of use: its deals stay, no new ones are created in it.")
    version: int
    stages: list[StageOut] = Field(..., description="In order.")

    @staticmethod
    def resolve_stages(pipeline: Pipeline) -> list[Stage]:
        return list(pipeline.stages.all())  # prefetched in order by the selector


class PipelineIn(Schema):
    name: str
    mode: str = Field("parallel", description="parallel or conveyor.")
    position: int | None = Field(None, description="Empty: after the existing pipelines.")
    is_active: bool = True


class PipelinePatch(Schema):
    """Only the fields sent change."""

    version: int
    name: str | None = None
    mode: str | None = Field(None, description="Switching to parallel takes the teams off the stages.")
    position: int | None = None
    is_active: bool | None = None


class StageIn(Schema):
    name: str
    probability: int | None = Field(None, description="Empty: 10.")
    position: int | None = Field(None, description="Empty: after the pipeline's stages.")
    required_fields: list[str] = []
    team_id: int | None = Field(None, description="Conveyor pipelines only.")
    handoff: str | None = Field(None, description="round_robin (the default) or least_loaded.")


class StagePatch(Schema):
    """Only the fields sent change; `team_id: null` takes the team off."""

    name: str | None = None
    probability: int | None = None
    position: int | None = None
    required_fields: list[str] | None = None
    team_id: int | None = None
    handoff: str | None = None


class StageOrderIn(Schema):
    stage_ids: list[int] = Field(..., description="Every stage of the pipeline once, in the new order.")


class LossReasonOut(Schema):
    id: int
    key: str = Field(..., description="The built-in reason's key (price, competitor…); empty for added ones.")
    name: str = Field(..., description="The name shown (the built-in, translated name unless renamed).")
    given_name: str = Field(..., description="The name given by the workspace; empty: the built-in name is shown.")
    position: int
    is_active: bool

    @staticmethod
    def resolve_name(reason: LossReason) -> str:
        return reason.display_name

    @staticmethod
    def resolve_given_name(reason: LossReason) -> str:
        return reason.name


class LossReasonIn(Schema):
    name: str
    position: int | None = Field(None, description="Empty: after the existing reasons.")
    is_active: bool = True


class LossReasonPatch(Schema):
    """Only the fields sent change."""

    name: str | None = Field(None, description="Empty: the built-in name (built-in reasons only).")
    position: int | None = None
    is_active: bool | None = None


def _stage_values(sent: dict[str, Any]) -> dict[str, Any]:
    """Payload → the service's names; null means unchanged, except for the team."""
    values = {name: value for name, value in sent.items() if value is not None or name == "team_id"}
    if "team_id" in values:
        values["team"] = values.pop("team_id")
    return values


def _team_named_as_sent(call: Any) -> Any:
    """Run a stage service; its errors about `team` name the payload's `team_id`."""
    try:
        return call()
    except ValidationError as error:
        if not hasattr(error, "error_dict") or "team" not in error.error_dict:
            raise
        renamed = {("team_id" if name == "team" else name): errors for name, errors in error.error_dict.items()}
        raise ValidationError(renamed) from error


def _admin(request: HttpRequest) -> Membership:
    actor = actor_of(request)
    require(actor, "admin", "change")  # the permission first: nothing is looked up without it
    return actor


def _pipeline(actor: Membership, pipeline_id: int) -> Pipeline:
    return get_visible(actor, pipelines_with_stages(actor), pipeline_id)


# --- Pipelines ------------------------------------------------------------------------


@router.get("/pipelines", response=list[PipelineOut], summary="Pipelines with their stages, in order")
@paginate(PagePagination)
def pipeline_list(request: HttpRequest, is_active: bool | None = None) -> QuerySet[Pipeline]:
    actor = actor_of(request)
    require(actor, "sales", "view")
    pipelines = pipelines_with_stages(actor)
    return pipelines if is_active is None else pipelines.filter(is_active=is_active)


@router.get("/pipelines/{pipeline_id}", response=PipelineOut, summary="One pipeline with its stages")
def pipeline_detail(request: HttpRequest, pipeline_id: int) -> Pipeline:
    actor = actor_of(request)
    return _pipeline(actor, pipeline_id)


@router.post("/pipelines", response={201: PipelineOut}, summary="Create a pipeline (administrators)")
def pipeline_new(request: HttpRequest, payload: PipelineIn) -> Status:
    actor = _admin(request)
    pipeline = pipeline_create(actor, values=payload.dict(exclude_none=True))
    return Status(201, _pipeline(actor, pipeline.pk))


@router.patch("/pipelines/{pipeline_id}", response=PipelineOut, summary="Change a pipeline (administrators)")
def pipeline_change(request: HttpRequest, pipeline_id: int, payload: PipelinePatch) -> Pipeline:
    actor = _admin(request)
    pipeline = _pipeline(actor, pipeline_id)
    sent = payload.dict(exclude_unset=True)
    values = {name: value for name, value in sent.items() if name != "version" and value is not None}
    pipeline_update(actor, pipeline.pk, version=payload.version, values=values)
    return _pipeline(actor, pipeline.pk)


@router.delete(
    "/pipelines/{pipeline_id}",
    response={204: None},
    summary="Delete a pipeline without deals and its stages (administrators)",
)
def pipeline_remove(request: HttpRequest, pipeline_id: int) -> Status:
    actor = _admin(request)
    pipeline = _pipeline(actor, pipeline_id)
    pipeline_delete(actor, pipeline.pk)
    return Status(204, None)


# --- Stages ---------------------------------------------------------------------------


@router.post("/pipelines/{pipeline_id}/stages", response={201: StageOut}, summary="Add a stage (administrators)")
def stage_new(request: HttpRequest, pipeline_id: int, payload: StageIn) -> Status:
    actor = _admin(request)
    pipeline = _pipeline(actor, pipeline_id)
    values = _stage_values(payload.dict())
    if values.get("team") is None:
        values.pop("team", None)  # no team: nothing to check against the pipeline's mode
    stage = _team_named_as_sent(lambda: stage_create(actor, pipeline.pk, values=values))
    return Status(201, stage_get(actor, stage.pk))


@router.post(
    "/pipelines/{pipeline_id}/stages/order",
    response=PipelineOut,
    summary="Put the pipeline's stages in a new order (administrators)",
)
def stage_order(request: HttpRequest, pipeline_id: int, payload: StageOrderIn) -> Pipeline:
    actor = _admin(request)
    pipeline = _pipeline(actor, pipeline_id)
    stages_reorder(actor, pipeline.pk, stage_ids=payload.stage_ids)
    return _pipeline(actor, pipeline.pk)


@router.patch("/stages/{stage_id}", response=StageOut, summary="Change a stage (administrators)")
def stage_change(request: HttpRequest, stage_id: int, payload: StagePatch) -> Stage:
    actor = _admin(request)
    stage = stage_get(actor, stage_id)
    values = _stage_values(payload.dict(exclude_unset=True))
    _team_named_as_sent(lambda: stage_update(actor, stage.pk, values=values))
    return stage_get(actor, stage.pk)


@router.delete(
    "/stages/{stage_id}", response={204: None}, summary="Delete a stage no deal is or was in (administrators)"
)
def stage_remove(request: HttpRequest, stage_id: int) -> Status:
    actor = _admin(request)
    stage = stage_get(actor, stage_id)
    stage_delete(actor, stage.pk)
    return Status(204, None)


# --- Loss reasons ---------------------------------------------------------------------


@router.get("/loss-reasons", response=list[LossReasonOut], summary="Reasons deals are lost, in order")
@paginate(PagePagination)
def loss_reason_list(request: HttpRequest, is_active: bool | None = None) -> QuerySet[LossReason]:
    actor = actor_of(request)
    require(actor, "sales", "view")
    reasons = loss_reasons_visible_to(actor)
    return reasons if is_active is None else reasons.filter(is_active=is_active)


@router.post("/loss-reasons", response={201: LossReasonOut}, summary="Add a loss reason (administrators)")
def loss_reason_new(request: HttpRequest, payload: LossReasonIn) -> Status:
    actor = _admin(request)
    return Status(201, loss_reason_save(actor, **payload.dict(exclude_none=True)))


@router.patch(
    "/loss-reasons/{reason_id}",
    response=LossReasonOut,
    summary="Rename, reorder or retire a loss reason (administrators)",
)
def loss_reason_change(request: HttpRequest, reason_id: int, payload: LossReasonPatch) -> LossReason:
    actor = _admin(request)
    reason = loss_reason_get(actor, reason_id)
    sent = {name: value for name, value in payload.dict(exclude_unset=True).items() if value is not None}
    return loss_reason_save(actor, reason.pk, **sent)
