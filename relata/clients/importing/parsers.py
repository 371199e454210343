"""Readers for the files users upload to import clients: CSV, Excel (xlsx, xls) and vCard.

`open_table` inspects a file once and returns a `TableSource`: its headers, and rows
that can be re-read from any position (the import job can be killed and resumed).
Every value comes out as a stripped string; interpreting values (phones, INN, dates)
is the importer's business, not this module's.

Errors:
- `ImportFileError` when the file as a whole cannot be used; its `message` is shown
  to the user as is and `code` tells the caller what went wrong.
- `Row.problem` when one row (or vCard card) is malformed; the other rows still load.

Memory: CSV and xlsx are streamed, vCard is handled one card at a time. xls workbooks
are loaded whole by xlrd, which the format's own limits (65,536 rows) keep small.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import quopri
import re
import zipfile
from collections.abc import Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import openpyxl
import vobject
import xlrd
import xlrd.compdoc
from django.utils.translation import gettext as _

__all__ = [
    "VCARD_HEADERS",
    "ImportFileError",
    "Row",
    "TableSource",
    "check_size",
    "open_table",
]

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
HEAD_BYTES = 8 * 1024  # how much of the file format detection looks at
CHUNK_BYTES = 1024 * 1024  # read size for the full-file encoding check
SAMPLE_CHARS = 64 * 1024  # CSV text used to detect the delimiter
SNIFF_RECORDS = 20  # CSV records compared when detecting the delimiter

# Candidate delimiters in tie-break order: ";" first because Russian Excel writes it.
CSV_DELIMITERS = (";", ",", "\t")

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
VCARD_MAGIC = b"begin:vcard"
VCARD_EXTENSIONS = frozenset({".vcf", ".vcard"})
EXCEL_EXTENSIONS = frozenset({".xls", ".xlsx", ".xlsm"})

VCARD_HEADERS: tuple[str, ...] = (
    "full_name",
    "last_name",
    "first_name",
    "middle_name",
    "organization",
    "title",
    "phone_1",
    "phone_1_type",
    "phone_2",
    "phone_2_type",
    "phone_3",
    "phone_3_type",
    "email_1",
    "email_2",
    "email_3",
    "street",
    "city",
    "region",
    "postcode",
    "country",
    "birthday",
    "website",
    "note",
)
MAX_PHONES = 3
MAX_EMAILS = 3


class ImportFileError(Exception):
    """The whole file cannot be read. `message` is shown to the user as is.

    `code` is one of "empty", "binary", "encoding", "format", "too_large",
    "no_header", "broken_vcard".
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Row:
    """One data row (or vCard card).

    `number` is 1-based among the data rows, header and skipped empty rows not counted
    (vCard: the card's position in the file). `values` has exactly one string per header.
    `problem` is non-empty, and names the row, when the row itself is malformed.
    """

    number: int
    values: list[str]
    problem: str = ""


@runtime_checkable
class TableSource(Protocol):
    """An opened import file. `rows` and `count` re-read the file on each call."""

    format: str
    headers: list[str]
    encoding: str | None
    delimiter: str | None

    def rows(self, start: int = 0) -> Iterator[Row]:
        """Data rows with number > start, in order."""
        ...

    def count(self) -> int:
        """Number of data rows (what `rows()` yields)."""
        ...


