"""Leads and deals from a file (CSV in any of the encodings and separators the client
import reads, xlsx or xls): the columns are recognised by their Russian or English
headers, every row is checked, and the records are created only when every row is right
— otherwise the report names each bad row and field and nothing is written, so fixing
the file and loading it again never makes duplicates.

Both need `sales.import` and `sales.create`. A lead is created as a typed-in one would
be (linked to a known client, owned by the importer), with the source "import". A deal
is created open, by the same service as on the deal form (the stage's required fields,
the conveyor's hand-off), with its client found among the clients the importer sees by
INN or by exact name, its pipeline and stage by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from relata.clients.importing.parsers import ImportFileError, TableSource, open_table
from relata.clients.services.imports import local_upload
from relata.core.access import require
from relata.core.audit import record_event
from relata.core.db import contains_any
from relata.core.errors import invalid
from relata.core.export import restore_cell
from relata.core.models import Membership
from relata.sales.models import LeadSource
from relata.sales.services.leads import clean_lead, lead_create

MAX_ROWS = 5_000
MAX_BYTES = 20 * 1024 * 1024
MAX_REPORTED = 200  # bad rows listed in the report; the count covers all of them

# Header → lead field, compared after lower-casing and dropping punctuation.
ALIASES: dict[str, tuple[str, ...]] = {
    "contact_name": (
        "contact name",
        "name",
        "contact",
        "full name",
        "имя",
        "фио",
        "контакт",
        "контактное лицо",
        "имя контакта",
    ),
    "company_name": ("company", "company name", "organization", "organisation", "компания", "организация"),
    "phone": ("phone", "phone number", "telephone", "mobile", "телефон", "тел", "мобильный"),
    "email": ("email", "e mail", "mail", "почта", "электронная почта", "эл почта"),
    "inn": ("inn", "tax id", "инн"),
    "message": ("message", "comment", "note", "сообщение", "комментарий", "примечание"),
    "channel": ("channel", "канал"),
    "campaign": ("campaign", "кампания"),
    "utm_source": ("utm_source",),
    "utm_medium": ("utm_medium",),
    "utm_campaign": ("utm_campaign",),
    "utm_term": ("utm_term",),
    "utm_content": ("utm_content",),
}
_NOISE = re.compile(r"[^\w]+")


def _key(header: str) -> str:
    return _NOISE.sub(" ", header.replace("ё", "е").replace("Ё", "Е").casefold()).strip()


_LOOKUP = {_key(alias): name for name, aliases in ALIASES.items() for alias in (name, *aliases)}


DEAL_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("deal", "name", "сделка", "название", "название сделки"),
    "client": ("client", "company", "клиент", "компания", "контрагент"),
    "inn": ("inn", "client inn", "инн", "инн клиента"),
    "pipeline": ("pipeline", "воронка"),
    "stage": ("stage", "стадия", "этап"),
    "amount": ("amount", "sum", "сумма", "бюджет"),
    "currency": ("currency", "валюта"),
    "probability": ("probability", "probability %", "вероятность", "вероятность %"),
    "expected_close_date": ("expected close date", "close date", "дата закрытия", "ожидаемая дата закрытия"),
    "description": ("description", "comment", "описание", "комментарий"),
}
_RUSSIAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    mapping: dict[str, str] = field(default_factory=dict)  # header → lead field
    failed: list[tuple[int, dict[str, list[str]]]] = field(default_factory=list)  # row number → errors
    failed_count: int = 0

    @property
    def ok(self) -> bool:
        return self.failed_count == 0


def column_mapping(headers: list[str], lookup: dict[str, str] | None = None) -> dict[int, str]:
    """Column index → field for the headers recognised (the first one wins)."""
    lookup = _LOOKUP if lookup is None else lookup
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        name = lookup.get(_key(header))
        if name is not None and name not in mapping.values():
            mapping[index] = name
    return mapping


def aliases_lookup(aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {_key(alias): name for name, names in aliases.items() for alias in (name, *names)}


def open_rows(
    path: str | Path, filename: str, lookup: dict[str, str], *, needed: set[str], needed_message: str
) -> tuple[TableSource, dict[int, str], int]:
    """The opened table, its recognised columns and its row count; a file that cannot be
    used (unreadable, vCard, none of the `needed` columns, empty, too long) is refused."""
    try:
        table = open_table(path, filename, max_bytes=MAX_BYTES)
    except ImportFileError as error:
        raise invalid("file", error.message, code=error.code) from error
    if table.format == "vcard":
        raise invalid("file", _("Leads and deals are imported from CSV or Excel files."), code="format")
    columns = column_mapping(table.headers, lookup)
    if not needed & set(columns.values()):
        raise invalid("file", needed_message, code="no_columns")
    count = table.count()
    if count == 0:
        raise invalid("file", _("The file has no rows below its header."), code="empty")
    if count > MAX_ROWS:
        raise invalid(
            "file",
            _("The file has %(count)d rows; load at most %(limit)d at once.") % {"count": count, "limit": MAX_ROWS},
            code="too_many",
        )
    return table, columns, count


def leads_import(actor: Membership, path: str | Path, filename: str) -> ImportReport:
    """Import the file at `path` (its name as the user gave it: `filename`)."""
    require(actor, "sales", "import")
    require(actor, "sales", "create")
    table, columns, count = open_rows(
        path,
        filename,
        _LOOKUP,
        needed={"phone", "email"},
        needed_message=_("The file has no column of phones or e-mails (headers such as “Телефон”, “Phone”, “E-mail”)."),
    )
    report = ImportReport(rows=count, mapping={table.headers[i]: name for i, name in columns.items()})
    values_of_rows: list[dict[str, Any]] = []
    region = actor.workspace.default_phone_region
    for row in table.rows():
        if row.problem:
            fail_row(report, row.number, {"row": [row.problem]})
            continue
        # restore_cell: a phone exported as "'+7…" (neutralised for spreadsheets) comes back as "+7…".
        values = {name: restore_cell(row.values[index]) for index, name in columns.items()}
        values["source"] = LeadSource.IMPORT
        try:
            clean_lead(values, region=region, creating=True)
        except ValidationError as error:
            fail_row(report, row.number, {name: list(messages) for name, messages in error.message_dict.items()})
            continue
        values_of_rows.append(values)
    if not report.ok:
        return report
    with transaction.atomic():
        for values in values_of_rows:
            lead_create(actor, values=values)
        report.created = len(values_of_rows)
        record_event(
            kind="lead.imported",
            workspace=actor.workspace,
            actor=actor.user,
            data={"file": filename[:200], "rows": count, "created": report.created},
        )
    return report


def report_errors(report: ImportReport) -> None:
    """Raise the report's bad rows as one ValidationError keyed `rows.<number>.<field>`."""
    if not report.ok:
        raise ValidationError(
            {f"rows.{number}.{name}": messages for number, errors in report.failed for name, messages in errors.items()}
        )


