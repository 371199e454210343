"""Deals through the API: list, create, change, move to a stage, win, lose, reopen,
delete, and the stage history; the kanban board's columns with their totals."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.core.access import require
from relata.core.errors import invalid
from relata.core.models import Membership
from relata.sales.models import Deal, DealLine, DealStatus, StageVisit
from relata.sales.selectors.deals import (
    BoardFilters,
    board,
    deal_get,
    deal_history,
    deal_lines,
    deals_visible_to,
    filter_deals,
    pipeline_get,
)
from relata.sales.services.deals import (
    deal_create,
    deal_delete,
    deal_lose,
    deal_move,
    deal_reopen,
    deal_update,
    deal_win,
)
from relata.sales.services.exports import deals_export
from relata.sales.services.file_import import deals_import_upload, report_errors
from relata.sales.services.lines import deal_lines_set

router = Router(tags=["deals"])


class DealOut(Schema):
    id: int
    title: str
    pipeline_id: int
    stage_id: int
    stage: str
    status: str = Field(..., description="open, won or lost")
    client_id: int | None
    contact_ids: list[int]
    amount: Decimal | None
    currency: str
    probability: int
    expected_close_date: dt.date | None
    competitors: list[str]
    description: str
    owner_id: int
    created_by_id: int
    stage_entered_at: dt.datetime
    closed_at: dt.datetime | None
    loss_reason_id: int | None
    loss_note: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_stage(deal: Deal) -> str:
        return deal.stage.name

    @staticmethod
    def resolve_contact_ids(deal: Deal) -> list[int]:
        return sorted(link.person_id for link in deal.contact_links.all())


class DealFields(Schema):
    title: str | None = Field(None, max_length=200)
    client_id: int | None = None
    contact_ids: list[int] | None = Field(None, description="Persons (clients of kind person) you can see.")
    amount: Decimal | None = Field(None, ge=0)
    currency: str | None = Field(None, description="ISO 4217 code; default: the workspace's currency.")
    probability: int | None = Field(None, ge=0, le=100, description="Default: the stage's probability.")
    expected_close_date: dt.date | None = None
    competitors: list[str] | None = None
    description: str | None = None
    owner_id: int | None = Field(None, description="Default: you. Someone else needs the assign permission.")


class DealIn(DealFields):
    title: str = Field(..., max_length=200)  # type: ignore[assignment]
    pipeline_id: int
    stage_id: int | None = Field(None, description="Default: the pipeline's first stage.")


class DealPatch(DealFields):
    version: int = Field(..., ge=1)


class MoveIn(Schema):
    stage_id: int
    version: int = Field(..., ge=1)
    values: DealFields | None = Field(None, description="Fields the new stage requires, saved with the move.")


class VersionIn(Schema):
    version: int = Field(..., ge=1)


class LoseIn(VersionIn):
    loss_reason_id: int = Field(..., description="From /api/v1/loss-reasons.")
    loss_note: str = Field("", max_length=500)


class DealFilter(Schema):
    pipeline_id: int | None = None
    stage_id: int | None = None
    status: str | None = Field(None, description="open, won or lost")
    client_id: int | None = None
    owner_id: int | None = None
    team_id: int | None = Field(None, description="Owners in this team and the teams below it.")
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    close_from: dt.date | None = Field(None, description="Expected close date from.")
    close_to: dt.date | None = None
    q: str | None = Field(None, description="A fragment of the title or the client's name.")


class VisitOut(Schema):
    stage_id: int
    stage: str
    entered_at: dt.datetime
    entered_by_id: int
    left_at: dt.datetime | None
    left_by_id: int | None

    @staticmethod
    def resolve_stage(visit: StageVisit) -> str:
        return visit.stage.name


class LineOut(Schema):
    product_id: int | None
    name: str
    quantity: Decimal
    unit: str
    price: Decimal = Field(..., description="Per unit, VAT included.")
    discount: Decimal = Field(..., description="Percent.")
    vat_rate: Decimal | None = Field(..., description="Percent; null: without VAT.")
    total: Decimal = Field(..., description="Quantity × price less the discount, VAT included.")
    vat_amount: Decimal = Field(..., description="The VAT in the total.")


class LineIn(Schema):
    product_id: int | None = Field(None, description="From /api/v1/catalog/products.")
    name: str | None = Field(None, description="Default: the product's name.")
    quantity: Decimal
    unit: str | None = Field(None, description="Default: the product's unit.")
    price: Decimal | None = Field(None, description="Default: the client's price list price in the deal's currency.")
    discount: Decimal | None = Field(None, description="Percent, 0 to 100.")
    vat_rate: Decimal | None = Field(None, description="Percent (0, 5, 7, 10, 20, 22); default: the product's.")


class LinesIn(Schema):
    version: int = Field(..., ge=1)
    lines: list[LineIn] = Field(..., description="The whole list: lines not sent are removed.")


class ColumnOut(Schema):
    key: str = Field(..., description="The stage id, or won / lost.")
    name: str
    count: int
    totals: dict[str, Decimal] = Field(..., description="Amount per currency.")
    deals: list[DealOut] = Field(..., description="The first cards (up to 50); `count` says how many there are.")


class BoardOut(Schema):
    pipeline_id: int
    columns: list[ColumnOut]
    won: ColumnOut
    lost: ColumnOut


RENAMES = {"client_id": "client", "contact_ids": "contacts", "owner_id": "owner", "pipeline_id": "pipeline"}


def deal_values(payload: Schema) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    data.pop("version", None)
    return {RENAMES.get(key, key): value for key, value in data.items()}


def _filters(filters: DealFilter) -> BoardFilters:
    return BoardFilters(
        owner=filters.owner_id,
        team=filters.team_id,
        created_from=filters.created_from,
        created_to=filters.created_to,
        close_from=filters.close_from,
        close_to=filters.close_to,
        q=(filters.q or "").strip(),
    )


@router.get("/deals", response=list[DealOut], summary="Deals you may see (yours, your team's…), newest first")
@paginate(PagePagination)
def deal_list(request: HttpRequest, filters: Query[DealFilter]) -> QuerySet[Deal]:
    actor = actor_of(request)
    require(actor, "sales", "view")
    return _filtered(actor, filters).prefetch_related("contact_links").order_by("-created_at", "-id")


def _filtered(actor: Membership, filters: DealFilter) -> QuerySet[Deal]:
    queryset = filter_deals(actor, deals_visible_to(actor), _filters(filters))
    if filters.status is not None:
        if filters.status not in DealStatus.values:
            raise invalid("status", "Choose open, won or lost.")
        queryset = queryset.filter(status=filters.status)
    for name in ("pipeline_id", "stage_id", "client_id"):
        if getattr(filters, name) is not None:
            queryset = queryset.filter(**{name: getattr(filters, name)})
    return queryset


@router.get(
    "/deals/export",
    response={200: None},
    summary="The deals list as CSV or Excel (`format`), with the list's filters; needs sales.export",
    openapi_extra={"responses": {200: {"description": "The file", "content": {"text/csv": {}}}}},
)
def deal_export(request: HttpRequest, filters: Query[DealFilter], format: str = "csv") -> HttpResponse:  # noqa: A002
    actor = actor_of(request)
    require(actor, "sales", "export")
    return deals_export(actor, _filtered(actor, filters).order_by("-created_at", "-id"), fmt=format)


class DealImportOut(Schema):
    rows: int = Field(..., description="Data rows in the file.")
    created: int
    columns: dict[str, str] = Field(..., description="The file's headers that were recognised → deal fields.")


@router.post(
    "/deals/import",
    response={201: DealImportOut},
    summary="Create open deals from a CSV or Excel file (multipart `file`); all rows or none",
)
def deal_import(request: HttpRequest, file: File[UploadedFile]) -> Status[Any]:
    """Every row goes through the same checks as a deal typed in. If any is wrong the
    answer is 422 with the errors as `rows.<number>.<field>` and nothing is created."""
    report = deals_import_upload(actor_of(request), file)
    report_errors(report)
    return Status(201, {"rows": report.rows, "created": report.created, "columns": report.mapping})


@router.post("/deals", response={201: DealOut}, summary="Create a deal")
def deal_new(request: HttpRequest, payload: DealIn) -> Status[Any]:
    actor = actor_of(request)
    deal = deal_create(actor, values=deal_values(payload))
    return Status(201, deal_get(actor, deal.pk))


@router.get("/deals/{deal_id}", response=DealOut, summary="One deal")
def deal_detail(request: HttpRequest, deal_id: int) -> Deal:
    return deal_get(actor_of(request), deal_id)


@router.patch("/deals/{deal_id}", response=DealOut, summary="Change a deal (optimistic locking)")
def deal_change(request: HttpRequest, deal_id: int, payload: DealPatch) -> Deal:
    actor = actor_of(request)
    deal_update(actor, deal_id, version=payload.version, values=deal_values(payload))
    return deal_get(actor, deal_id)


@router.delete("/deals/{deal_id}", response={204: None}, summary="Delete a deal")
def deal_remove(request: HttpRequest, deal_id: int) -> Status[None]:
    actor = actor_of(request)
    require(actor, "sales", "delete")
    deal_delete(actor, deal_get(actor, deal_id).pk)
    return Status(204, None)


@router.post(
    "/deals/{deal_id}/move",
    response=DealOut,
    summary="Move an open deal to a stage; a stale version is refused with 409 and the current state",
)
def deal_to_stage(request: HttpRequest, deal_id: int, payload: MoveIn) -> Deal:
    actor = actor_of(request)
    values = deal_values(payload.values) if payload.values is not None else None
    deal_move(actor, deal_id, stage_id=payload.stage_id, version=payload.version, values=values)
    return deal_get(actor, deal_id)


@router.post("/deals/{deal_id}/win", response=DealOut, summary="Close a deal as won")
def deal_won(request: HttpRequest, deal_id: int, payload: VersionIn) -> Deal:
    actor = actor_of(request)
    deal_win(actor, deal_id, version=payload.version)
    return deal_get(actor, deal_id)


@router.post("/deals/{deal_id}/lose", response=DealOut, summary="Close a deal as lost, with a reason")
def deal_lost(request: HttpRequest, deal_id: int, payload: LoseIn) -> Deal:
    actor = actor_of(request)
    deal_lose(actor, deal_id, version=payload.version, reason=payload.loss_reason_id, note=payload.loss_note)
    return deal_get(actor, deal_id)


@router.post("/deals/{deal_id}/reopen", response=DealOut, summary="Open a won or lost deal again")
def deal_open_again(request: HttpRequest, deal_id: int, payload: VersionIn) -> Deal:
    actor = actor_of(request)
    deal_reopen(actor, deal_id, version=payload.version)
    return deal_get(actor, deal_id)


@router.get("/deals/{deal_id}/lines", response=list[LineOut], summary="The deal's lines, in order")
def deal_line_list(request: HttpRequest, deal_id: int) -> list[DealLine]:
    return list(deal_lines(deal_get(actor_of(request), deal_id)))


@router.put(
    "/deals/{deal_id}/lines",
    response=DealOut,
    summary="Replace the deal's lines; its amount becomes their sum (optimistic locking)",
)
def deal_lines_replace(request: HttpRequest, deal_id: int, payload: LinesIn) -> Deal:
    actor = actor_of(request)
    lines = [{("product" if k == "product_id" else k): v for k, v in line.dict().items()} for line in payload.lines]
    deal_lines_set(actor, deal_id, version=payload.version, lines=lines)
    return deal_get(actor, deal_id)


@router.get("/deals/{deal_id}/history", response=list[VisitOut], summary="The deal's stage history, oldest first")
def deal_stage_history(request: HttpRequest, deal_id: int) -> list[StageVisit]:
    return list(deal_history(deal_get(actor_of(request), deal_id)))


@router.get(
    "/pipelines/{pipeline_id}/board",
    response=BoardOut,
    summary="The kanban board: open deals per stage with totals, and deals won or lost in the last `days`",
)
def pipeline_board(request: HttpRequest, pipeline_id: int, filters: Query[DealFilter], days: int = 30) -> BoardOut:
    actor = actor_of(request)
    require(actor, "sales", "view")
    if not 1 <= days <= 3660:
        raise invalid("days", "Enter a number of days from 1 to 3660.")
    result = board(
        actor,
        pipeline_get(actor, pipeline_id),
        _filters(filters),
        closed_since=timezone.now() - dt.timedelta(days=days),
    )

    # Plain dicts: Ninja validates them against BoardOut, resolving each deal's fields.
    def column(c: Any) -> dict[str, Any]:
        return {"key": c.key, "name": c.name, "count": c.count, "totals": c.totals, "deals": c.deals}

    return {
        "pipeline_id": pipeline_id,
        "columns": [column(c) for c in result.columns],
        "won": column(result.won),
        "lost": column(result.lost),
    }