def open_table(path: str | Path, filename: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> TableSource:
    """Open an uploaded file, detect its format and read its header.

    `path` is where the upload is stored (it must stay there while rows are read);
    `filename` is the name the user gave it, used only when the content is ambiguous.
    The format comes from the content first (ZIP → xlsx, OLE2 → xls, BEGIN:VCARD → vCard)
    and the extension second. Raises ImportFileError when the file cannot be used.
    """
    path = Path(path)
    _check_size(path, max_bytes)
    head = _read_head(path)
    if _is_blank(path, head):
        raise ImportFileError(_("The file is empty."), "empty")
    if head.startswith(ZIP_MAGIC):
        return XlsxSource.open(path)
    if head.startswith(OLE2_MAGIC):
        return XlsSource.open(path)
    _check_text(head, filename)
    encoding = _detect_encoding(path, head)
    extension = Path(filename).suffix.lower()
    if _looks_like_vcard(head) or extension in VCARD_EXTENSIONS:
        return VCardSource.open(path, encoding)
    if extension in EXCEL_EXTENSIONS and head.removeprefix(codecs.BOM_UTF8).lstrip().startswith(b"<"):
        # Web portals and old accounting systems export HTML or XML and call it .xls.
        raise ImportFileError(
            _(
                "The Excel file cannot be read: it is a web page or an XML document renamed to %(extension)s. "
                "Open it in Excel and save it as an Excel workbook (.xlsx)."
            )
            % {"extension": extension},
            "format",
        )
    return CsvSource.open(path, encoding)


# --- whole-file checks -------------------------------------------------------------------


def _check_size(path: Path, max_bytes: int) -> None:
    """Refuse a file over the limit using its size on disk, before reading it."""
    check_size(path.stat().st_size, max_bytes)


def check_size(size: int, max_bytes: int) -> None:
    """Refuse a file of `size` bytes over the limit (also usable before an upload is stored)."""
    if size > max_bytes:
        raise ImportFileError(
            _("The file is %(size)s MB, more than the limit of %(limit)s MB. Split it into smaller files.")
            % {"size": _megabytes(size, round_up=True), "limit": _megabytes(max_bytes)},
            "too_large",
        )


def _megabytes(size: int, *, round_up: bool = False) -> str:
    """Human size in MB: "100", "1.5", or two significant digits below 1 MB.

    `round_up` is for the file's size, so a file just over a 100 MB limit reads "100.1", not "100".
    """
    value = size / (1024 * 1024)
    if value >= 1:
        if round_up:
            value = math.ceil(value * 10) / 10
        return f"{value:.1f}".removesuffix(".0")
    return f"{value:.2g}"


def _read_head(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(HEAD_BYTES)


def _is_blank(path: Path, head: bytes) -> bool:
    """True when the file holds nothing but whitespace (and maybe a UTF-8 BOM)."""
    if head.removeprefix(codecs.BOM_UTF8).strip():
        return False
    with path.open("rb") as file:
        file.seek(len(head))
        while chunk := file.read(CHUNK_BYTES):
            if chunk.strip():
                return False
    return True


def _check_text(head: bytes, filename: str) -> None:
    """Refuse content that is not text in one of the supported encodings."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and b"\x00" in head:
        # Excel's "Unicode text" export; it would otherwise be reported as binary. The NUL
        # test keeps a Windows-1251 file starting with "яю" (the same two bytes) readable.
        raise ImportFileError(
            _("The file is in UTF-16 encoding, which is not supported. Save it as “CSV UTF-8” and upload it again."),
            "encoding",
        )
    if b"\x00" in head:
        raise ImportFileError(
            _(
                "The file “%(name)s” is not a table: it contains binary data. "
                "Upload a CSV, Excel (.xlsx, .xls) or vCard (.vcf) file."
            )
            % {"name": filename},
            "binary",
        )


def _looks_like_vcard(head: bytes) -> bool:
    return head.removeprefix(codecs.BOM_UTF8).lstrip()[: len(VCARD_MAGIC)].lower() == VCARD_MAGIC


def _detect_encoding(path: Path, head: bytes) -> str:
    """Return "utf-8-sig", "utf-8" or "cp1251" after decoding the whole file in chunks.

    Windows-1251 maps every byte except 0x98, so it is the fallback; a file that
    fails even there, or that has a UTF-8 BOM and invalid UTF-8, is refused.
    """
    if head.startswith(codecs.BOM_UTF8):
        bad_line = _first_bad_line(path, "utf-8")
        if bad_line is not None:
            raise ImportFileError(
                _(
                    "The file cannot be read: it is marked as UTF-8, but line %(line)d contains bytes that are "
                    "not UTF-8. Save the file in UTF-8 and upload it again."
                )
                % {"line": bad_line},
                "encoding",
            )
        return "utf-8-sig"
    if _first_bad_line(path, "utf-8") is None:
        return "utf-8"
    bad_line = _first_bad_line(path, "cp1251")
    if bad_line is not None:
        raise ImportFileError(
            _(
                "The file cannot be read: line %(line)d contains bytes that are neither UTF-8 nor Windows-1251. "
                "Save the file in UTF-8 and upload it again."
            )
            % {"line": bad_line},
            "encoding",
        )
    return "cp1251"


def _first_bad_line(path: Path, encoding: str) -> int | None:
    """1-based line of the first byte `encoding` cannot decode, or None if the file decodes.

    Uses an incremental decoder so only one chunk is in memory at a time.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    newlines = 0
    with path.open("rb") as file:
        while True:
            chunk = file.read(CHUNK_BYTES)
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                offset = max(error.start - pending, 0)
                return newlines + chunk[:offset].count(b"\n") + 1
            if not chunk:
                return None
            newlines += chunk.count(b"\n")


# --- shared table logic (CSV and Excel) -------------------------------------------------


def _is_empty(cells: list[str]) -> bool:
    return not any(cells)


def _content_length(cells: list[str]) -> int:
    """Number of cells up to the last non-empty one (trailing empty cells do not count)."""
    length = len(cells)
    while length and not cells[length - 1]:
        length -= 1
    return length


def _normalize_headers(cells: list[str]) -> list[str]:
    """Column titles: trailing empty cells dropped, empty titles → "column_N", duplicates → "X (2)".

    Trailing empty cells are dropped because Excel and trailing delimiters pad the
    header with columns nobody titled; data found there is reported per row.
    """
    names = [cell or f"column_{index}" for index, cell in enumerate(cells[: _content_length(cells)], start=1)]
    seen: set[str] = set()
    unique: list[str] = []
    for name in names:
        candidate, copy = name, 1
        while candidate in seen:
            copy += 1
            candidate = f"{name} ({copy})"
        seen.add(candidate)
        unique.append(candidate)
    return unique


def _shape_row(number: int, cells: list[str], width: int) -> Row:
    """Fit a record to the header: pad short ones; cut long ones and say so in `problem`.

    A record is "long" only when a non-empty cell lies beyond the header, so trailing
    delimiters do not raise false alarms.
    """
    values = cells[:width] + [""] * max(width - len(cells), 0)
    got = _content_length(cells)
    problem = ""
    if got > width:
        problem = _("Row %(row)d: %(got)d cells, the header has %(expected)d.") % {
            "row": number,
            "got": got,
            "expected": width,
        }
    return Row(number=number, values=values, problem=problem)


def _number_records(records: Iterable[list[str]], width: int, start: int) -> Iterator[Row]:
    """Number the non-empty records from 1 and yield those after `start` as Rows."""
    number = 0
    for cells in records:
        if _is_empty(cells):
            continue
        number += 1
        if number > start:
            yield _shape_row(number, cells, width)


def _count_records(records: Iterable[list[str]]) -> int:
    return sum(1 for cells in records if not _is_empty(cells))


class _TableBase:
    """Common `rows`/`count` for sources whose data rows are records after a header."""

    format: str
    headers: list[str]
    encoding: str | None = None
    delimiter: str | None = None

    def __init__(self) -> None:
        self._count: int | None = None

    def _records(self) -> Iterator[list[str]]:
        """Stripped cells of every record after the header row, empty ones included."""
        raise NotImplementedError

    def rows(self, start: int = 0) -> Iterator[Row]:
        """Data rows with number > start; re-reads the file, so it is safe to call again."""
        if start < 0:
            raise ValueError("start must be >= 0")
        return _number_records(self._records(), len(self.headers), start)

    def count(self) -> int:
        """Number of data rows; computed on first call by reading the file, then cached."""
        if self._count is None:
            self._count = _count_records(self._records())
        return self._count


# --- CSV --------------------------------------------------------------------------------


class CsvSource(_TableBase):
    """A delimited text file; `rows` re-opens it and streams records with the csv module."""

    format = "csv"

    def __init__(self, path: Path, encoding: str, delimiter: str, headers: list[str]) -> None:
        super().__init__()
        self.path = path
        self.encoding = encoding
        self.delimiter = delimiter
        self.headers = headers
        self._encoding = encoding  # non-optional copies for the reader
        self._delimiter = delimiter

    @classmethod
    def open(cls, path: Path, encoding: str) -> CsvSource:
        """Detect the delimiter and read the header (first non-empty record)."""
        delimiter = _detect_delimiter(_read_sample(path, encoding))
        with closing(_csv_records(path, encoding, delimiter)) as records:
            for cells in records:
                if not _is_empty(cells):
                    return cls(path, encoding, delimiter, _normalize_headers(cells))
        raise ImportFileError(
            _("The file has no header row: all its lines are empty. The first line must contain column titles."),
            "no_header",
        )

    def _records(self) -> Iterator[list[str]]:
        records = _csv_records(self.path, self._encoding, self._delimiter)
        for cells in records:
            if not _is_empty(cells):
                break  # the header
        yield from records


def _csv_records(path: Path, encoding: str, delimiter: str) -> Generator[list[str], None, None]:
    """Every record of the file as stripped cells; blank lines come out as [].

    csv errors (a value over the csv field limit, usually an unclosed quote) become
    ImportFileError("format") naming the line.
    """
    with path.open(encoding=encoding, newline="") as file:
        reader = csv.reader(file, delimiter=delimiter)
        try:
            for record in reader:
                yield [cell.strip() for cell in record]
        except csv.Error as error:
            raise ImportFileError(_csv_error_message(error, reader.line_num), "format") from error
        except UnicodeDecodeError as error:  # only if the file changed after open_table
            raise ImportFileError(
                _("The file cannot be read: line %(line)d is not in the file's encoding.") % {"line": reader.line_num},
                "encoding",
            ) from error


def _csv_error_message(error: csv.Error, line: int) -> str:
    if "field larger than field limit" in str(error):
        return _(
            "The file cannot be read: a value ending at line %(line)d is longer than %(limit)d characters. "
            'Probably a quotation mark (") is not closed.'
        ) % {"line": line, "limit": csv.field_size_limit()}
    return _("The file cannot be read at line %(line)d: %(reason)s.") % {
        "line": line,
        "reason": str(error).rstrip("."),
    }


def _read_sample(path: Path, encoding: str) -> str:
    """The first SAMPLE_CHARS characters, cut after the last complete line if the file is longer."""
    with path.open(encoding=encoding, newline="") as file:
        sample = file.read(SAMPLE_CHARS)
        more = bool(file.read(1))
    if more:
        cut = max(sample.rfind("\n"), sample.rfind("\r"))
        if cut > 0:
            sample = sample[: cut + 1]
    return sample


def _detect_delimiter(sample: str) -> str:
    """Choose among ";", "," and tab.

    The best candidate splits the header into more than one column and gives the most
    records (of the first SNIFF_RECORDS) the header's width. csv.Sniffer, restricted to the
    candidates, only breaks ties: it is easily fooled by delimiters inside values, while
    column-count consistency is what matters for reading the table. Remaining ties go
    to ";", then ",", then tab.
    """
    sniffed = _sniff(sample)
    best, best_key = CSV_DELIMITERS[0], (False, -1, False, 0)
    for order, delimiter in enumerate(CSV_DELIMITERS):
        width, consistent = _column_consistency(sample, delimiter)
        key = (width > 1, consistent, delimiter == sniffed, -order)
        if key > best_key:
            best, best_key = delimiter, key
    return best


def _sniff(sample: str) -> str | None:
    lines = sample.splitlines(keepends=True)[:SNIFF_RECORDS]
    try:
        return csv.Sniffer().sniff("".join(lines), delimiters="".join(CSV_DELIMITERS)).delimiter
    except csv.Error:
        return None


def _column_consistency(sample: str, delimiter: str) -> tuple[int, int]:
    """(header width, how many of the first records have exactly that width) for `delimiter`.

    Blank lines are ignored. The header is the first record with text; records made only
    of delimiters (";;;") still count, so a file of nothing but ";" is split by ";" and
    then reported as having no header, instead of being read as one column of ";;;".
    """
    records: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
            if len(record) > 1 or (record and record[0].strip()):
                records.append(record)
            if len(records) >= SNIFF_RECORDS:
                break
    except csv.Error:
        return 0, 0
    if not records:
        return 0, 0
    header = next((record for record in records if any(cell.strip() for cell in record)), records[0])
    width = len(header)
    return width, sum(1 for record in records if len(record) == width)


# --- Excel ------------------------------------------------------------------------------


def _excel_error(reason: str) -> ImportFileError:
    return ImportFileError(
        _("The Excel file cannot be read: %(reason)s") % {"reason": reason.strip().rstrip(".") + "."},
        "format",
    )


def _password_error() -> ImportFileError:
    return ImportFileError(
        _(
            "The Excel file cannot be read: it is protected with a password. "
            "Remove the password in Excel and upload the file again."
        ),
        "format",
    )


def _empty_sheet_error() -> ImportFileError:
    return ImportFileError(
        _("The first sheet of the workbook is empty. Put the client list on the first sheet and upload it again."),
        "empty",
    )


def excel_value(value: Any) -> str:
    """An Excel cell as text: integral numbers without ".0", dates in ISO, booleans as 1/0.

    Non-integral floats keep Excel's 15 significant digits and never use exponent
    notation, so 0.1 + 0.2 reads "0.3" like in Excel, not "0.30000000000000004".
    """
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value).strip()


def _float_text(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    if value.is_integer():
        return str(int(value))
    text = f"{value:.15g}"
    if "e" in text:
        text = format(Decimal(text), "f")
    return text


class XlsxSource(_TableBase):
    """The first worksheet of an .xlsx workbook, streamed with openpyxl in read-only mode."""

    format = "xlsx"

    def __init__(self, path: Path, headers: list[str], header_row: int) -> None:
        super().__init__()
        self.path = path
        self.headers = headers
        self._header_row = header_row

    @classmethod
    def open(cls, path: Path) -> XlsxSource:
        """Check the archive holds a workbook and read the header (first non-empty row)."""
        _check_xlsx_archive(path)
        with closing(_xlsx_records(path, min_row=1)) as records:
            for row_number, cells in records:
                if not _is_empty(cells):
                    return cls(path, _normalize_headers(cells), row_number)
        raise _empty_sheet_error()

    def _records(self) -> Iterator[list[str]]:
        for _row_number, cells in _xlsx_records(self.path, min_row=self._header_row + 1):
            yield cells


def _check_xlsx_archive(path: Path) -> None:
    """Tell a damaged ZIP, or a ZIP that is not an Excel workbook (.ods, .docx), from an xlsx."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _excel_error(_("the file is damaged (it is not a complete ZIP archive)")) from error
    if "xl/workbook.xml" not in names:
        raise _excel_error(
            _(
                "it is a ZIP archive without an Excel workbook inside. A LibreOffice (.ods) or Numbers "
                "file must first be saved as .xlsx"
            )
        )


def _xlsx_records(path: Path, min_row: int) -> Generator[tuple[int, list[str]], None, None]:
    """(sheet row number, stripped cells) for rows from `min_row` of the first worksheet.

    The workbook is opened from a file object because openpyxl refuses paths whose
    extension is not .xlsx, and uploads are stored under arbitrary names. Dimensions
    are reset because some generators write wrong ones, which would truncate rows.
    """
    with path.open("rb") as file:
        try:
            workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many types on damaged files
            raise _excel_error(str(error) or type(error).__name__) from error
        try:
            if not workbook.worksheets:
                raise _empty_sheet_error()
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()
            try:
                for row_number, row in enumerate(sheet.iter_rows(min_row=min_row, values_only=True), start=min_row):
                    yield row_number, [excel_value(value) for value in row]
            except Exception as error:  # damaged sheet XML or compressed data, found while streaming
                raise _excel_error(str(error) or type(error).__name__) from error
        finally:
            workbook.close()


class XlsSource(_TableBase):
    """The first sheet of a legacy .xls workbook, read with xlrd."""

    format = "xls"

    def __init__(self, path: Path, headers: list[str], header_row: int) -> None:
        super().__init__()
        self.path = path
        self.headers = headers
        self._header_row = header_row

    @classmethod
    def open(cls, path: Path) -> XlsSource:
        """Read the header (first non-empty row); refuse damaged or encrypted workbooks."""
        with closing(_xls_records(path, start_row=0)) as records:
            for row_index, cells in records:
                if not _is_empty(cells):
                    return cls(path, _normalize_headers(cells), row_index)
        raise _empty_sheet_error()

    def _records(self) -> Iterator[list[str]]:
        for _row_index, cells in _xls_records(self.path, start_row=self._header_row + 1):
            yield cells


def _xls_records(path: Path, start_row: int) -> Generator[tuple[int, list[str]], None, None]:
    """(0-based row index, stripped cells) for rows from `start_row` of the first sheet."""
    book = _open_xls(path)
    try:
        if book.nsheets == 0:
            raise _empty_sheet_error()
        sheet = book.sheet_by_index(0)
        for row_index in range(start_row, sheet.nrows):
            yield row_index, [_xls_value(cell, book.datemode) for cell in sheet.row(row_index)]
    finally:
        book.release_resources()


def _open_xls(path: Path) -> xlrd.book.Book:
    try:
        # xlrd logs warnings to stdout by default; keep them out of the job's output.
        return xlrd.open_workbook(str(path), on_demand=True, logfile=io.StringIO())
    except Exception as error:  # xlrd raises XLRDError, CompDocError, struct.error... on damage
        if "encrypted" in str(error).lower() or _is_encrypted_ooxml(path):
            raise _password_error() from error
        raise _excel_error(str(error) or type(error).__name__) from error


def _is_encrypted_ooxml(path: Path) -> bool:
    """A password-protected .xlsx is an OLE2 file holding an "EncryptedPackage" stream."""
    try:
        document = xlrd.compdoc.CompDoc(path.read_bytes(), logfile=io.StringIO())
    except Exception:  # not even a readable OLE2 file, so not encrypted OOXML either
        return False
    return any(entry.name == "EncryptedPackage" for entry in document.dirlist)


def _xls_value(cell: xlrd.sheet.Cell, datemode: int) -> str:
    """An xlrd cell as text, with the same rules as `excel_value`."""
    kind = cell.ctype
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if kind == xlrd.XL_CELL_BOOLEAN:
        return "1" if cell.value else "0"
    if kind == xlrd.XL_CELL_ERROR:
        return str(xlrd.error_text_from_code.get(cell.value, ""))
    if kind == xlrd.XL_CELL_DATE:
        try:
            moment = xlrd.xldate_as_datetime(cell.value, datemode)
            # A serial below 1 is a time of day without a date, as openpyxl reports it.
            return excel_value(moment.time() if 0 <= cell.value < 1 else moment)
        except (xlrd.xldate.XLDateError, ValueError, OverflowError):
            return _float_text(float(cell.value))  # not a representable date: keep the number
    return excel_value(cell.value)


# --- vCard ------------------------------------------------------------------------------

_BEGIN_LINE = re.compile(r"\s*begin\s*:\s*vcard\s*", re.IGNORECASE)
_END_LINE = re.compile(r"\s*end\s*:\s*vcard\s*", re.IGNORECASE)
_PROPERTY_NAME = re.compile(r"(?:[^.;:]*\.)?([^.;:]*)")
# Binary payloads the import never uses; their base64 is the usual reason vobject fails.
_SKIPPED_PROPERTIES = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})
# Bare vCard 2.1 parameters that are not telephone types.
_NON_TYPE_PARAMS = frozenset({"quoted-printable", "base64", "b", "7bit", "8bit"})


@dataclass
class _CardBlock:
    """The raw lines of one BEGIN:VCARD … END:VCARD block, with their file line numbers."""

    number: int
    lines: list[tuple[int, str]] = field(default_factory=list)
    error: str = ""


class VCardSource:
    """A vCard file; each card is a Row with the VCARD_HEADERS columns.

    `rows` re-reads the file and keeps one card in memory at a time.
    """

    format = "vcard"
    encoding: str | None = None
    delimiter: str | None = None

    def __init__(self, path: Path, text_encoding: str) -> None:
        self.path = path
        self.headers = list(VCARD_HEADERS)
        self._text_encoding = text_encoding
        self._count: int | None = None

    @classmethod
    def open(cls, path: Path, text_encoding: str) -> VCardSource:
        """Refuse the file (code "broken_vcard") unless at least one card can be read."""
        source = cls(path, text_encoding)
        first_problem = ""
        cards = 0
        with closing(source._card_rows(start=0)) as rows:
            for row in rows:
                if not row.problem:
                    return source
                cards += 1
                first_problem = first_problem or row.problem
        if cards == 0:
            raise ImportFileError(
                _("The vCard file cannot be read: it contains no cards (no BEGIN:VCARD line)."), "broken_vcard"
            )
        raise ImportFileError(
            _("None of the cards in the file can be read (%(count)d in total). %(problem)s")
            % {"count": cards, "problem": first_problem},
            "broken_vcard",
        )

    def rows(self, start: int = 0) -> Iterator[Row]:
        """Cards with number > start; broken cards come as Rows with empty values and a problem."""
        if start < 0:
            raise ValueError("start must be >= 0")
        return self._card_rows(start)

    def _card_rows(self, start: int) -> Generator[Row, None, None]:
        for block in _card_blocks(self.path, self._text_encoding):
            if block.number > start:
                yield _card_row(block)

    def count(self) -> int:
        """Number of cards, readable or not (cheap: cards are delimited, not parsed)."""
        if self._count is None:
            self._count = sum(1 for _block in _card_blocks(self.path, self._text_encoding))
        return self._count


def _card_blocks(path: Path, encoding: str) -> Iterator[_CardBlock]:
    """Split the file into cards. Text outside cards is ignored.

    A BEGIN:VCARD inside an open card starts a new card and marks the open one broken,
    so one missing END:VCARD costs one card, not the rest of the file.
    """
    current: _CardBlock | None = None
    number = 0
    with path.open(encoding=encoding) as file:  # universal newlines: CRLF, LF and CR files
        for line_number, raw_line in enumerate(file, start=1):
            line = raw_line.rstrip("\n")
            if _BEGIN_LINE.fullmatch(line):
                if current is not None:
                    current.error = _("it has no END:VCARD line before the next card.")
                    yield current
                number += 1
                current = _CardBlock(number=number, lines=[(line_number, "BEGIN:VCARD")])
            elif current is not None:
                if _END_LINE.fullmatch(line):
                    current.lines.append((line_number, "END:VCARD"))
                    yield current
                    current = None
                else:
                    current.lines.append((line_number, line))
    if current is not None:
        current.error = _("the file ends before its END:VCARD line.")
        yield current


def _card_row(block: _CardBlock) -> Row:
    """Parse one card into a Row; any failure becomes the Row's problem."""
    reason = block.error
    if not reason:
        try:
            card = _parse_card(block)
            return Row(number=block.number, values=_card_values(card))
        except _CardError as error:
            reason = str(error)
    return Row(
        number=block.number,
        values=[""] * len(VCARD_HEADERS),
        problem=_("Card %(card)d cannot be read: %(reason)s") % {"card": block.number, "reason": reason},
    )


class _CardError(Exception):
    """Why a card cannot be read, as a translated sentence fragment."""


def _parse_card(block: _CardBlock) -> vobject.base.Component:
    """Unfold, decode quoted-printable and give the card to vobject.

    Each line is checked with vobject's own line parser first: vobject's reported line
    numbers are unreliable, and the user needs the real line in the file.
    """
    lines: list[str] = []
    for line_number, text in _logical_lines(block.lines):
        try:
            vobject.base.parseLine(text)
        except vobject.base.ParseError as error:
            shown = text if len(text) <= 60 else text[:57] + "..."
            raise _CardError(
                _("line %(line)d is not a valid vCard line: “%(text)s”.") % {"line": line_number, "text": shown}
            ) from error
        if _property_name(text) not in _SKIPPED_PROPERTIES:
            lines.append(_decode_quoted_printable(text) if _is_quoted_printable(text) else text)
    try:
        return vobject.readOne("\r\n".join(lines) + "\r\n")
    except Exception as error:  # vobject raises assorted types on odd values
        raise _CardError(str(error).strip().rstrip(".") + ".") from error


def _logical_lines(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Join folded lines (leading space/tab) and quoted-printable soft breaks (trailing "=").

    vobject only joins soft breaks when told vCard 2.1 QP is allowed and then decodes QP
    case-sensitively; joining here lets `_decode_quoted_printable` handle every variant.
    """
    result: list[tuple[int, str]] = []
    soft_break = False
    for line_number, line in lines:
        if not line.strip():
            soft_break = False  # a blank line ends a value (vCard 2.1 base64 blocks)
            continue
        if soft_break:
            start, text = result[-1]
            result[-1] = (start, text[:-1] + line)
        elif line[0] in " \t" and result:
            start, text = result[-1]
            result[-1] = (start, text + line[1:])
        else:
            result.append((line_number, line))
        text = result[-1][1]
        soft_break = text.endswith("=") and _is_quoted_printable(text)
    return result


def _property_name(line: str) -> str:
    match = _PROPERTY_NAME.match(line)
    return match.group(1).strip().upper() if match else ""


def _is_quoted_printable(line: str) -> bool:
    return "quoted-printable" in line.partition(":")[0].lower()


def _decode_quoted_printable(line: str) -> str:
    """Rewrite a QP property as plain text: decode the value with its CHARSET, drop ENCODING/CHARSET.

    vobject decodes QP only when the parameter is written in upper case and fails on an
    unknown or wrong CHARSET; phones write all of these. Newlines in the decoded value
    become the vCard "\\n" escape so the property stays on one line.
    """
    head, _colon, value = line.partition(":")
    name, *params = head.split(";")
    charset = ""
    kept: list[str] = []
    for param in params:
        key, equals, param_value = param.partition("=")
        key = key.strip().upper()
        if key == "QUOTED-PRINTABLE" or (key == "ENCODING" and param_value.strip().upper() == "QUOTED-PRINTABLE"):
            continue
        if equals and key == "CHARSET":
            charset = param_value.strip().strip('"')
            continue
        kept.append(param)
    text = _decode_bytes(quopri.decodestring(value.encode("utf-8")), charset)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return ";".join([name, *kept]) + ":" + text


def _decode_bytes(data: bytes, charset: str) -> str:
    """Decode with the declared charset, else UTF-8, else Windows-1251 (what Russian phones use)."""
    for encoding in (charset, "utf-8", "cp1251"):
        if not encoding:
            continue
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", errors="replace")


def _card_values(card: vobject.base.Component) -> list[str]:
    """Map a parsed card onto VCARD_HEADERS."""
    values = dict.fromkeys(VCARD_HEADERS, "")
    values.update(_name_values(card))
    values["organization"] = _first_component(_first_value(card, "org"))
    values["title"] = _text(_first_value(card, "title"))
    for index, line in enumerate(card.contents.get("tel", [])[:MAX_PHONES], start=1):
        values[f"phone_{index}"] = _strip_scheme(_text(line.value), "tel:")
        values[f"phone_{index}_type"] = _tel_types(line)
    for index, line in enumerate(card.contents.get("email", [])[:MAX_EMAILS], start=1):
        values[f"email_{index}"] = _strip_scheme(_text(line.value), "mailto:")
    values.update(_address_values(_first_value(card, "adr")))
    values["birthday"] = iso_birthday(_text(_first_value(card, "bday")))
    values["website"] = _text(_first_value(card, "url"))
    values["note"] = _text(_first_value(card, "note"))
    return [values[name] for name in VCARD_HEADERS]


def _first_value(card: vobject.base.Component, name: str) -> Any:
    lines = card.contents.get(name)
    return lines[0].value if lines else None


def _text(value: Any, separator: str = " ") -> str:
    """A property value or name component as a stripped string; lists (comma-separated values) are joined."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return separator.join(part for part in (_text(item) for item in value) if part)
    return str(value).strip()


def _strip_scheme(value: str, scheme: str) -> str:
    """vCard 4.0 writes TEL and EMAIL as URIs ("tel:+7-916-…"); the import wants the bare value."""
    return value[len(scheme) :].strip() if value.lower().startswith(scheme) else value


def _name_values(card: vobject.base.Component) -> dict[str, str]:
    """last/first/middle from N; full_name from FN, or from N ("given middle family") when FN is absent."""
    name = _first_value(card, "n")
    if name is None:
        family = given = additional = ""
    elif isinstance(name, vobject.vcard.Name):
        family, given, additional = _text(name.family), _text(name.given), _text(name.additional)
    else:  # no behaviour applied: the raw "family;given;additional;…" text
        family, given, additional, *_rest = [*str(name).split(";"), "", "", ""]
    full_name = _text(_first_value(card, "fn")) or " ".join(part for part in (given, additional, family) if part)
    return {"full_name": full_name, "last_name": family, "first_name": given, "middle_name": additional}


def _first_component(value: Any) -> str:
    """ORG is "organization;unit;…": the organization is the first component."""
    if isinstance(value, list | tuple):
        return _text(value[0]) if value else ""
    return _text(value).split(";")[0].strip()


def _tel_types(line: vobject.base.ContentLine) -> str:
    """TYPE values (3.0 "TYPE=WORK,VOICE", 4.0 'TYPE="work,voice"', 2.1 bare "CELL") lower-case, joined by ","."""
    types: list[str] = []
    raw = [*line.params.get("TYPE", []), *line.singletonparams]
    for item in raw:
        for part in str(item).split(","):
            kind = part.strip().strip('"').lower()
            if kind and kind not in _NON_TYPE_PARAMS and kind not in types:
                types.append(kind)
    return ",".join(types)


def _address_values(address: Any) -> dict[str, str]:
    """The ADR fields the import uses; comma-separated parts are joined with ", "."""
    if address is None:
        return {}
    if not isinstance(address, vobject.vcard.Address):
        parts = [*str(address).split(";"), *[""] * 7]
        address = vobject.vcard.Address(
            box=parts[0],
            extended=parts[1],
            street=parts[2],
            city=parts[3],
            region=parts[4],
            code=parts[5],
            country=parts[6],
        )
    return {
        "street": _text(address.street, ", "),
        "city": _text(address.city, ", "),
        "region": _text(address.region, ", "),
        "postcode": _text(address.code, ", "),
        "country": _text(address.country, ", "),
    }


_BDAY_FULL = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})(?:[T ].*)?")
_BDAY_NO_YEAR = re.compile(r"--\d{2}-?\d{2}(?:[T ].*)?")
_BDAY_RUSSIAN = re.compile(r"(\d{2})\.(\d{2})\.(\d{4})")


def iso_birthday(value: str) -> str:
    """BDAY as "YYYY-MM-DD".

    Accepts 19850412, 1985-04-12 (with or without a time) and 12.04.1985. A birthday
    without a year (--0412) gives "", because a date needs one. Anything else is
    returned unchanged so the importer can report it instead of losing it silently.
    """
    value = value.strip()
    if not value or _BDAY_NO_YEAR.fullmatch(value):
        return ""
    if match := _BDAY_FULL.fullmatch(value):
        year, month, day = match.groups()
    elif match := _BDAY_RUSSIAN.fullmatch(value):
        day, month, year = match.groups()
    else:
        return value
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return value
