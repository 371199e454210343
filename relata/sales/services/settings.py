"""Pipelines, their stages and the loss reasons: what administrators (`admin.change`)
configure for sales.

What the rest of sales relies on, kept here:
- a workspace always has a pipeline in use, every pipeline has a stage, and at least
  one loss reason stays in use (deals are created in a pipeline, lost with a reason);
- only stages of conveyor pipelines have a responsible team: switching a pipeline to
  parallel sales takes the teams off its stages (the event records which);
- deals and their stage history keep their pipeline and stages: neither is deleted while
  a deal is in it or has passed through it (the keys PROTECT them too).

Rules over all of a workspace's pipelines (the last one in use) or over a pipeline's
stages (the last stage, uniqueness of names) take a row lock first (`SELECT … FOR
UPDATE`, a no-op on SQLite), so that two administrators cannot both pass a check that
only one of them may pass.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relata.core.access import get_visible, require, require_module
from relata.core.audit import diff, record_event, snapshot
from relata.core.concurrency import save_versioned
from relata.core.errors import invalid
from relata.core.inputs import as_int, text
from relata.core.models import Membership, Team
from relata.sales.models import (
    REQUIRABLE_FIELDS,
    Deal,
    DealStatus,
    HandoffPolicy,
    LossReason,
    Pipeline,
    SalesMode,
    Stage,
    StageVisit,
)

PIPELINE_FIELDS = ["name", "mode", "position", "is_active"]
STAGE_FIELDS = ["name", "position", "probability", "required_fields", "team", "handoff"]
LOSS_REASON_FIELDS = ["name", "position", "is_active"]
MAX_POSITION = 32_767  # a small integer column
STEP = 10  # gaps between positions, so that one entry can be put between two by hand
NAME_LIMIT = 100


# --- Values --------------------------------------------------------------------------


def _administrator(actor: Membership) -> None:
    require(actor, "admin", "change")
    require_module(actor, "sales")  # switched off: its settings do not exist either


def _event(
    actor: Membership,
    kind: str,
    target: Any,
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    record_event(
        kind=kind, workspace=actor.workspace, actor=actor.user, target=target, changes=changes or {}, data=data or {}
    )


def _only(values: dict[str, Any], fields: list[str]) -> None:
    unknown = set(values) - set(fields)
    if unknown:
        raise invalid(sorted(unknown)[0], _("This cannot be changed."))


def _name(values: dict[str, Any]) -> str:
    name = text(values, "name", NAME_LIMIT)
    if not name:
        raise invalid("name", _("Enter a name."), code="required")
    return name


def _whole(value: Any, field: str, high: int) -> int:
    message = _("Enter a whole number from 0 to %(max)d.") % {"max": high}
    if isinstance(value, bool):  # True is an int to Python, not to the user
        raise invalid(field, message)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise invalid(field, message) from None
    if not 0 <= number <= high:
        raise invalid(field, message)
    return number


def _flag(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    raise invalid(field, _("Choose yes or no."))


def _after_last(queryset: QuerySet[Any]) -> int:
    top = queryset.aggregate(top=Max("position"))["top"]
    return STEP if top is None else min(top + STEP, MAX_POSITION)


def _name_taken(name: str, others: QuerySet[Any], shown: str = "name") -> bool:
    """Names compared as the user reads them, in any case and any alphabet (the database's
    lower() only folds ASCII on SQLite)."""
    wanted = name.casefold()
    return any(str(getattr(other, shown)).casefold() == wanted for other in others)


def _saved(obj: Any, **save_kwargs: Any) -> None:
    """Save in a savepoint; a name taken by a concurrent save is a field error."""
    try:
        with transaction.atomic():
            obj.save(**save_kwargs)
    except IntegrityError as exc:
        raise invalid("name", _("This name is already taken.")) from exc


# --- Pipelines -----------------------------------------------------------------------


def _pipelines(actor: Membership) -> QuerySet[Pipeline]:
    """All of the workspace's pipelines: the rules hold over every one, whatever the
    administrator's scope."""
    return Pipeline.objects.filter(workspace_id=actor.workspace_id)


def _lock_pipelines(actor: Membership) -> None:
    # In id order, so that two administrators lock them in the same order (no deadlock).
    list(_pipelines(actor).select_for_update().order_by("pk").values_list("pk", flat=True))


def _check_one_in_use(actor: Membership, pipeline: Pipeline, field: str) -> None:
    if pipeline.is_active:
        return
    if not _pipelines(actor).filter(is_active=True).exclude(pk=pipeline.pk).exists():
        raise invalid(field, _("At least one pipeline must stay in use: new deals are created in it."))


