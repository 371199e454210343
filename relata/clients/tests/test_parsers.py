"""Tests for the import file parsers (relata.clients.importing.parsers).

No database: files are written to tmp_path and read back. Messages are checked in
English (translation.override) so the tests keep passing once Russian translations exist.
"""

from __future__ import annotations

import csv
import io
import random
import string
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest
import vobject
import xlwt
from django.utils import translation
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from relata.clients.importing.parsers import (
    VCARD_HEADERS,
    ImportFileError,
    Row,
    TableSource,
    excel_value,
    iso_birthday,
    open_table,
)

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def write(tmp_path: Path, name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode(encoding) if isinstance(data, str) else data)
    return path


def table(source: TableSource, start: int = 0) -> list[list[str]]:
    return [row.values for row in source.rows(start)]


def open_error(path: Path, filename: str | None = None, **kwargs: int) -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        open_table(path, filename or path.name, **kwargs)
    return caught.value


def assert_sentence(message: str) -> None:
    """A message shown to users: one or more complete sentences."""
    assert message[:1].isupper(), message
    assert message.endswith("."), message
    assert len(message.split()) >= 4, message


# --- CSV: encodings and delimiters ------------------------------------------------------

RUSSIAN_CSV = "Название;ИНН;Телефон\r\nООО «Ромашка»;7707083893;+7 495 123-45-67\r\nИП Ёлкин;500100732259;\r\n"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1251"])
def test_csv_encodings_give_proper_cyrillic(tmp_path: Path, encoding: str) -> None:
    source = open_table(write(tmp_path, "clients.csv", RUSSIAN_CSV, encoding), "clients.csv")

    assert source.format == "csv"
    assert source.encoding == encoding
    assert source.delimiter == ";"
    assert source.headers == ["Название", "ИНН", "Телефон"]
    assert table(source) == [
        ["ООО «Ромашка»", "7707083893", "+7 495 123-45-67"],
        ["ИП Ёлкин", "500100732259", ""],
    ]
    assert source.count() == 2


def test_ascii_only_file_is_utf8(tmp_path: Path) -> None:
    source = open_table(write(tmp_path, "c.csv", "name,phone\nAcme,123\n"), "c.csv")
    assert source.encoding == "utf-8"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_each_delimiter_is_detected(tmp_path: Path, delimiter: str) -> None:
    lines = [["Название", "ИНН", "Email"], ["Ромашка", "7707083893", "info@romashka.ru"], ["Лютик", "", "a@b.ru"]]
    text = "\n".join(delimiter.join(line) for line in lines) + "\n"

    source = open_table(write(tmp_path, "clients.csv", text), "clients.csv")

    assert source.delimiter == delimiter
    assert source.headers == lines[0]
    assert table(source) == lines[1:]


def test_semicolon_file_with_commas_in_values(tmp_path: Path) -> None:
    text = "Название;Адрес;Телефон\nРомашка;г. Москва, ул. Ленина, д. 1;+7 495 1\nЛютик;г. Тула, ул. Мира, 5;+7 487 2\n"
    source = open_table(write(tmp_path, "c.csv", text), "c.csv")
    assert source.delimiter == ";"
    assert table(source)[0] == ["Ромашка", "г. Москва, ул. Ленина, д. 1", "+7 495 1"]


def test_comma_file_with_semicolons_in_quoted_values(tmp_path: Path) -> None:
    text = 'name,note,phone\nAcme,"a;b;c;d",1\nBeta,"x;y",2\n'
    source = open_table(write(tmp_path, "c.csv", text), "c.csv")
    assert source.delimiter == ","
    assert table(source) == [["Acme", "a;b;c;d", "1"], ["Beta", "x;y", "2"]]


def test_single_column_file(tmp_path: Path) -> None:
    source = open_table(write(tmp_path, "c.csv", "Название\nРомашка\nЛютик, ООО\n"), "c.csv")
    assert source.headers == ["Название"]
    assert table(source) == [["Ромашка"], ["Лютик, ООО"]]


def test_quoted_fields_with_delimiter_quotes_and_newlines(tmp_path: Path) -> None:
    text = (
        "Название;Адрес;Комментарий\r\n"
        '"ООО ""Ромашка""";"г. Москва; ул. Ленина, 1";"строка 1\r\nстрока 2"\r\n'
        'Лютик;"";"""в кавычках"""\r\n'
    )
    source = open_table(write(tmp_path, "c.csv", text), "c.csv")

    assert source.delimiter == ";"
    assert table(source) == [
        ['ООО "Ромашка"', "г. Москва; ул. Ленина, 1", "строка 1\r\nстрока 2"],
        ["Лютик", "", '"в кавычках"'],
    ]
    assert source.count() == 2


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings(tmp_path: Path, newline: str) -> None:
    text = newline.join(["a;b", "1;2", "3;4"]) + newline
    source = open_table(write(tmp_path, "c.csv", text), "c.csv")
    assert table(source) == [["1", "2"], ["3", "4"]]


