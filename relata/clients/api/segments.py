"""Segments and exports through the API."""

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, QueryDict
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.clients.models import ClientKind, Segment
from relata.clients.models.segments import SegmentKind
from relata.clients.selectors.lists import client_list, segment_queryset
from relata.clients.selectors.segments import segments_visible_to
from relata.clients.services.export import export_start
from relata.clients.services.segments import (
    segment_add_clients,
    segment_create,
    segment_delete,
    segment_remove_clients,
    segment_update,
)
from relata.core.access import get_visible, require
from relata.core.api.schemas import JobOut
from relata.core.models import Job, JobState
from relata.core.selectors.jobs import jobs_visible_to

router = Router(tags=["segments"])
COUNT_LIMIT = 100_000


class SegmentOut(Schema):
    id: int
    name: str
    entity: str
    kind: str
    definition: dict[str, Any]
    description: str
    is_shared: bool
    owner_id: int
    version: int
    created_at: dt.datetime


class SegmentDetailOut(SegmentOut):
    count: int = Field(description="Clients in the segment that you can see (at most 100,000 counted).")


class SegmentIn(Schema):
    name: str = Field(..., max_length=150)
    entity: str = Field(..., description="company or person")
    kind: str = Field(SegmentKind.DYNAMIC, description="dynamic or static")
    definition: dict[str, Any] = Field(default_factory=dict, description='{"conditions": [...], "text": "..."}')
    description: str = Field("", max_length=300)
    is_shared: bool = True


class SegmentPatch(Schema):
    version: int = Field(..., ge=1)
    name: str | None = Field(None, max_length=150)
    definition: dict[str, Any] | None = None
    description: str | None = Field(None, max_length=300)
    is_shared: bool | None = None


class MembersIn(Schema):
    add: list[int] = Field(default_factory=list)
    remove: list[int] = Field(default_factory=list)


class MembersOut(Schema):
    added: int
    removed: int


class CountIn(Schema):
    entity: str
    definition: dict[str, Any] = Field(default_factory=dict)


class CountOut(Schema):
    count: int
    capped: bool


class SegmentFilter(Schema):
    entity: str | None = None


class ExportIn(Schema):
    kind: str = Field(..., description="company or person")
    format: str = Field("csv", description="csv or xlsx")
    definition: dict[str, Any] = Field(default_factory=dict, description="Filter conditions, as for segments.")
    segment_id: int | None = None
    columns: list[str] = Field(default_factory=list, description="Field keys; empty: the list's default columns.")
    sort: str = "name"


def _count(queryset: QuerySet[Any]) -> tuple[int, bool]:
    count = queryset.order_by()[: COUNT_LIMIT + 1].count()
    return min(count, COUNT_LIMIT), count > COUNT_LIMIT


@router.post("/segments/count", response=CountOut, summary="How many visible clients a definition matches")
def segment_count(request: HttpRequest, payload: CountIn) -> CountOut:
    actor = actor_of(request)
    require(actor, "clients", "view")
    if payload.entity not in ClientKind.values:
        raise ValidationError({"entity": ["Choose company or person."]})
    count, capped = _count(client_list(actor, payload.entity, definition=payload.definition))
    return CountOut(count=count, capped=capped)


@router.get("/segments", response=list[SegmentOut], summary="Segments you can use (shared and your own)")
@paginate(PagePagination)
def segment_list(request: HttpRequest, filters: Query[SegmentFilter]) -> QuerySet[Segment]:
    actor = actor_of(request)
    require(actor, "clients", "view")
    return segments_visible_to(actor, filters.entity).order_by("name", "id")


@router.get("/segments/{segment_id}", response=SegmentDetailOut, summary="A segment with its live count")
def segment_detail(request: HttpRequest, segment_id: int) -> Segment:
    actor = actor_of(request)
    segment = get_visible(actor, segments_visible_to(actor), segment_id)
    segment.count = _count(segment_queryset(actor, segment))[0]  # type: ignore[attr-defined]
    return segment


