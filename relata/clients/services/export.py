"""Export of a list or segment to CSV or Excel: the current filters and columns, within
the actor's scope, only with the export permission, always written to the audit log
with its row count. Large exports run as jobs and leave a file to download."""

from __future__ import annotations

import datetime as dt
import tempfile
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relata.clients.fields import ClientField
from relata.clients.models import Client
from relata.clients.selectors.lists import columns_for_params, queryset_for_params
from relata.core.access import require
from relata.core.audit import record_event
from relata.core.errors import invalid
from relata.core.export import FORMATS, csv_bytes, export_response, write_xlsx
from relata.core.jobs import JobContext, job_handler
from relata.core.models import Job, Membership
from relata.core.services.jobs import job_start

SYNC_LIMIT = 5_000  # up to this many rows the file comes at once; more runs as a job


def export_value(client: Client, column: ClientField) -> Any:
    """The value as it goes into a spreadsheet: what import reads back the same."""
    if column.custom is not None:
        value = (client.custom or {}).get(column.custom.key)
        return ", ".join(value) if isinstance(value, list) else value
    if column.key in ("primary_phone", "primary_email", "inn", "kpp", "ogrn"):
        return getattr(client, column.key)
    value = column.display(client)
    return str(value) if value is not None and not isinstance(value, int | float | dt.date) else value


def export_rows(queryset: QuerySet[Client], columns: list[ClientField]) -> Any:
    needs_tags = any(c.key == "tags" for c in columns)
    queryset = queryset.select_related("status", "owner", "parent")
    if needs_tags:
        queryset = queryset.prefetch_related("tags")
    for client in queryset.iterator(chunk_size=2000):
        yield [export_value(client, column) for column in columns]


def client_export_event(actor: Membership, *, kind: str, query: str, rows: int, fmt: str) -> None:
    record_event(
        kind="client.exported",
        workspace=actor.workspace,
        actor=actor.user,
        data={"kind": kind, "query": query, "rows": rows, "format": fmt},
    )


def export_check(actor: Membership, fmt: str) -> None:
    require(actor, "clients", "export")
    if fmt not in FORMATS:
        raise invalid("format", _("Choose CSV or Excel."))


def export_now(actor: Membership, *, kind: str, query: str, fmt: str) -> Any:
    """A download response for a list small enough to export at once, or None when
    it must run as a job."""
    export_check(actor, fmt)
    queryset = queryset_for_params(actor, kind, query)
    count = queryset.order_by()[: SYNC_LIMIT + 1].count()
    if count > SYNC_LIMIT:
        return None
    columns = columns_for_params(actor, kind, query)
    client_export_event(actor, kind=kind, query=query, rows=count, fmt=fmt)
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    return export_response(
        headers=[str(c.label) for c in columns],
        rows=export_rows(queryset, columns),
        filename=f"{kind}-{stamp}",
        fmt=fmt,
    )


def export_start(actor: Membership, *, kind: str, query: str, fmt: str) -> Job:
    export_check(actor, fmt)
    return job_start(
        actor,
        kind="clients.export",
        params={"kind": kind, "query": query, "format": fmt},
        total=queryset_for_params(actor, kind, query).count(),
    )


@job_handler("clients.export", gettext_lazy("Export of clients"))
def export_job(actor: Membership, context: JobContext) -> dict[str, Any]:
    params = context.params
    kind, query, fmt = params["kind"], params["query"], params["format"]
    export_check(actor, fmt)
    queryset = queryset_for_params(actor, kind, query)
    columns = columns_for_params(actor, kind, query)
    total = queryset.count()
    context.progress(0, total, force=True)
    done = 0

    def counted() -> Any:
        nonlocal done
        for row in export_rows(queryset, columns):
            done += 1
            if done % 1000 == 0:
                context.progress(done, total)
            yield row

    headers = [str(c.label) for c in columns]
    with tempfile.TemporaryFile() as handle:
        if fmt == "csv":
            for chunk in csv_bytes(headers, counted()):
                handle.write(chunk)
        else:
            write_xlsx(handle, headers, counted())
        handle.seek(0)
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        name = default_storage.save(f"exports/{actor.workspace_id}/{kind}-{stamp}.{fmt}", File(handle))
    client_export_event(actor, kind=kind, query=query, rows=done, fmt=fmt)
    return {"file": name, "rows": done, "format": fmt}