def test_values_and_headers_are_stripped(tmp_path: Path) -> None:
    source = open_table(write(tmp_path, "c.csv", "  Имя ; Телефон\t\n  Иван  ;\u00a0+7 916\u00a0\n"), "c.csv")
    assert source.headers == ["Имя", "Телефон"]
    assert table(source) == [["Иван", "+7 916"]]


# --- CSV: shape of rows -----------------------------------------------------------------


def test_ragged_rows_short_padded_long_reported(tmp_path: Path) -> None:
    text = "Имя;Телефон;Email\nИван;+7 916\nПётр;+7 917;p@x.ru;лишнее;ещё\nОля;1;o@x.ru;\n"
    source = open_table(write(tmp_path, "c.csv", text), "c.csv")

    rows = list(source.rows())

    assert rows[0] == Row(number=1, values=["Иван", "+7 916", ""])
    assert rows[1].values == ["Пётр", "+7 917", "p@x.ru"]
    assert rows[1].problem == "Row 2: 5 cells, the header has 3."
    # A trailing delimiter adds an empty cell, not data: no problem.
    assert rows[2] == Row(number=3, values=["Оля", "1", "o@x.ru"])


def test_empty_lines_are_skipped_and_not_numbered(tmp_path: Path) -> None:
    text = "\n\n;;\nИмя;Телефон\n\nИван;1\n;\n   \n\nПётр;2\n\n"
    source = open_table(write(tmp_path, "c.csv", text), "c.csv")

    assert source.headers == ["Имя", "Телефон"]
    assert [(row.number, row.values) for row in source.rows()] == [(1, ["Иван", "1"]), (2, ["Пётр", "2"])]
    assert source.count() == 2


def test_duplicate_and_empty_header_names(tmp_path: Path) -> None:
    text = "Телефон;;Телефон;Email; ;Телефон;Телефон (2)\n1;2;3;4;5;6;7\n"
    source = open_table(write(tmp_path, "c.csv", text), "c.csv")
    assert source.headers == [
        "Телефон",
        "column_2",
        "Телефон (2)",
        "Email",
        "column_5",
        "Телефон (3)",
        "Телефон (2) (2)",
    ]
    assert table(source) == [["1", "2", "3", "4", "5", "6", "7"]]


def test_trailing_empty_header_cells_are_not_columns(tmp_path: Path) -> None:
    source = open_table(write(tmp_path, "c.csv", "Имя;Телефон;;\nИван;1;;\n"), "c.csv")
    assert source.headers == ["Имя", "Телефон"]
    assert list(source.rows()) == [Row(number=1, values=["Иван", "1"])]


def test_rows_resume_exactly_after_start(tmp_path: Path) -> None:
    lines = ["Имя;Номер"] + [f"Клиент {n};{n}" for n in range(1, 11)]
    lines.insert(4, "")  # an empty line in the middle must not shift numbering
    source = open_table(write(tmp_path, "c.csv", "\n".join(lines)), "c.csv")

    assert source.count() == 10
    for start in range(12):
        rows = list(source.rows(start))
        assert [row.number for row in rows] == list(range(start + 1, 11))
        assert [row.values for row in rows] == [[f"Клиент {n}", str(n)] for n in range(start + 1, 11)]
    assert table(source) == table(source)  # callable many times


@pytest.mark.parametrize(
    ("name", "maker"),
    [
        ("c.csv", lambda path: path.write_text("a;b\n1;2\n3;4\n")),
        ("c.xlsx", lambda path: make_xlsx(path)),
        ("c.xls", lambda path: make_xls(path)),
        ("c.vcf", lambda path: path.write_text(VCARD_40)),
    ],
)
def test_every_source_is_a_table_source(tmp_path: Path, name: str, maker: object) -> None:
    maker(tmp_path / name)  # type: ignore[operator]
    source = open_table(tmp_path / name, name)
    assert isinstance(source, TableSource)
    assert source.count() == len(list(source.rows())) == 2
    with pytest.raises(ValueError):
        source.rows(start=-1)


def test_header_only_is_not_an_error(tmp_path: Path) -> None:
    source = open_table(write(tmp_path, "c.csv", "Название;ИНН;Телефон\r\n\r\n"), "c.csv")
    assert source.headers == ["Название", "ИНН", "Телефон"]
    assert source.count() == 0
    assert list(source.rows()) == []


def test_unclosed_quote_is_reported_as_format_error(tmp_path: Path) -> None:
    text = 'a;b\n1;"never closed\n' + ("x;y\n" * 40_000)
    source = open_table(write(tmp_path, "c.csv", text), "c.csv")
    with pytest.raises(ImportFileError) as caught:
        list(source.rows())
    assert caught.value.code == "format"
    assert "quotation mark" in caught.value.message
    assert_sentence(caught.value.message)


