"""Spreadsheet export (CSV and Excel) of any list, with cells that a spreadsheet would
run as formulas neutralised (CSV/formula injection: "=HYPERLINK(…)" typed into a
client's name must not execute on the exporting manager's computer).

Callers pass rows already narrowed by the actor's scope and record the export as an
event themselves (`<entity>.exported`): export is a permission of its own.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMATS = ("csv", "xlsx")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
XLSX_MAX_ROWS = 1_000_000  # Excel's sheet holds 1,048,576 rows


def safe_cell(value: Any) -> Any:
    """The value as a CSV cell: text that starts like a formula gets a leading apostrophe
    (`restore_cell` takes it off again on import); numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value
    text = str(value)
    return "'" + text if _needs_guard(text) else text


def _needs_guard(text: str) -> bool:
    """Starts like a formula, possibly behind apostrophes: text already shaped like a
    neutralised cell gets one more, so that restore_cell() gives every text back."""
    return text.lstrip("'").startswith(FORMULA_TRIGGERS)


def restore_cell(text: str) -> str:
    """Undo `safe_cell` on a value read back from a CSV this module wrote."""
    if text[:1] == "'" and _needs_guard(text[1:]):
        return text[1:]
    return text


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    """A cell for the write-only sheet. Text is stored as a string cell, never a formula
    (openpyxl would turn "=…" into one), so no apostrophe is needed in Excel files."""
    value = safe_cell(value)
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=restore_cell(value))
        cell.data_type = "s"
        return cell
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";")  # the separator Russian Excel expects
    yield "\ufeff"  # a BOM, so that Excel reads the file as UTF-8
    yield writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        cells = [safe_cell(v) for v in row]
        yield writer.writerow([c.isoformat(sep=" ") if isinstance(c, dt.datetime) else c for c in cells])


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The CSV file as UTF-8 chunks (for writing a file in a job)."""
    for line in _csv_lines(headers, rows):
        yield line.encode("utf-8")


def write_xlsx(handle: Any, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write an xlsx workbook of `rows` to an open binary file (streamed, write-only)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([_xlsx_cell(sheet, h) for h in headers])
    for count, row in enumerate(rows, start=1):
        if count > XLSX_MAX_ROWS:
            break
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    workbook.save(handle)


def export_response(*, headers: Sequence[str], rows: Iterable[Sequence[Any]], filename: str, fmt: str) -> Any:
    """A download of `rows` as CSV (streamed) or xlsx (written to a temporary file)."""
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_lines(headers, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    if fmt != "xlsx":
        raise ValueError(f"unknown export format {fmt!r}")
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
    write_xlsx(handle, headers, rows)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