@router.post("/segments", response={201: SegmentOut}, summary="Create a segment")
def segment_new(request: HttpRequest, payload: SegmentIn) -> Status:
    segment = segment_create(
        actor_of(request),
        name=payload.name,
        entity=payload.entity,
        kind=payload.kind,
        definition=payload.definition,
        description=payload.description,
        is_shared=payload.is_shared,
    )
    return Status(201, segment)


@router.patch("/segments/{segment_id}", response=SegmentOut, summary="Change a segment")
def segment_change(request: HttpRequest, segment_id: int, payload: SegmentPatch) -> Segment:
    actor = actor_of(request)
    segment = get_visible(actor, segments_visible_to(actor), segment_id)
    data = payload.dict(exclude_unset=True)
    return segment_update(
        actor,
        segment.pk,
        version=payload.version,
        name=data.get("name") or segment.name,
        definition=data["definition"] if data.get("definition") is not None else segment.definition,
        description=data["description"] if data.get("description") is not None else segment.description,
        is_shared=data["is_shared"] if data.get("is_shared") is not None else segment.is_shared,
    )


@router.delete("/segments/{segment_id}", response={204: None}, summary="Delete a segment")
def segment_remove(request: HttpRequest, segment_id: int) -> Status:
    segment_delete(actor_of(request), segment_id)
    return Status(204, None)


@router.post("/segments/{segment_id}/members", response=MembersOut, summary="Add or remove clients (static)")
def segment_members(request: HttpRequest, segment_id: int, payload: MembersIn) -> MembersOut:
    actor = actor_of(request)
    added = segment_add_clients(actor, segment_id, payload.add) if payload.add else 0
    removed = segment_remove_clients(actor, segment_id, payload.remove) if payload.remove else 0
    return MembersOut(added=added, removed=removed)


def list_query(
    definition: dict[str, Any], *, segment_id: int | None = None, columns: list[str] | None = None, sort: str = "name"
) -> str:
    """The list query string that exports and bulk jobs read (the one the list pages use)."""
    params = QueryDict(mutable=True)
    for condition in definition.get("conditions", []):
        if not isinstance(condition, dict):
            raise ValidationError({"definition": ["Every condition needs a field, a comparison and a value."]})
        params.appendlist(
            "cond", f"{condition.get('field')}|{condition.get('op')}|{json.dumps(condition.get('value'))}"
        )
    if definition.get("text"):
        params["q"] = str(definition["text"])
    if segment_id is not None:
        params["segment"] = str(segment_id)
    if columns:
        params["cols"] = ",".join(columns)
    params["sort"] = sort
    return params.urlencode()


@router.post("/exports", response={202: JobOut}, summary="Export a list or segment to CSV or xlsx (a job)")
def export_new(request: HttpRequest, payload: ExportIn) -> Status:
    actor = actor_of(request)
    if payload.kind not in ClientKind.values:
        raise ValidationError({"kind": ["Choose company or person."]})
    if payload.segment_id is not None:
        get_visible(actor, segments_visible_to(actor, payload.kind), payload.segment_id)
    job = export_start(
        actor,
        kind=payload.kind,
        query=list_query(payload.definition, segment_id=payload.segment_id, columns=payload.columns, sort=payload.sort),
        fmt=payload.format,
    )
    job.refresh_from_db()
    return Status(202, job)


@router.get("/exports/{job_id}/file", summary="Download the file of a finished export")
def export_file(request: HttpRequest, job_id: int) -> FileResponse:
    actor = actor_of(request)
    require(actor, "clients", "export")
    job: Job = get_visible(actor, jobs_visible_to(actor).filter(kind="clients.export"), job_id)
    name = (job.result or {}).get("file")
    if job.state != JobState.SUCCEEDED or not name or not default_storage.exists(name):
        raise Http404("export")
    return FileResponse(default_storage.open(name, "rb"), as_attachment=True, filename=name.rsplit("/", 1)[-1])
