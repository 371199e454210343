"""Leads from a file (CSV in any of the encodings and separators the client import
reads, xlsx or xls): the columns are recognised by their Russian or English headers,
every row is checked first, and the leads are created only when every row is right —
otherwise the report names each bad row and field and nothing is written, so fixing the
file and loading it again never makes duplicates.

Leads need `sales.import` and `sales.create`; each lead is created as a typed-in one
would be (linked to a known client, owned by the importer), with the source "import".
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

from relata.clients.importing.parsers import ImportFileError, open_table
from relata.clients.services.imports import local_upload
from relata.core.access import require
from relata.core.audit import record_event
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


@dataclass
class LeadImportReport:
    rows: int = 0
    created: int = 0
    mapping: dict[str, str] = field(default_factory=dict)  # header → lead field
    failed: list[tuple[int, dict[str, list[str]]]] = field(default_factory=list)  # row number → errors
    failed_count: int = 0

    @property
    def ok(self) -> bool:
        return self.failed_count == 0


def column_mapping(headers: list[str]) -> dict[int, str]:
    """Column index → lead field for the headers recognised (the first one wins)."""
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        name = _LOOKUP.get(_key(header))
        if name is not None and name not in mapping.values():
            mapping[index] = name
    return mapping


def leads_import(actor: Membership, path: str | Path, filename: str) -> LeadImportReport:
    """Import the file at `path` (its name as the user gave it: `filename`)."""
    require(actor, "sales", "import")
    require(actor, "sales", "create")
    try:
        table = open_table(path, filename, max_bytes=MAX_BYTES)
    except ImportFileError as error:
        raise invalid("file", error.message, code=error.code) from error
    if table.format == "vcard":
        raise invalid("file", _("Leads are imported from CSV or Excel files."), code="format")
    columns = column_mapping(table.headers)
    if not {"phone", "email"} & set(columns.values()):
        raise invalid(
            "file",
            _("The file has no column of phones or e-mails (headers such as “Телефон”, “Phone”, “E-mail”)."),
            code="no_columns",
        )
    count = table.count()
    if count == 0:
        raise invalid("file", _("The file has no rows below its header."), code="empty")
    if count > MAX_ROWS:
        raise invalid(
            "file",
            _("The file has %(count)d rows; load at most %(limit)d at once.") % {"count": count, "limit": MAX_ROWS},
            code="too_many",
        )
    report = LeadImportReport(rows=count, mapping={table.headers[i]: name for i, name in columns.items()})
    values_of_rows: list[dict[str, Any]] = []
    region = actor.workspace.default_phone_region
    for row in table.rows():
        if row.problem:
            _fail(report, row.number, {"row": [row.problem]})
            continue
        # restore_cell: a phone exported as "'+7…" (neutralised for spreadsheets) comes back as "+7…".
        values = {name: restore_cell(row.values[index]) for index, name in columns.items()}
        values["source"] = LeadSource.IMPORT
        try:
            clean_lead(values, region=region, creating=True)
        except ValidationError as error:
            _fail(report, row.number, {name: list(messages) for name, messages in error.message_dict.items()})
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


def _fail(report: LeadImportReport, number: int, errors: dict[str, list[str]]) -> None:
    report.failed_count += 1
    if len(report.failed) < MAX_REPORTED:
        report.failed.append((number, errors))


def leads_import_upload(actor: Membership, upload: File[Any] | None) -> LeadImportReport:
    """`leads_import` of an uploaded file (a form's or the API's)."""
    if upload is None:
        raise invalid("file", _("Choose a file."), code="required")
    with local_upload(upload) as path:
        return leads_import(actor, path, upload.name or "")