# --- whole-file errors ------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"   \r\n\t\n  ", b"\xef\xbb\xbf\n\n"], ids=["empty", "whitespace", "bom"])
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    error = open_error(write(tmp_path, "clients.csv", data))
    assert error.code == "empty"
    assert_sentence(error.message)


def test_only_delimiters_has_no_header(tmp_path: Path) -> None:
    error = open_error(write(tmp_path, "clients.csv", ";;;\n;;\n"))
    assert error.code == "no_header"
    assert_sentence(error.message)


@pytest.mark.parametrize(
    "data",
    [PNG_BYTES, bytes(random.Random(7).randrange(256) for _ in range(4000)) + b"\x00"],
    ids=["png", "random"],
)
def test_binary_file_renamed_csv(tmp_path: Path, data: bytes) -> None:
    error = open_error(write(tmp_path, "clients.csv", data))
    assert error.code == "binary"
    assert "clients.csv" in error.message
    assert_sentence(error.message)


def test_utf16_file_gets_an_encoding_hint(tmp_path: Path) -> None:
    error = open_error(write(tmp_path, "clients.csv", "Имя\tТелефон\r\nИван\t1\r\n", "utf-16"))
    assert error.code == "encoding"
    assert "UTF-16" in error.message


def test_file_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    error = open_error(write(tmp_path, "clients.csv", b"a;b\n" * 500), max_bytes=1000)
    assert error.code == "too_large"
    assert "MB" in error.message
    assert_sentence(error.message)


def test_file_at_the_limit_is_accepted(tmp_path: Path) -> None:
    source = open_table(write(tmp_path, "c.csv", b"a;b\n" * 250), "c.csv", max_bytes=1000)
    assert source.count() == 249


def test_bom_file_with_invalid_utf8(tmp_path: Path) -> None:
    error = open_error(write(tmp_path, "c.csv", b"\xef\xbb\xbfname;phone\nIvan;1\n\xd0\xd0;2\n"))
    assert error.code == "encoding"
    assert "line 3" in error.message
    assert_sentence(error.message)


def test_bytes_invalid_in_utf8_and_cp1251(tmp_path: Path) -> None:
    # 0x98 is the one byte Windows-1251 does not map, and it is not valid UTF-8 on its own.
    error = open_error(write(tmp_path, "c.csv", "Имя;Телефон\n".encode("cp1251") + b"\x98;1\n"))
    assert error.code == "encoding"
    assert "line 2" in error.message
    assert_sentence(error.message)


def test_truncated_utf8_is_read_as_cp1251(tmp_path: Path) -> None:
    # Invalid UTF-8 without 0x98 is always readable as Windows-1251.
    source = open_table(write(tmp_path, "c.csv", b"a;b\n\xd0;1\n"), "c.csv")
    assert source.encoding == "cp1251"
    assert table(source) == [["Р", "1"]]


def test_corrupt_xlsx(tmp_path: Path) -> None:
    data = b"PK\x03\x04" + bytes(random.Random(1).randrange(256) for _ in range(3000))
    error = open_error(write(tmp_path, "clients.xlsx", data))
    assert error.code == "format"
    assert error.message.startswith("The Excel file cannot be read: ")
    assert_sentence(error.message)


def test_zip_without_workbook(tmp_path: Path) -> None:
    path = tmp_path / "clients.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    error = open_error(path)
    assert error.code == "format"
    assert ".ods" in error.message
    assert_sentence(error.message)


def test_corrupt_xls(tmp_path: Path) -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(random.Random(2).randrange(256) for _ in range(3000))
    error = open_error(write(tmp_path, "clients.xls", data))
    assert error.code == "format"
    assert error.message.startswith("The Excel file cannot be read: ")
    assert_sentence(error.message)


def test_password_protected_xlsx(tmp_path: Path) -> None:
    # Excel stores an encrypted .xlsx as an OLE2 file with an "EncryptedPackage" stream.
    # Build one by renaming the stream of an xlwt workbook (same directory-entry layout).
    buffer = io.BytesIO()
    workbook = xlwt.Workbook()
    workbook.add_sheet("Лист1").write(0, 0, "x")
    workbook.save(buffer)
    data = bytearray(buffer.getvalue())
    old = "Workbook\x00".encode("utf-16-le")
    new = "EncryptedPackage\x00".encode("utf-16-le")
    at = data.index(old)
    data[at : at + len(new)] = new
    data[at + 64 : at + 66] = len(new).to_bytes(2, "little")  # the entry's name length

    error = open_error(write(tmp_path, "clients.xlsx", bytes(data)))

    assert error.code == "format"
    assert "password" in error.message
    assert_sentence(error.message)