def fail_row(report: ImportReport, number: int, errors: dict[str, list[str]]) -> None:
    report.failed_count += 1
    if len(report.failed) < MAX_REPORTED:
        report.failed.append((number, errors))


def leads_import_upload(actor: Membership, upload: File[Any] | None) -> ImportReport:
    """`leads_import` of an uploaded file (a form's or the API's)."""
    if upload is None:
        raise invalid("file", _("Choose a file."), code="required")
    with local_upload(upload) as path:
        return leads_import(actor, path, upload.name or "")


def _iso_date(text: str) -> str:
    """ "31.12.2026" → "2026-12-31"; a spreadsheet's "2026-12-31 00:00:00" → its date."""
    text = text.strip()
    found = _RUSSIAN_DATE.match(text)
    if found:
        day, month, year = found.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}[ T]", text) else text


class _Names:
    """The importer's pipelines, stages and clients by name (and clients by INN)."""

    def __init__(self, actor: Membership) -> None:
        from relata.clients.selectors.clients import clients_visible_to
        from relata.sales.selectors.deals import pipelines_in_use

        self.actor = actor
        self.pipelines = list(pipelines_in_use(actor).prefetch_related("stages"))
        self.visible = clients_visible_to(actor)

    def pipeline(self, name: str) -> Any:
        if not name:
            return self.pipelines[0] if self.pipelines else None
        wanted = name.casefold()
        found = next((p for p in self.pipelines if p.name.casefold() == wanted), None)
        if found is None:
            raise invalid("pipeline", _("There is no pipeline “%(name)s”.") % {"name": name[:100]})
        return found

    def stage(self, pipeline: Any, name: str) -> int | None:
        if not name:
            return None
        wanted = name.casefold()
        found = next((s for s in pipeline.stages.all() if s.name.casefold() == wanted), None)
        if found is None:
            raise invalid(
                "stage",
                _("The pipeline “%(pipeline)s” has no stage “%(name)s”.")
                % {"pipeline": pipeline.name, "name": name[:100]},
            )
        return int(found.pk)

    def client(self, name: str, inn: str) -> int | None:
        if inn:
            ids = list(self.visible.filter(inn=inn.strip()).values_list("pk", flat=True)[:2])
            if len(ids) == 1:
                return int(ids[0])
            message = (
                _("No client of yours has the INN %(inn)s.") if not ids else _("Several clients have the INN %(inn)s.")
            )
            raise invalid("inn", message % {"inn": inn[:12]})
        if not name:
            return None
        candidates = self.visible.filter(contains_any(name, "name")).values_list("pk", "name")[:50]
        exact = [int(pk) for pk, found in candidates if str(found).casefold() == name.strip().casefold()]
        if len(exact) == 1:
            return exact[0]
        message = (
            _("No client of yours is called “%(name)s”.")
            if not exact
            else _("Several clients are called “%(name)s”: give the INN.")
        )
        raise invalid("client", message % {"name": name[:100]})


