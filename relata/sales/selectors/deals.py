"""Reads of deals, pipelines and loss reasons, always within the actor's scope."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from relata.clients.models import Client, ClientKind
from relata.core.access import get_visible, owner_filter, scope_queryset
from relata.core.db import contains_any
from relata.core.models import Membership
from relata.core.selectors.teams import team_subtree_ids
from relata.sales.models import Deal, DealLine, DealStatus, LossReason, Pipeline, Stage, StageVisit

BOARD_CARDS = 50  # cards shown per column; the rest are counted and reached by "more"


def deals_visible_to(actor: Membership) -> QuerySet[Deal]:
    """Deals of the owners within the actor's scope (own, team subtree, all)."""
    return scope_queryset(actor, Deal.objects.all()).select_related("pipeline", "stage", "client", "owner")


def deal_get(actor: Membership, pk: Any) -> Deal:
    return get_visible(actor, deals_visible_to(actor).select_related("loss_reason", "created_by"), pk)


def pipelines_in_use(actor: Membership) -> QuerySet[Pipeline]:
    return scope_queryset(actor, Pipeline.objects.filter(is_active=True)).order_by("position", "id")


def pipelines_visible_to(actor: Membership) -> QuerySet[Pipeline]:
    return scope_queryset(actor, Pipeline.objects.all()).order_by("position", "id")


def pipeline_get(actor: Membership, pk: Any) -> Pipeline:
    return get_visible(actor, pipelines_visible_to(actor), pk)


def stages_of(actor: Membership, pipeline: Pipeline) -> list[Stage]:
    return list(scope_queryset(actor, Stage.objects.filter(pipeline=pipeline)).order_by("position", "id"))


def loss_reasons_in_use(actor: Membership) -> QuerySet[LossReason]:
    return scope_queryset(actor, LossReason.objects.filter(is_active=True))


def deal_contacts(actor: Membership, deal: Deal) -> list[Client]:
    return persons_visible_to(actor, deal.contact_links.values("person_id"))


def persons_visible_to(actor: Membership, ids: Any) -> list[Client]:
    people = Client.objects.filter(pk__in=ids, kind=ClientKind.PERSON)
    return list(scope_queryset(actor, people).order_by("name"))


def deal_lines(deal: Deal) -> QuerySet[DealLine]:
    """The deal's lines in order (the deal is already checked visible)."""
    return DealLine.objects.filter(deal=deal).select_related("product").order_by("position", "id")


def deal_history(deal: Deal) -> QuerySet[StageVisit]:
    """The deal's stays in stages, oldest first (the deal is already checked visible)."""
    return StageVisit.objects.filter(deal=deal).select_related("stage", "entered_by", "left_by")


@dataclass
class BoardFilters:
    owner: int | None = None
    team: int | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    close_from: dt.date | None = None
    close_to: dt.date | None = None
    q: str = ""


def filter_deals(actor: Membership, queryset: QuerySet[Deal], filters: BoardFilters) -> QuerySet[Deal]:
    if filters.owner:
        queryset = queryset.filter(owner_id=filters.owner)
    if filters.team:
        teams = team_subtree_ids(actor.workspace_id, filters.team)
        members = Membership.objects.filter(workspace_id=actor.workspace_id, team_id__in=teams)
        queryset = queryset.filter(owner_id__in=members.values("user_id"))
    if filters.created_from:
        queryset = queryset.filter(created_at__date__gte=filters.created_from)
    if filters.created_to:
        queryset = queryset.filter(created_at__date__lte=filters.created_to)
    if filters.close_from:
        queryset = queryset.filter(expected_close_date__gte=filters.close_from)
    if filters.close_to:
        queryset = queryset.filter(expected_close_date__lte=filters.close_to)
    if filters.q:
        queryset = queryset.filter(contains_any(filters.q, "title", "client__name"))
    return queryset


@dataclass
class Column:
    key: str  # the stage id, or "won" / "lost"
    name: str
    stage: Stage | None
    deals: list[Deal] = field(default_factory=list)
    count: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)  # currency → amount

    @property
    def more(self) -> int:
        return self.count - len(self.deals)


@dataclass
class Board:
    pipeline: Pipeline
    columns: list[Column]
    won: Column
    lost: Column


def _totals(queryset: QuerySet[Deal], group: str) -> tuple[dict[Any, int], dict[Any, dict[str, Decimal]]]:
    counts: dict[Any, int] = defaultdict(int)
    totals: dict[Any, dict[str, Decimal]] = defaultdict(dict)
    rows = queryset.order_by().values(group, "currency").annotate(n=Count("id"), total=Sum("amount"))
    for row in rows:
        counts[row[group]] += row["n"]
        if row["total"] is not None:
            # SQLite sums decimals without their places; amounts are in kopecks/cents.
            totals[row[group]][row["currency"]] = Decimal(row["total"]).quantize(Decimal("0.01"))
    return counts, totals


def board(actor: Membership, pipeline: Pipeline, filters: BoardFilters, *, closed_since: dt.datetime) -> Board:
    """The pipeline's open deals by stage (the latest to enter a stage first), with each
    column's count and amount per currency; won and lost deals closed since
    `closed_since` in two columns of their own. A fixed number of queries."""
    base = filter_deals(actor, deals_visible_to(actor).filter(pipeline=pipeline), filters)
    open_deals = base.filter(status=DealStatus.OPEN)
    counts, totals = _totals(open_deals, "stage_id")
    stages = stages_of(actor, pipeline)
    columns = [Column(str(s.pk), s.name, s, count=counts.get(s.pk, 0), totals=totals.get(s.pk, {})) for s in stages]
    by_stage = {c.stage.pk: c for c in columns if c.stage}
    # The first BOARD_CARDS of each stage in one query (a window over the stage).
    ranked = open_deals.annotate(
        rank=Window(RowNumber(), partition_by=[F("stage_id")], order_by=[F("stage_entered_at").desc(), F("id").desc()])
    )
    # Django filters on the window in an outer query (4.2+), so only the shown cards load.
    for deal in (
        ranked.filter(rank__lte=BOARD_CARDS)
        .order_by("stage_id", "-stage_entered_at", "-id")
        .prefetch_related("contact_links")
    ):
        if deal.stage_id in by_stage:
            by_stage[deal.stage_id].deals.append(deal)
    closed = base.filter(closed_at__gte=closed_since)
    closed_counts, closed_totals = _totals(closed, "status")
    won, lost = (
        Column(
            status,
            str(DealStatus(status).label),
            None,
            deals=list(
                closed.filter(status=status)
                .select_related("loss_reason")
                .prefetch_related("contact_links")
                .order_by("-closed_at", "-id")[:BOARD_CARDS]
            ),
            count=closed_counts.get(status, 0),
            totals=closed_totals.get(status, {}),
        )
        for status in (DealStatus.WON, DealStatus.LOST)
    )
    return Board(pipeline, columns, won, lost)


def owner_choices(actor: Membership) -> list[tuple[int, str]]:
    """Colleagues whose deals the actor may see, for the owner filter."""
    members = Membership.objects.filter(workspace_id=actor.workspace_id, is_active=True).select_related("user")
    members = members.filter(**{k.replace("owner", "user"): v for k, v in owner_filter(actor, "owner").items()})
    return [(m.user_id, m.user.full_name) for m in members.order_by("user__full_name")]