def _apply_pipeline(actor: Membership, pipeline: Pipeline, values: dict[str, Any], *, creating: bool) -> None:
    _only(values, PIPELINE_FIELDS)
    if creating or "name" in values:
        pipeline.name = _name(values)
    if creating or "mode" in values:
        mode = values.get("mode") or SalesMode.PARALLEL
        if mode not in SalesMode.values:
            raise invalid("mode", _("Choose parallel or conveyor sales."))
        pipeline.mode = mode
    if values.get("position") is not None:
        pipeline.position = _whole(values["position"], "position", MAX_POSITION)
    elif creating:
        pipeline.position = _after_last(_pipelines(actor))
    if values.get("is_active") is not None:
        pipeline.is_active = _flag(values["is_active"], "is_active")
    if _name_taken(pipeline.name, _pipelines(actor).exclude(pk=pipeline.pk)):
        raise invalid("name", _("Another pipeline has this name."))
    _check_one_in_use(actor, pipeline, "is_active")


@transaction.atomic
def pipeline_create(actor: Membership, *, values: dict[str, Any]) -> Pipeline:
    """A new pipeline (placed last unless `position` is given). It has no stages yet;
    deals cannot be created in it until it has one (add them next)."""
    _administrator(actor)
    _lock_pipelines(actor)
    pipeline = Pipeline(workspace_id=actor.workspace_id)
    _apply_pipeline(actor, pipeline, values, creating=True)
    _saved(pipeline)
    _event(actor, "pipeline.created", pipeline, diff({}, snapshot(pipeline, PIPELINE_FIELDS)))
    return pipeline


def _drop_teams(pipeline: Pipeline) -> dict[str, str]:
    """Parallel sales hand nothing over: the stages' responsible teams go (name → team)."""
    stages = Stage.objects.filter(pipeline=pipeline, team__isnull=False).select_related("team")
    dropped = {stage.name: stage.team.name for stage in stages if stage.team is not None}
    stages.update(team=None)
    return dropped


@transaction.atomic
def pipeline_update(actor: Membership, pipeline_id: int, *, version: int, values: dict[str, Any]) -> Pipeline:
    """Change the keys given of `values` (name, mode, position, is_active) if the pipeline
    is still at `version` (else StaleVersion with the current values). Locks the
    workspace's pipelines."""
    _administrator(actor)
    pipeline = get_visible(actor, Pipeline.objects.all(), pipeline_id)
    _lock_pipelines(actor)
    before = snapshot(pipeline, PIPELINE_FIELDS)
    _apply_pipeline(actor, pipeline, values, creating=False)
    try:
        with transaction.atomic():
            save_versioned(pipeline, expected_version=version, fields=PIPELINE_FIELDS)
    except IntegrityError as exc:
        raise invalid("name", _("Another pipeline has this name.")) from exc
    dropped = _drop_teams(pipeline) if not pipeline.is_conveyor else {}
    changes = diff(before, snapshot(pipeline, PIPELINE_FIELDS))
    if changes or dropped:
        _event(actor, "pipeline.changed", pipeline, changes, {"teams_removed": dropped} if dropped else None)
    return pipeline


@transaction.atomic
def pipeline_delete(actor: Membership, pipeline_id: int) -> None:
    """Delete a pipeline and its stages; refused while it has deals (of any status) or
    its stages are in a deal's history, and for the last pipeline in use."""
    _administrator(actor)
    pipeline = get_visible(actor, Pipeline.objects.all(), pipeline_id)
    _lock_pipelines(actor)
    deals = Deal.objects.filter(pipeline=pipeline).count()
    if deals:
        raise invalid(
            "pipeline",
            ngettext(
                "The pipeline has %(count)d deal, so it cannot be deleted; take it out of use instead.",
                "The pipeline has %(count)d deals, so it cannot be deleted; take it out of use instead.",
                deals,
            )
            % {"count": deals},
        )
    if StageVisit.objects.filter(stage__pipeline=pipeline).exists():
        raise invalid(
            "pipeline",
            _("Deals have passed through its stages and keep them in their history; take it out of use instead."),
        )
    if pipeline.is_active and not _pipelines(actor).filter(is_active=True).exclude(pk=pipeline.pk).exists():
        raise invalid("pipeline", _("This is the only pipeline in use, so it cannot be deleted."))
    _event(actor, "pipeline.deleted", pipeline, diff(snapshot(pipeline, PIPELINE_FIELDS), {}))
    try:
        with transaction.atomic():
            pipeline.delete()
    except (ProtectedError, IntegrityError) as exc:  # a deal created a moment ago
        raise invalid("pipeline", _("The pipeline has deals now; take it out of use instead.")) from exc