def _deal_values(names: _Names, raw: dict[str, str]) -> dict[str, Any]:
    pipeline = names.pipeline(raw.get("pipeline", "").strip())
    if pipeline is None:
        raise invalid("pipeline", _("Set up a pipeline first."))
    values: dict[str, Any] = {"pipeline": pipeline.pk, "stage": names.stage(pipeline, raw.get("stage", "").strip())}
    client = names.client(raw.get("client", "").strip(), raw.get("inn", "").strip())
    if client is not None:
        values["client"] = client
    for name in ("title", "amount", "currency", "probability", "description"):
        if raw.get(name, "").strip():
            values[name] = raw[name].strip()
    if raw.get("expected_close_date", "").strip():
        values["expected_close_date"] = _iso_date(raw["expected_close_date"])
    return values


def deals_import(actor: Membership, path: str | Path, filename: str) -> ImportReport:
    """Create open deals from the file at `path`: all of them, or none and the report."""
    from relata.sales.services.deals import deal_create

    require(actor, "sales", "import")
    require(actor, "sales", "create")
    table, columns, count = open_rows(
        path,
        filename,
        aliases_lookup(DEAL_ALIASES),
        needed={"title"},
        needed_message=_("The file has no column of deal titles (headers such as “Сделка”, “Название”, “Deal”)."),
    )
    report = ImportReport(rows=count, mapping={table.headers[i]: name for i, name in columns.items()})
    names = _Names(actor)
    # Each row through the deal form's own service, in a savepoint; any bad row rolls
    # the whole import back, so the checks are exactly those of a deal typed in.
    with transaction.atomic():
        for row in table.rows():
            if row.problem:
                fail_row(report, row.number, {"row": [row.problem]})
                continue
            raw = {name: restore_cell(row.values[index]) for index, name in columns.items()}
            try:
                with transaction.atomic():
                    deal_create(actor, values=_deal_values(names, raw))
            except ValidationError as error:
                fail_row(report, row.number, {name: list(messages) for name, messages in error.message_dict.items()})
        if not report.ok:
            transaction.set_rollback(True)
            return report
        report.created = count
        record_event(
            kind="deal.imported",
            workspace=actor.workspace,
            actor=actor.user,
            data={"file": filename[:200], "rows": count, "created": count},
        )
    return report


def deals_import_upload(actor: Membership, upload: File[Any] | None) -> ImportReport:
    if upload is None:
        raise invalid("file", _("Choose a file."), code="required")
    with local_upload(upload) as path:
        return deals_import(actor, path, upload.name or "")