def test_html_disguised_as_xls(tmp_path: Path) -> None:
    error = open_error(write(tmp_path, "report.xls", "<html><body><table><tr><td>Имя</td></tr></table></body></html>"))
    assert error.code == "format"
    assert_sentence(error.message)


def test_text_named_xlsx_is_read_as_csv(tmp_path: Path) -> None:
    source = open_table(write(tmp_path, "clients.xlsx", "Имя;Телефон\nИван;1\n"), "clients.xlsx")
    assert source.format == "csv"


# --- Excel ------------------------------------------------------------------------------

EXCEL_HEADER = ["Название", "ИНН", "Сумма", "Дата", "Создан", "Активен", "Доля"]
EXCEL_ROWS: list[list[object]] = [
    ["  ООО «Ромашка»  ", 7707083893, 1234.5, date(2024, 3, 1), datetime(2024, 3, 1, 13, 45), True, 0.1 + 0.2],
    ["ИП Ёлкин", 500100732259, 42.0, date(1999, 12, 31), datetime(2024, 3, 2), False, None],
]
EXPECTED_EXCEL = [
    ["ООО «Ромашка»", "7707083893", "1234.5", "2024-03-01", "2024-03-01 13:45:00", "1", "0.3"],
    ["ИП Ёлкин", "500100732259", "42", "1999-12-31", "2024-03-02", "0", ""],
]