# --- Stages --------------------------------------------------------------------------


def _locked_pipeline(actor: Membership, pipeline_id: Any) -> Pipeline:
    """The pipeline, its row locked: its stages change one administrator at a time."""
    return get_visible(actor, Pipeline.objects.select_for_update(), pipeline_id)


def _required_fields(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        raise invalid("required_fields", _("Give a list of fields."))
    for key in value:
        if key not in REQUIRABLE_FIELDS:
            raise invalid(
                "required_fields",
                _("“%(key)s” is not a field a stage can require; choose from: %(keys)s.")
                % {"key": key, "keys": ", ".join(REQUIRABLE_FIELDS)},
            )
    return [key for key in REQUIRABLE_FIELDS if key in value]  # the form's order, once each


def _team(actor: Membership, value: Any) -> Team | None:
    if value in (None, ""):
        return None
    team = Team.objects.filter(workspace_id=actor.workspace_id, pk=as_int(value)).first()
    if team is None:
        raise invalid("team", _("Choose a team of this workspace."))
    return team


def _apply_stage(actor: Membership, stage: Stage, values: dict[str, Any], *, creating: bool) -> None:
    _only(values, STAGE_FIELDS)
    pipeline = stage.pipeline
    if creating or "name" in values:
        stage.name = _name(values)
    if values.get("probability") is not None:
        stage.probability = _whole(values["probability"], "probability", 100)
    if values.get("position") is not None:
        stage.position = _whole(values["position"], "position", MAX_POSITION)
    elif creating:
        stage.position = _after_last(Stage.objects.filter(pipeline=pipeline))
    if "required_fields" in values:
        stage.required_fields = _required_fields(values["required_fields"])
    if values.get("handoff") is not None:
        if values["handoff"] not in HandoffPolicy.values:
            raise invalid("handoff", _("Choose how deals are shared out among the team."))
        stage.handoff = values["handoff"]
    if "team" in values:
        stage.team = _team(actor, values["team"])
    if stage.team_id is not None and not pipeline.is_conveyor:
        raise invalid(
            "team",
            _("Only stages of a conveyor pipeline hand deals to a team; switch the pipeline to conveyor sales first."),
        )
    if _name_taken(stage.name, Stage.objects.filter(pipeline=pipeline).exclude(pk=stage.pk)):
        raise invalid("name", _("This pipeline already has a stage with this name."))


@transaction.atomic
def stage_create(actor: Membership, pipeline_id: int, *, values: dict[str, Any]) -> Stage:
    """A new stage of the pipeline, last unless `position` is given. Locks the pipeline."""
    _administrator(actor)
    pipeline = _locked_pipeline(actor, pipeline_id)
    stage = Stage(workspace_id=actor.workspace_id, pipeline=pipeline)
    _apply_stage(actor, stage, values, creating=True)
    _saved(stage)
    _event(actor, "stage.created", stage, diff({}, snapshot(stage, STAGE_FIELDS)), {"pipeline": pipeline.name})
    return stage


def _writable_stage(actor: Membership, stage_id: Any) -> Stage:
    stage = get_visible(actor, Stage.objects.all(), stage_id)
    stage.pipeline = _locked_pipeline(actor, stage.pipeline_id)
    return stage


@transaction.atomic
def stage_update(actor: Membership, stage_id: int, *, values: dict[str, Any]) -> Stage:
    """Change the keys given. Deals already in the stage keep their probability and are
    not checked against new required fields (they apply when a deal enters it)."""
    _administrator(actor)
    stage = _writable_stage(actor, stage_id)
    before = snapshot(stage, STAGE_FIELDS)
    _apply_stage(actor, stage, values, creating=False)
    # Only the configured fields: the hand-off pointer is the deals' to move.
    _saved(stage, update_fields=[*STAGE_FIELDS, "updated_at"])
    changes = diff(before, snapshot(stage, STAGE_FIELDS))
    if changes:
        _event(actor, "stage.changed", stage, changes, {"pipeline": stage.pipeline.name})
    return stage


def _check_unused(stage: Stage) -> None:
    counts = {status: 0 for status in DealStatus.values}
    for status in Deal.objects.filter(stage=stage).values_list("status", flat=True):
        counts[status] += 1
    if counts[DealStatus.OPEN]:
        raise invalid(
            "stage",
            ngettext(
                "%(count)d open deal is in this stage: move it to another stage first.",
                "%(count)d open deals are in this stage: move them to another stage first.",
                counts[DealStatus.OPEN],
            )
            % {"count": counts[DealStatus.OPEN]},
        )
    closed = counts[DealStatus.WON] + counts[DealStatus.LOST]
    if closed:
        raise invalid(
            "stage",
            ngettext(
                "%(count)d deal was won or lost in this stage and keeps it, so the stage cannot be deleted.",
                "%(count)d deals were won or lost in this stage and keep it, so the stage cannot be deleted.",
                closed,
            )
            % {"count": closed},
        )
    if StageVisit.objects.filter(stage=stage).exists():
        raise invalid(
            "stage", _("Deals have passed through this stage and keep it in their history, so it cannot be deleted.")
        )


@transaction.atomic
def stage_delete(actor: Membership, stage_id: int) -> None:
    """Delete a stage no deal is in or has passed through; never a pipeline's last one.
    Locks the pipeline."""
    _administrator(actor)
    stage = _writable_stage(actor, stage_id)
    _check_unused(stage)
    if not Stage.objects.filter(pipeline=stage.pipeline).exclude(pk=stage.pk).exists():
        raise invalid(
            "stage",
            _("A pipeline needs at least one stage; this is the last one of “%(pipeline)s”.")
            % {"pipeline": stage.pipeline.name},
        )
    _event(actor, "stage.deleted", stage, diff(snapshot(stage, STAGE_FIELDS), {}), {"pipeline": stage.pipeline.name})
    try:
        with transaction.atomic():
            stage.delete()
    except (ProtectedError, IntegrityError) as exc:  # a deal entered it a moment ago
        raise invalid("stage", _("A deal has just entered this stage; move it to another stage first.")) from exc


@transaction.atomic
def stages_reorder(actor: Membership, pipeline_id: int, *, stage_ids: list[Any]) -> list[Stage]:
    """Put the pipeline's stages in the order of `stage_ids` (every stage once). Returns
    them in the new order. Locks the pipeline."""
    _administrator(actor)
    pipeline = _locked_pipeline(actor, pipeline_id)
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("position", "id"))
    message = _("List every stage of this pipeline once, in the new order.")
    if not isinstance(stage_ids, list | tuple):
        raise invalid("stage_ids", message)
    ids = [as_int(pk) for pk in stage_ids]
    if len(ids) != len(set(ids)) or set(ids) != {stage.pk for stage in stages}:
        raise invalid("stage_ids", message)
    before = [stage.pk for stage in stages]
    by_id = {stage.pk: stage for stage in stages}
    ordered = [by_id[pk] for pk in ids]
    for n, stage in enumerate(ordered, start=1):
        stage.position = min(n * STEP, MAX_POSITION)
    Stage.objects.bulk_update(ordered, ["position"])
    if ids != before:
        _event(actor, "pipeline.stages_reordered", pipeline, {"stages": [before, ids]})
    return ordered


