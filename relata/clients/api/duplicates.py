"""API of the client base: possible duplicates (search, list, dismiss) and the merge."""

import datetime as dt
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.clients.models import Client, DuplicatePair
from relata.clients.selectors.duplicates import duplicate_pairs_visible_to
from relata.clients.services.duplicates import duplicate_dismiss, duplicate_reopen, duplicates_scan_start, reason_labels
from relata.clients.services.merge import MergePlan, client_merge, merge_plan
from relata.core.access import require
from relata.core.api.schemas import JobOut
from relata.core.audit import json_value

router = Router(tags=["clients"])

Kind = Literal["company", "person"]
Side = Literal["survivor", "absorbed"]


class DuplicateClientOut(Schema):
    id: int
    kind: str
    name: str
    inn: str
    primary_phone: str
    primary_email: str
    city: str
    owner_id: int
    version: int


class DuplicatePairOut(Schema):
    id: int
    score: int = Field(description="0–100: how sure the finder is.")
    reasons: list[str] = Field(description='E.g. "same_inn", "same_phone", "same_email", "similar_name:93".')
    reason_labels: list[str]
    status: str = Field(description='"open" (to review) or "dismissed" (not duplicates).')
    client_a: DuplicateClientOut
    client_b: DuplicateClientOut
    updated_at: dt.datetime

    @staticmethod
    def resolve_reason_labels(pair: DuplicatePair) -> list[str]:
        return reason_labels(pair.reasons)


class DuplicateFilter(Schema):
    kind: Kind | None = None
    status: Literal["open", "dismissed"] | None = Field(None, description="Empty: both.")
    min_score: int | None = Field(None, ge=0, le=100)
    client_id: int | None = Field(None, description="Only the pairs of this client.")


class ScanIn(Schema):
    kind: Kind | None = Field(None, description="Empty: companies and people.")


class MergeIn(Schema):
    survivor_id: int = Field(description="The record that stays (keeps its id).")
    absorbed_id: int = Field(description="The record merged into it and deleted; its id then leads to the survivor.")
    choices: dict[str, Side] = Field(
        default_factory=dict,
        description='Per field ("name", "status", "owner", "inn", "custom.<key>"…), whose value to keep; '
        "unnamed fields keep the survivor's value, or the absorbed one's where the survivor's is empty.",
    )
    version: int = Field(description="The survivor's version you saw: a stale one is refused with 409.")
    absorbed_version: int | None = Field(None, description="The absorbed record's version you saw, to check it too.")


class MergeOut(Schema):
    survivor: DuplicateClientOut
    absorbed_id: int


class MergeFieldOut(Schema):
    key: str
    label: str
    survivor: Any
    absorbed: Any
    differs: bool
    default: Side


class MergeListOut(Schema):
    key: str
    label: str
    kept: list[str]
    added: list[str]


class MergeMoveOut(Schema):
    label: str
    count: int


class MergePlanOut(Schema):
    survivor: DuplicateClientOut
    absorbed: DuplicateClientOut
    fields: list[MergeFieldOut]
    lists: list[MergeListOut]
    moves: list[MergeMoveOut]


def _plan_out(plan: MergePlan) -> MergePlanOut:
    return MergePlanOut(
        survivor=DuplicateClientOut.from_orm(plan.survivor),
        absorbed=DuplicateClientOut.from_orm(plan.absorbed),
        fields=[
            MergeFieldOut(
                key=f.key,
                label=str(f.label),
                survivor=json_value(f.survivor),
                absorbed=json_value(f.absorbed),
                differs=f.differs,
                default=f.default,
            )
            for f in plan.fields
        ],
        lists=[MergeListOut(key=i.key, label=str(i.label), kept=i.kept, added=i.added) for i in plan.lists],
        moves=[MergeMoveOut(label=str(label), count=count) for label, count in plan.moves],
    )


@router.post("/clients/duplicates/scan", response={202: JobOut}, summary="Search the base for duplicates (a job)")
def duplicates_scan(request: HttpRequest, payload: ScanIn) -> Status:
    """Compares the clients you can see; follow the returned job for its progress and figures."""
    job = duplicates_scan_start(actor_of(request), kind=payload.kind)
    job.refresh_from_db()
    return Status(202, job)


@router.get("/clients/duplicates", response=list[DuplicatePairOut], summary="Possible duplicates, best first")
@paginate(PagePagination)
def duplicates_list(request: HttpRequest, filters: Query[DuplicateFilter]) -> QuerySet[DuplicatePair]:
    actor = actor_of(request)
    require(actor, "clients", "view")
    return duplicate_pairs_visible_to(
        actor, kind=filters.kind, status=filters.status, min_score=filters.min_score, client_id=filters.client_id
    )


@router.post(
    "/clients/duplicates/{pair_id}/dismiss", response=DuplicatePairOut, summary="Mark a pair as not duplicates"
)
def duplicates_dismiss(request: HttpRequest, pair_id: int) -> DuplicatePair:
    return duplicate_dismiss(actor_of(request), pair_id)


@router.post("/clients/duplicates/{pair_id}/reopen", response=DuplicatePairOut, summary="Put a dismissed pair back")
def duplicates_reopen(request: HttpRequest, pair_id: int) -> DuplicatePair:
    return duplicate_reopen(actor_of(request), pair_id)


@router.get("/clients/merge/preview", response=MergePlanOut, summary="What merging two clients would do")
def merge_preview(request: HttpRequest, survivor_id: int, absorbed_id: int) -> MergePlanOut:
    return _plan_out(merge_plan(actor_of(request), survivor_id=survivor_id, absorbed_id=absorbed_id))


@router.post("/clients/merge", response=MergeOut, summary="Merge one client into another")
def merge(request: HttpRequest, payload: MergeIn) -> MergeOut:
    survivor: Client = client_merge(
        actor_of(request),
        survivor_id=payload.survivor_id,
        absorbed_id=payload.absorbed_id,
        choices=payload.choices,
        version=payload.version,
        absorbed_version=payload.absorbed_version,
    )
    return MergeOut(survivor=DuplicateClientOut.from_orm(survivor), absorbed_id=payload.absorbed_id)
