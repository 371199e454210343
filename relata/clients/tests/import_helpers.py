"""Helpers of the import tests: small files in every supported format, and running an
import synchronously through the services and the job handler."""

from __future__ import annotations

import io
import quopri
from typing import Any

import openpyxl
import xlwt
from django.core.files.uploadedfile import SimpleUploadedFile
from stdnum.ru import inn as stdnum_inn

from relata.clients.models import ImportBatch, ImportRowResult
from relata.clients.services.imports import import_configure, import_start, import_upload
from relata.core import jobs
from relata.core.models import Membership

# Valid numbers (phonenumbers accepts them as Russian mobiles).
PHONES = ["+79161234567", "+79031112233", "+79265554433", "+79857776655", "+79214443322", "+79991231212"]


def company_inn(seed: int) -> str:
    body = f"77{seed:07d}"
    return body + stdnum_inn.calc_company_check_digit(body)


def person_inn(seed: int) -> str:
    body = f"50{seed:08d}"
    return body + stdnum_inn.calc_personal_check_digits(body)


def csv_upload(text: str, name: str = "clients.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_upload(rows: list[list[Any]], name: str = "clients.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def xls_upload(rows: list[list[Any]], name: str = "clients.xls") -> SimpleUploadedFile:
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("Clients")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def qp(text: str) -> str:
    return quopri.encodestring(text.encode("utf-8")).decode("ascii").replace("=\n", "")


def vcard_upload() -> SimpleUploadedFile:
    """Three cards: vCard 2.1 with quoted-printable UTF-8, 3.0 and 4.0, Cyrillic names."""
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        f"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{qp('Иванов')};{qp('Иван')};{qp('Петрович')};;\r\n"
        f"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{qp('Иван Петрович Иванов')}\r\n"
        "TEL;CELL:+7 916 123-45-67\r\nTEL;WORK:+7 903 111-22-33\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Петрова;Анна;Сергеевна;;\r\nFN:Анна Петрова\r\n"
        "TEL;TYPE=HOME,VOICE:8 (926) 555-44-33\r\nEMAIL;TYPE=INTERNET:anna@example.ru\r\n"
        "ADR;TYPE=HOME:;;ул. Ленина, 5;Казань;Татарстан;420000;Россия\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:4.0\r\nN:Сидоров;Пётр;;;\r\nFN:Пётр Сидоров\r\n"
        'TEL;VALUE=uri;TYPE="cell,voice":tel:+7-985-777-66-55\r\nBDAY:19850412\r\nEND:VCARD\r\n'
    )
    return SimpleUploadedFile("contacts.vcf", text.encode("utf-8"), content_type="text/vcard")


def run_import(actor: Membership, upload: SimpleUploadedFile, kind: str = "company", **settings: Any) -> ImportBatch:
    """Upload, configure (if settings are given), start and run the job here and now."""
    batch = import_upload(actor, kind=kind, upload=upload)
    if settings:
        import_configure(actor, batch.pk, **settings)
    job = import_start(actor, batch.pk)
    jobs.execute(job.pk)
    batch.refresh_from_db()
    return batch


def rows_of(batch: ImportBatch) -> dict[int, ImportRowResult]:
    return {r.row_number: r for r in ImportRowResult.objects.filter(batch=batch).order_by("row_number")}


def messages_of(result: ImportRowResult) -> str:
    return " ".join(str(e["message"]) for e in result.errors)
