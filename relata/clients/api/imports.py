"""Imports of clients: upload a file, set the mapping and the duplicate policy, preview,
start (a job), follow the progress and the report, download the refused rows, undo."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.clients.importing.mapping import import_targets
from relata.clients.models import ClientKind, ImportBatch, ImportRowResult
from relata.clients.models.imports import RowAction
from relata.clients.services.imports import (
    import_configure,
    import_get,
    import_interrupted,
    import_preview,
    import_report_rows,
    import_results,
    import_start,
    import_undo,
    import_upload,
    imports_visible_to,
)
from relata.core.access import require
from relata.core.errors import invalid
from relata.core.export import FORMATS, export_response

router = Router(tags=["imports"])


class ImportOut(Schema):
    id: int
    kind: str = Field(description="company or person")
    file_name: str
    file_format: str = Field(description="csv, xlsx, xls or vcard")
    encoding: str
    delimiter: str
    headers: list[str]
    mapping: dict[str, str] = Field(description="Column index (from 0) → import field key.")
    policy: str = Field(description="skip, update or create: what to do with a row matching an existing client")
    defaults: dict[str, Any]
    state: str = Field(description="uploaded, running, done, failed, undoing, undone")
    interrupted: bool = Field(description="Its job stopped before the end: start it again to resume.")
    total_rows: int
    rows_done: int
    created: int
    updated: int
    skipped: int
    failed: int
    job_id: int | None
    undo_job_id: int | None
    created_by: str
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_kind(obj: ImportBatch) -> str:
        return obj.entity

    @staticmethod
    def resolve_file_name(obj: ImportBatch) -> str:
        return obj.original_name

    @staticmethod
    def resolve_interrupted(obj: ImportBatch) -> bool:
        return import_interrupted(obj)

    @staticmethod
    def resolve_created(obj: ImportBatch) -> int:
        return obj.created_count

    @staticmethod
    def resolve_updated(obj: ImportBatch) -> int:
        return obj.updated_count

    @staticmethod
    def resolve_skipped(obj: ImportBatch) -> int:
        return obj.skipped_count

    @staticmethod
    def resolve_failed(obj: ImportBatch) -> int:
        return obj.failed_count

    @staticmethod
    def resolve_created_by(obj: ImportBatch) -> str:
        return obj.created_by.email


class ImportDefaultsIn(Schema):
    status: int | str | None = Field(None, description="Status of new clients: id or name.")
    owner: int | str | None = Field(None, description="Owner of new clients: user id, e-mail or full name.")
    tags: list[str] | str = Field([], description="Tags added to every imported client.")
    source: str = Field("", description="Source of new clients that have none in the file.")
    match_names: bool = Field(True, description="Companies: also treat the same name as a duplicate.")


class ImportSettingsIn(Schema):
    mapping: dict[str, str] | None = Field(None, description="Column index → field key; see /imports/fields.")
    policy: str | None = Field(None, description="skip, update or create")
    defaults: ImportDefaultsIn | None = None


class ImportFieldOut(Schema):
    key: str
    label: str
    group: str
    multiple: bool


class RowErrorOut(Schema):
    field: str = Field(description="The field the message is about (e.g. inn, phones.0, custom.region).")
    column: str = Field(description="The file's column it came from, if any.")
    message: str


class PreviewRowOut(Schema):
    row: int
    cells: list[str]
    action: str = Field(description="created, updated, skipped or failed: what the import would do")
    errors: list[RowErrorOut]
    reason: str
    note: str


class PreviewOut(Schema):
    rows: list[PreviewRowOut]
    counts: dict[str, int]


class RowResultOut(Schema):
    row: int
    action: str
    client_id: int | None
    errors: list[RowErrorOut]
    values: list[str]

    @staticmethod
    def resolve_row(obj: ImportRowResult) -> int:
        return obj.row_number


class RowFilter(Schema):
    action: str | None = Field(None, description="created, updated, skipped or failed")


@router.get("/imports/fields", response=list[ImportFieldOut], summary="The fields columns can be mapped to")
def import_fields(request: HttpRequest, kind: str = ClientKind.COMPANY) -> list[ImportFieldOut]:
    actor = actor_of(request)
    require(actor, "clients", "import")
    if kind not in ClientKind.values:
        raise invalid("kind", "Choose company or person.")
    return [
        ImportFieldOut(key=t.key, label=str(t.label), group=t.group, multiple=t.multiple)
        for t in import_targets(actor.workspace_id, kind).values()
    ]


@router.get("/imports", response=list[ImportOut], summary="Imports you may see, newest first")
@paginate(PagePagination)
def import_list(request: HttpRequest) -> QuerySet[ImportBatch]:
    actor = actor_of(request)
    require(actor, "clients", "import")
    return imports_visible_to(actor)


@router.post("/imports", response={201: ImportOut}, summary="Upload a CSV, Excel or vCard file (multipart)")
def import_create(request: HttpRequest, kind: Form[str], file: File[UploadedFile]) -> Status[Any]:
    """The file is checked (size, format, encoding, header) and stored; the mapping is
    suggested from its headers. Nothing is imported until the import is started."""
    batch = import_upload(actor_of(request), kind=kind, upload=file)
    return Status(201, batch)


@router.get("/imports/{import_id}", response=ImportOut, summary="One import: its settings, progress and counts")
def import_detail(request: HttpRequest, import_id: int) -> ImportBatch:
    return import_get(actor_of(request), import_id)


@router.patch("/imports/{import_id}", response=ImportOut, summary="Set the mapping, duplicate policy and defaults")
def import_settings(request: HttpRequest, import_id: int, payload: ImportSettingsIn) -> ImportBatch:
    actor = actor_of(request)
    defaults = payload.defaults.dict() if payload.defaults is not None else None
    import_configure(actor, import_id, mapping=payload.mapping, policy=payload.policy, defaults=defaults)
    return import_get(actor, import_id)


@router.get("/imports/{import_id}/preview", response=PreviewOut, summary="The first rows as they would be imported")
def import_preview_rows(request: HttpRequest, import_id: int, limit: int = 20) -> PreviewOut:
    preview = import_preview(actor_of(request), import_id, limit=limit)
    return PreviewOut(
        rows=[
            PreviewRowOut(
                row=r.number,
                cells=r.cells,
                action=r.action,
                errors=[RowErrorOut(field=e["field"], column=e["column"], message=e["message"]) for e in r.errors],
                reason=r.reason,
                note=r.note,
            )
            for r in preview.rows
        ],
        counts=preview.counts,
    )


@router.post("/imports/{import_id}/start", response={202: ImportOut}, summary="Run the import (or resume it) as a job")
def import_run(request: HttpRequest, import_id: int) -> Status[Any]:
    actor = actor_of(request)
    import_start(actor, import_id)
    return Status(202, import_get(actor, import_id))


@router.get("/imports/{import_id}/rows", response=list[RowResultOut], summary="What happened to each row")
@paginate(PagePagination)
def import_rows(request: HttpRequest, import_id: int, filters: Query[RowFilter]) -> QuerySet[ImportRowResult]:
    if filters.action is not None and filters.action not in RowAction.values:
        raise invalid("action", "Choose created, updated, skipped or failed.")
    return import_results(actor_of(request), import_id, filters.action)


@router.get("/imports/{import_id}/failed-rows", summary="The refused rows with their reasons, as CSV or Excel")
def import_failed_rows(request: HttpRequest, import_id: int, format: str = "csv") -> HttpResponse:  # noqa: A002
    if format not in FORMATS:
        raise invalid("format", "Choose csv or xlsx.")
    headers, rows = import_report_rows(actor_of(request), import_id)
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response: HttpResponse = export_response(
        headers=headers, rows=rows, filename=f"import-{import_id}-failed-{stamp}", fmt=format
    )
    return response


@router.post("/imports/{import_id}/undo", response={202: ImportOut}, summary="Undo the whole import (a job)")
def import_revert(request: HttpRequest, import_id: int) -> Status[Any]:
    actor = actor_of(request)
    import_undo(actor, import_id)
    return Status(202, import_get(actor, import_id))