# --- Loss reasons --------------------------------------------------------------------


@transaction.atomic
def loss_reason_save(actor: Membership, pk: int | None = None, **values: Any) -> LossReason:
    """Create (pk None) or change a loss reason; only the keys given change. An empty
    `name` gives a built-in reason its built-in (translated) name back; `is_active`
    False takes it out of use (lost deals keep it). Locks the workspace's reasons."""
    _administrator(actor)
    _only(values, LOSS_REASON_FIELDS)
    reasons = LossReason.objects.filter(workspace_id=actor.workspace_id)
    if pk is None:
        reason = LossReason(workspace_id=actor.workspace_id)
    else:
        reason = get_visible(actor, LossReason.objects.all(), pk)
    list(reasons.select_for_update().order_by("pk").values_list("pk", flat=True))
    before = snapshot(reason, LOSS_REASON_FIELDS) if pk is not None else {}
    if "name" in values:
        reason.name = text(values, "name", NAME_LIMIT)
    if not reason.name and not reason.key:
        raise invalid("name", _("Enter a name."), code="required")
    if values.get("position") is not None:
        reason.position = _whole(values["position"], "position", MAX_POSITION)
    elif pk is None:
        reason.position = _after_last(reasons)
    if values.get("is_active") is not None:
        reason.is_active = _flag(values["is_active"], "is_active")
    # As shown: a custom "Price too high" next to the built-in one would be two identical choices.
    if _name_taken(reason.display_name, reasons.exclude(pk=reason.pk), shown="display_name"):
        raise invalid("name", _("This name is already taken."))
    if not reason.is_active and not reasons.filter(is_active=True).exclude(pk=reason.pk).exists():
        raise invalid("is_active", _("At least one loss reason must stay in use: a lost deal needs one."))
    _saved(reason)
    _event(actor, "loss_reason.saved", reason, diff(before, snapshot(reason, LOSS_REASON_FIELDS)))
    return reason