def make_xlsx(path: Path) -> Path:
    """Header on row 2 (row 1 empty), an empty row between the data rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Клиенты"
    sheet.append([])
    sheet.append(EXCEL_HEADER)
    sheet.append(EXCEL_ROWS[0])
    sheet.append([None, None, None])
    sheet.append(EXCEL_ROWS[1])
    workbook.create_sheet("Второй").append(["не читается"])
    workbook.save(path)
    return path


def make_xls(path: Path) -> Path:
    """The same table as make_xlsx, written by xlwt with date formats."""
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("Клиенты")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    datetime_style = xlwt.easyxf(num_format_str="YYYY-MM-DD HH:MM:SS")
    rows = [EXCEL_HEADER, EXCEL_ROWS[0], [], EXCEL_ROWS[1]]
    for row_index, row in enumerate(rows, start=1):  # row 0 stays empty
        for column, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, datetime):
                sheet.write(row_index, column, value, datetime_style)
            elif isinstance(value, date):
                sheet.write(row_index, column, value, date_style)
            else:
                sheet.write(row_index, column, value)
    workbook.add_sheet("Второй").write(0, 0, "не читается")
    workbook.save(str(path))
    return path


def test_xlsx(tmp_path: Path) -> None:
    source = open_table(make_xlsx(tmp_path / "clients.xlsx"), "clients.xlsx")

    assert (source.format, source.encoding, source.delimiter) == ("xlsx", None, None)
    assert source.headers == EXCEL_HEADER
    assert table(source) == EXPECTED_EXCEL
    assert [row.number for row in source.rows()] == [1, 2]
    assert table(source, start=1) == EXPECTED_EXCEL[1:]
    assert source.count() == 2


def test_xls(tmp_path: Path) -> None:
    source = open_table(make_xls(tmp_path / "clients.xls"), "clients.xls")

    assert (source.format, source.encoding, source.delimiter) == ("xls", None, None)
    assert source.headers == EXCEL_HEADER
    assert table(source) == EXPECTED_EXCEL
    assert table(source, start=1) == EXPECTED_EXCEL[1:]
    assert source.count() == 2


@pytest.mark.parametrize("maker", [make_xlsx, make_xls], ids=["xlsx", "xls"])
def test_excel_format_comes_from_content_not_name(tmp_path: Path, maker: object) -> None:
    path = maker(tmp_path / "upload-3f9a.bin")  # type: ignore[operator]
    assert open_table(path, "clients.csv").headers == EXCEL_HEADER


def test_xlsx_row_wider_than_header(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Имя", "Телефон", None, None])
    sheet.append(["Иван", 79161234567, None, "лишнее"])
    sheet.append(["Пётр", None, None, None])
    workbook.save(tmp_path / "c.xlsx")

    source = open_table(tmp_path / "c.xlsx", "c.xlsx")

    rows = list(source.rows())
    assert source.headers == ["Имя", "Телефон"]
    assert rows[0].values == ["Иван", "79161234567"]
    assert rows[0].problem == "Row 1: 4 cells, the header has 2."
    assert rows[1] == Row(number=2, values=["Пётр", ""])


def test_xlsx_damaged_sheet_is_a_format_error(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    for number in range(300):
        workbook.active.append([f"Клиент {number}", number])
    workbook.save(tmp_path / "good.xlsx")
    with zipfile.ZipFile(tmp_path / "good.xlsx") as good, zipfile.ZipFile(tmp_path / "bad.xlsx", "w") as bad:
        for item in good.infolist():
            data = good.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut in the middle of the rows
            bad.writestr(item, data)

    with pytest.raises(ImportFileError) as caught:
        list(open_table(tmp_path / "bad.xlsx", "bad.xlsx").rows())

    assert caught.value.code == "format"
    assert caught.value.message.startswith("The Excel file cannot be read: ")


def test_xls_time_of_day(tmp_path: Path) -> None:
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Лист1")
    sheet.write(0, 0, "Звонить в")
    sheet.write(1, 0, time(13, 45), xlwt.easyxf(num_format_str="HH:MM"))
    workbook.save(str(tmp_path / "t.xls"))
    assert table(open_table(tmp_path / "t.xls", "t.xls")) == [["13:45:00"]]


def test_empty_workbook(tmp_path: Path) -> None:
    openpyxl.Workbook().save(tmp_path / "empty.xlsx")
    error = open_error(tmp_path / "empty.xlsx")
    assert error.code == "empty"
    assert_sentence(error.message)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (42, "42"),
        (42.0, "42"),
        (-3.0, "-3"),
        (1e20, "100000000000000000000"),
        (1234.5, "1234.5"),
        (0.1 + 0.2, "0.3"),
        (1e-05, "0.00001"),
        (True, "1"),
        (False, "0"),
        (datetime(2024, 3, 1), "2024-03-01"),
        (datetime(2024, 3, 1, 13, 45, 7, 500), "2024-03-01 13:45:07"),
        (date(2024, 3, 1), "2024-03-01"),
        (time(9, 30), "09:30:00"),
        ("  текст ", "текст"),
    ],
)
def test_excel_value(value: object, text: str) -> None:
    assert excel_value(value) == text


# --- vCard ------------------------------------------------------------------------------


def card_dict(source: TableSource, row: Row) -> dict[str, str]:
    return {name: value for name, value in zip(source.headers, row.values, strict=True) if value}


# Exported by an old Android phone: QP UTF-8 with soft line breaks, bare 2.1 types, a photo.
ANDROID_21 = (
    "BEGIN:VCARD\r\n"
    "VERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=98=D0=B2=D0=B0=D0=BD=D0=BE=D0=B2;=D0=98=D0=B2=D0=B0=D0=BD;;;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=98=D0=B2=D0=B0=D0=BD =D0=98=D0=B2=D0=B0=D0=BD=D0=BE=\r\n"
    "=D0=B2\r\n"
    "TEL;CELL;PREF:+79161234567\r\n"
    "TEL;WORK:8 (495) 123-45-67\r\n"
    "EMAIL;HOME:ivanov@example.ru\r\n"
    "ADR;HOME;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:;;=D1=83=D0=BB. =D0=A2=D0=B2=D0=B5=D1=80=D1=81=D0=BA=D0=B0=\r\n"
    "=D1=8F, =D0=B4. 7, =D0=BA=D0=B2. 12;=D0=9C=D0=BE=D1=81=D0=BA=D0=B2=D0=B0;;125009;=D0=A0=D0=BE=D1=81=D1=81=\r\n"
    "=D0=B8=D1=8F\r\n"
    "TITLE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=9C=D0=B5=D0=BD=D0=B5=D0=B4=D0=B6=D0=B5=D1=80=0D=0A=D0=BF=\r\n"
    "=D0=BE =D0=B7=D0=B0=D0=BA=D1=83=D0=BF=D0=BA=D0=B0=D0=BC\r\n"
    "PHOTO;ENCODING=BASE64;JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0a\r\n"
    "  HBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAA\r\n"
    "\r\n"
    "END:VCARD\r\n"
)


def test_vcard_21_android_quoted_printable_utf8(tmp_path: Path) -> None:
    source = open_table(write(tmp_path, "contacts.vcf", ANDROID_21), "contacts.vcf")

    assert (source.format, source.encoding, source.delimiter) == ("vcard", None, None)
    assert source.headers == list(VCARD_HEADERS)
    [row] = list(source.rows())
    assert row.problem == ""
    assert card_dict(source, row) == {
        "full_name": "Иван Иванов",
        "last_name": "Иванов",
        "first_name": "Иван",
        "title": "Менеджер\nпо закупкам",
        "phone_1": "+79161234567",
        "phone_1_type": "cell,pref",
        "phone_2": "8 (495) 123-45-67",
        "phone_2_type": "work",
        "email_1": "ivanov@example.ru",
        "street": "ул. Тверская, д. 7, кв. 12",
        "city": "Москва",
        "postcode": "125009",
        "country": "Россия",
    }


def test_vcard_21_quoted_printable_windows_1251(tmp_path: Path) -> None:
    text = (
        "BEGIN:VCARD\r\n"
        "VERSION:2.1\r\n"
        "N;CHARSET=WINDOWS-1251;ENCODING=QUOTED-PRINTABLE:=CF=E5=F2=F0=EE=E2;=CF=B8=F2=F0;=C8=EB=FC=E8=F7;;\r\n"
        "ORG;ENCODING=QUOTED-PRINTABLE;CHARSET=WINDOWS-1251:=CE=CE=CE =AB=C2=E5=EA=F2=EE=F0=BB\r\n"
        "NOTE;CHARSET=windows-1251;encoding=quoted-printable:=CF=EE=E7=E2=EE=ED=E8=F2=FC =EF=EE=F1=EB=E5 =\r\n"
        "=EE=E1=E5=E4=E0\r\n"
        "TEL;VOICE;WORK:+7 495 000-00-01\r\n"
        "END:VCARD\r\n"
        "BEGIN:VCARD\r\n"
        "VERSION:2.1\r\n"
        # An old Nokia: Windows-1251 bytes and no CHARSET at all.
        "N;ENCODING=QUOTED-PRINTABLE:=D1=EC=E8=F0=ED=EE=E2;=CE=EB=E5=E3;;;\r\n"
        "TEL;CELL:+79030000000\r\n"
        "END:VCARD\r\n"
    )
    source = open_table(write(tmp_path, "contacts.vcf", text), "contacts.vcf")

    first, second = list(source.rows())
    assert card_dict(source, first) == {
        "full_name": "Пётр Ильич Петров",
        "last_name": "Петров",
        "first_name": "Пётр",
        "middle_name": "Ильич",
        "organization": "ООО «Вектор»",
        "note": "Позвонить после обеда",
        "phone_1": "+7 495 000-00-01",
        "phone_1_type": "voice,work",
    }
    assert card_dict(source, second)["last_name"] == "Смирнов"
    assert card_dict(source, second)["first_name"] == "Олег"


def test_vcard_21_in_windows_1251_without_quoted_printable(tmp_path: Path) -> None:
    text = "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Кузнецова;Анна;;;\r\nFN:Анна Кузнецова\r\nEND:VCARD\r\n"
    source = open_table(write(tmp_path, "contacts.vcf", text, "cp1251"), "contacts.vcf")
    [row] = list(source.rows())
    assert card_dict(source, row) == {"full_name": "Анна Кузнецова", "last_name": "Кузнецова", "first_name": "Анна"}


# vCard 3.0 as written by iOS/macOS: folded lines (one in the middle of a Cyrillic word), grouped properties.
IPHONE_30 = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "PRODID:-//Apple Inc.//iPhone OS 17.2//EN\r\n"
    "N:Сидорова;Мария;Алексеевна;;\r\n"
    "FN:Мария Алексеевна Сидо\r\n"
    " рова\r\n"
    "ORG:ООО Ромашка;Отдел продаж\r\n"
    "TITLE:Директор по развитию\r\n"
    "item1.EMAIL;type=INTERNET;type=pref:maria@romashka.ru\r\n"
    "EMAIL;TYPE=INTERNET,WORK:sales@romashka.ru\r\n"
    "TEL;TYPE=WORK,VOICE:+7 (495) 111-22-33\r\n"
    "TEL;TYPE=CELL;TYPE=pref:+7 916 444-55-66\r\n"
    "TEL;TYPE=HOME:+7 495 777-88-99\r\n"
    "TEL;TYPE=FAX:+7 495 000-00-00\r\n"
    "ADR;TYPE=WORK:;;Ленинский проспект\\, 32;Москва;Московская область;119334;Россия\r\n"
    "ADR;TYPE=HOME:;;Другая улица;Тула;;;\r\n"
    "BDAY:1985-04-12\r\n"
    "URL:https://romashka.ru\r\n"
    "NOTE:Клиент с 2019 года. Предпочитает звонки после 14:00\\, письма — в любое в\r\n"
    " ремя.\\nВторая строка.\r\n"
    "PHOTO;ENCODING=b;TYPE=JPEG:not really base64!!\r\n"
    "END:VCARD\r\n"
)


def test_vcard_30_folded_lines_and_types(tmp_path: Path) -> None:
    source = open_table(write(tmp_path, "contacts.vcf", IPHONE_30), "contacts.vcf")
    [row] = list(source.rows())
    assert row.problem == ""
    assert card_dict(source, row) == {
        "full_name": "Мария Алексеевна Сидорова",
        "last_name": "Сидорова",
        "first_name": "Мария",
        "middle_name": "Алексеевна",
        "organization": "ООО Ромашка",
        "title": "Директор по развитию",
        "phone_1": "+7 (495) 111-22-33",
        "phone_1_type": "work,voice",
        "phone_2": "+7 916 444-55-66",
        "phone_2_type": "cell,pref",
        "phone_3": "+7 495 777-88-99",
        "phone_3_type": "home",
        "email_1": "maria@romashka.ru",
        "email_2": "sales@romashka.ru",
        "street": "Ленинский проспект, 32",
        "city": "Москва",
        "region": "Московская область",
        "postcode": "119334",
        "country": "Россия",
        "birthday": "1985-04-12",
        "website": "https://romashka.ru",
        "note": "Клиент с 2019 года. Предпочитает звонки после 14:00, письма — в любое время.\nВторая строка.",
    }


VCARD_40 = (
    "BEGIN:VCARD\n"
    "VERSION:4.0\n"
    "FN:Анна Петрова\n"
    "N:Петрова;Анна;Сергеевна;;\n"
    "TEL;TYPE=cell;VALUE=uri:tel:+7-916-123-45-67\n"
    'TEL;TYPE="work,voice";VALUE=uri;PREF=1:tel:+7-495-765-43-21\n'
    "EMAIL;TYPE=work:anna@vector.ru\n"
    "BDAY:19850412\n"
    "END:VCARD\n"
    "BEGIN:VCARD\n"
    "VERSION:4.0\n"
    "N:Orlov;Pavel;;;\n"
    "BDAY:--0412\n"
    "END:VCARD\n"
)


def test_vcard_40_tel_uris(tmp_path: Path) -> None:
    source = open_table(write(tmp_path, "contacts.vcf", VCARD_40), "contacts.vcf")
    first, second = list(source.rows())
    assert card_dict(source, first) == {
        "full_name": "Анна Петрова",
        "last_name": "Петрова",
        "first_name": "Анна",
        "middle_name": "Сергеевна",
        "phone_1": "+7-916-123-45-67",
        "phone_1_type": "cell",
        "phone_2": "+7-495-765-43-21",
        "phone_2_type": "work,voice",
        "email_1": "anna@vector.ru",
        "birthday": "1985-04-12",
    }
    # No FN: built from N. A birthday without a year is dropped.
    assert card_dict(source, second) == {"full_name": "Pavel Orlov", "last_name": "Orlov", "first_name": "Pavel"}


def test_several_cards_count_and_resume(tmp_path: Path) -> None:
    text = ANDROID_21 + "\r\n" + IPHONE_30 + VCARD_40
    source = open_table(write(tmp_path, "all.vcf", text), "all.vcf")

    assert source.count() == 4
    names = [row.values[0] for row in source.rows()]
    assert names == ["Иван Иванов", "Мария Алексеевна Сидорова", "Анна Петрова", "Pavel Orlov"]
    assert [row.number for row in source.rows(start=2)] == [3, 4]
    assert [row.values[0] for row in source.rows(start=3)] == ["Pavel Orlov"]
    assert list(source.rows(start=4)) == []


def test_vcard_detected_by_content(tmp_path: Path) -> None:
    source = open_table(write(tmp_path, "export.txt", "\ufeff  \r\n" + VCARD_40), "export.txt")
    assert source.format == "vcard"
    assert source.count() == 2


def test_broken_cards_become_problem_rows(tmp_path: Path) -> None:
    text = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:Хороший Первый\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Сломанный\nэто не строка vCard\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Без конца\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Хороший Второй\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Обрыв файла\n"
    )
    source = open_table(write(tmp_path, "contacts.vcf", text), "contacts.vcf")

    rows = list(source.rows())
    assert source.count() == len(rows) == 5
    assert [row.number for row in rows] == [1, 2, 3, 4, 5]
    assert [row.values[0] for row in rows] == ["Хороший Первый", "", "", "Хороший Второй", ""]
    assert rows[1].problem == "Card 2 cannot be read: line 8 is not a valid vCard line: “это не строка vCard”."
    assert rows[2].problem == "Card 3 cannot be read: it has no END:VCARD line before the next card."
    assert rows[4].problem == "Card 5 cannot be read: the file ends before its END:VCARD line."
    assert rows[1].values == [""] * len(VCARD_HEADERS)
    for row in (rows[1], rows[2], rows[4]):
        assert_sentence(row.problem)


@pytest.mark.parametrize(
    "text",
    [
        "это просто текст\nа не контакты\n",
        "BEGIN:VCARD\nVERSION:3.0\nмусор\nEND:VCARD\n",
        "BEGIN:VCARD\nVERSION:3.0\nFN:Без конца\n",
    ],
    ids=["no-cards", "bad-line", "no-end"],
)
def test_nothing_readable_is_broken_vcard(tmp_path: Path, text: str) -> None:
    error = open_error(write(tmp_path, "contacts.vcf", text))
    assert error.code == "broken_vcard"
    assert_sentence(error.message)


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("19850412", "1985-04-12"),
        ("1985-04-12", "1985-04-12"),
        ("1985-04-12T00:00:00Z", "1985-04-12"),
        ("12.04.1985", "1985-04-12"),
        ("--0412", ""),
        ("--04-12", ""),
        ("", ""),
        ("19850231", "19850231"),
        ("весной", "весной"),
    ],
)
def test_iso_birthday(value: str, iso: str) -> None:
    assert iso_birthday(value) == iso


# --- property-based round trips ---------------------------------------------------------

DELIMITERS = (",", ";", "\t")


def _is_valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@st.composite
def csv_tables(draw: st.DrawFn) -> tuple[str, str, list[str], list[list[str]]]:
    """(delimiter, encoding, headers, rows) for a table whose delimiter is unambiguous.

    Cells may hold the chosen delimiter, quotes and newlines (csv.writer quotes them), but
    not the other two candidates: "a;b,c" is a valid one-line file for both ";" and ",",
    and no detector can tell which one was meant.
    """
    delimiter = draw(st.sampled_from(DELIMITERS))
    encoding = draw(st.sampled_from(["utf-8-sig", "utf-8", "cp1251"]))
    excluded = "\x00\ufeff" + "".join(other for other in DELIMITERS if other != delimiter)
    characters = st.characters(
        codec="cp1251" if encoding == "cp1251" else "utf-8",
        exclude_categories=("Cs",),
        exclude_characters=excluded,
    )
    texts = st.text(characters, max_size=12).map(str.strip)
    width = draw(st.integers(2, 6))
    headers = draw(st.lists(texts.filter(bool), min_size=width, max_size=width, unique=True))
    rows = draw(st.lists(st.lists(texts, min_size=width, max_size=width).filter(any), min_size=1, max_size=20))
    return delimiter, encoding, headers, rows


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(csv_tables())
def test_csv_round_trip(tmp_path: Path, drawn: tuple[str, str, list[str], list[list[str]]]) -> None:
    delimiter, encoding, headers, rows = drawn
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows([headers, *rows])
    data = buffer.getvalue().encode(encoding)
    # Windows-1251 text that happens to be valid UTF-8 is read as UTF-8: the same bytes
    # mean something else there, and a detector cannot know. Real Russian text never is.
    assume(encoding != "cp1251" or data.isascii() or not _is_valid_utf8(data))

    source = open_table(write(tmp_path, "table.csv", data), "table.csv")

    assert source.delimiter == delimiter
    assert source.encoding == ("utf-8" if data.isascii() else encoding)
    assert source.headers == headers
    assert table(source) == rows
    assert [row.problem for row in source.rows()] == [""] * len(rows)
    assert source.count() == len(rows)


CYRILLIC = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя"
NAME_TEXT = st.text(string.ascii_letters + CYRILLIC, min_size=1, max_size=20)
PHONE = st.text(string.digits, min_size=10, max_size=10).map(lambda digits: "+7" + digits)
EMAIL = st.tuples(
    st.text(string.ascii_lowercase, min_size=1, max_size=10), st.text(string.ascii_lowercase, min_size=1, max_size=10)
).map(lambda parts: f"{parts[0]}@{parts[1]}.ru")
PERSON = st.fixed_dictionaries(
    {
        "first": NAME_TEXT,
        "last": NAME_TEXT,
        "phones": st.lists(PHONE, max_size=2),
        "emails": st.lists(EMAIL, max_size=2),
    }
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PERSON, min_size=1, max_size=5))
def test_vcard_round_trip(tmp_path: Path, people: list[dict[str, object]]) -> None:
    text = ""
    for person in people:
        card = vobject.vCard()
        card.add("n").value = vobject.vcard.Name(family=person["last"], given=person["first"])
        card.add("fn").value = f"{person['first']} {person['last']}"
        for phone in person["phones"]:  # type: ignore[attr-defined]
            tel = card.add("tel")
            tel.value = phone
            tel.type_param = "CELL"
        for email in person["emails"]:  # type: ignore[attr-defined]
            card.add("email").value = email
        text += card.serialize()

    source = open_table(write(tmp_path, "people.vcf", text), "people.vcf")

    rows = list(source.rows())
    assert source.count() == len(rows) == len(people)
    for row, person in zip(rows, people, strict=True):
        values = dict(zip(source.headers, row.values, strict=True))
        assert row.problem == ""
        assert values["first_name"] == person["first"]
        assert values["last_name"] == person["last"]
        assert values["full_name"] == f"{person['first']} {person['last']}"
        phones = [values[f"phone_{n}"] for n in (1, 2, 3)]
        assert phones == [*person["phones"], "", "", ""][:3]  # type: ignore[misc]
        assert [values[f"phone_{n}_type"] for n in (1, 2)] == ["cell" if phone else "" for phone in phones[:2]]
        assert [values[f"email_{n}"] for n in (1, 2, 3)] == [*person["emails"], "", "", ""][:3]  # type: ignore[misc]
