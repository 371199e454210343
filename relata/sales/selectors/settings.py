"""Reads of the sales settings: pipelines with their stages and deal counts, loss
reasons with their use, through the access mechanism.

The counts are over the whole workspace: whether a stage or a reason is in use (and so
whether it can be deleted) does not depend on what the administrator's scope shows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from relata.core.access import get_visible, scope_queryset
from relata.core.models import Membership
from relata.sales.models import Deal, DealStatus, LossReason, Pipeline, Stage


@dataclass(frozen=True)
class StageRow:
    stage: Stage
    open_deals: int
    deals: int  # open, won and lost: a closed deal keeps the stage it closed in


@dataclass(frozen=True)
class PipelineRow:
    pipeline: Pipeline
    stages: list[StageRow]

    @property
    def open_deals(self) -> int:
        return sum(row.open_deals for row in self.stages)

    @property
    def deals(self) -> int:
        return sum(row.deals for row in self.stages)


@dataclass(frozen=True)
class ReasonRow:
    reason: LossReason
    count: int  # lost deals that give it


def pipelines_visible_to(actor: Membership) -> QuerySet[Pipeline]:
    return scope_queryset(actor, Pipeline.objects.all()).order_by("position", "id")


def pipeline_get(actor: Membership, pk: Any) -> Pipeline:
    return get_visible(actor, pipelines_visible_to(actor), pk)


def stages_visible_to(actor: Membership) -> QuerySet[Stage]:
    return scope_queryset(actor, Stage.objects.select_related("pipeline", "team")).order_by("position", "id")


def stage_get(actor: Membership, pk: Any) -> Stage:
    return get_visible(actor, stages_visible_to(actor), pk)


def pipelines_with_stages(actor: Membership) -> QuerySet[Pipeline]:
    """Pipelines with their stages in order (two queries, however many pipelines)."""
    stages = scope_queryset(actor, Stage.objects.select_related("team")).order_by("position", "id")
    return pipelines_visible_to(actor).prefetch_related(Prefetch("stages", queryset=stages))


def _deal_counts(actor: Membership, **narrow: Any) -> dict[int, tuple[int, int]]:
    """stage id → (open deals, all deals), in one query."""
    rows = (
        Deal.objects.filter(workspace_id=actor.workspace_id, **narrow)
        .order_by()
        .values("stage_id")
        .annotate(open=Count("id", filter=Q(status=DealStatus.OPEN)), total=Count("id"))
    )
    return {row["stage_id"]: (row["open"], row["total"]) for row in rows}


def pipelines_overview(actor: Membership) -> list[PipelineRow]:
    """Every pipeline with its stages and their deal counts (three queries)."""
    counts = _deal_counts(actor)
    by_pipeline: dict[int, list[StageRow]] = defaultdict(list)
    for stage in scope_queryset(actor, Stage.objects.select_related("team")).order_by("position", "id"):
        open_deals, deals = counts.get(stage.pk, (0, 0))
        by_pipeline[stage.pipeline_id].append(StageRow(stage, open_deals, deals))
    return [PipelineRow(pipeline, by_pipeline[pipeline.pk]) for pipeline in pipelines_visible_to(actor)]


def pipeline_stage_rows(actor: Membership, pipeline: Pipeline) -> list[StageRow]:
    """The pipeline's stages in order with their deal counts (two queries)."""
    counts = _deal_counts(actor, pipeline=pipeline)
    stages = scope_queryset(actor, Stage.objects.filter(pipeline=pipeline).select_related("team"))
    return [StageRow(stage, *counts.get(stage.pk, (0, 0))) for stage in stages.order_by("position", "id")]


def pipeline_deal_count(pipeline: Pipeline) -> int:
    return Deal.objects.filter(workspace_id=pipeline.workspace_id, pipeline=pipeline).count()


def stage_deal_counts(stage: Stage) -> tuple[int, int]:
    """(open deals, all deals) in the stage."""
    rows = Deal.objects.filter(workspace_id=stage.workspace_id, stage=stage).aggregate(
        open=Count("id", filter=Q(status=DealStatus.OPEN)), total=Count("id")
    )
    return rows["open"], rows["total"]


def loss_reasons_visible_to(actor: Membership) -> QuerySet[LossReason]:
    return scope_queryset(actor, LossReason.objects.all()).order_by("position", "id")


def loss_reason_get(actor: Membership, pk: Any) -> LossReason:
    return get_visible(actor, loss_reasons_visible_to(actor), pk)


def loss_reasons_with_use(actor: Membership) -> list[ReasonRow]:
    """Every reason with the number of lost deals giving it (two queries)."""
    used = dict(
        Deal.objects.filter(workspace_id=actor.workspace_id, loss_reason__isnull=False)
        .order_by()
        .values_list("loss_reason_id")
        .annotate(n=Count("id"))
        .values_list("loss_reason_id", "n")
    )
    return [ReasonRow(reason, used.get(reason.pk, 0)) for reason in loss_reasons_visible_to(actor)]


def loss_reason_use(reason: LossReason) -> int:
    return Deal.objects.filter(workspace_id=reason.workspace_id, loss_reason=reason).count()
