"""Deals and leads out to CSV and Excel (the list's filters, the actor's scope, the
export permission, the audit log, formulas neutralised) and leads in from a file (all
rows or none, with every bad row named)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from relata.catalog.tests.helpers import company
from relata.core.models import Event
from relata.sales.models import Lead, LeadSource
from relata.sales.services.file_import import leads_import_upload
from relata.sales.services.leads import lead_create
from relata.sales.tests.helpers import deal


def _browser(member) -> Browser:
    browser = Browser()
    browser.force_login(member.user)
    return browser


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_deals_export_with_the_lists_filters_within_scope(personas):
    m1, m2 = personas.manager1, personas.manager2
    client = company(m1, "ООО «Экспорт»", inn="7707083893")
    deal(m1, '=HYPERLINK("http://evil")', client=client.pk, amount="1500.50")
    deal(m1, "Вторая сделка")
    deal(m2, "Чужая сделка")
    head = _browser(personas.head)
    rows = _csv(head.get(reverse("sales:deal_export"), {"format": "csv", "q": "Экспорт"}))
    assert rows[0][:3] == ["ID", "Deal", "Pipeline"] and len(rows) == 2
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'  # neutralised, not a formula
    assert "ООО «Экспорт»" in rows[1] and "7707083893" in rows[1] and "1500.50" in rows[1]
    # The head of sales sees the whole team; the export does not go beyond it.
    everything = _csv(head.get(reverse("sales:deal_export"), {"format": "csv"}))
    assert {r[1] for r in everything[1:]} == {
        '=HYPERLINK("http://evil")'.join(["'", ""]),
        "Вторая сделка",
        "Чужая сделка",
    }
    event = Event.objects.filter(kind="deal.exported").latest("id")
    assert event.data == {"rows": 3, "format": "csv"} and event.actor_id == personas.head.user_id
    # Excel: text stays text.
    xlsx = head.get(reverse("sales:deal_export"), {"format": "xlsx", "q": "Экспорт"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert sheet.cell(row=2, column=2).value == '=HYPERLINK("http://evil")' and sheet.cell(2, 2).data_type == "s"


def test_export_needs_the_permission_and_a_known_format(personas, api_as):
    deal(personas.manager1, "Сделка")
    # Managers have no sales.export: the page and the API refuse, and nothing is logged.
    assert _browser(personas.manager1).get(reverse("sales:deal_export")).status_code == 403
    assert api_as(personas.manager1).get("/api/v1/deals/export").status_code == 403
    answer = _browser(personas.head).get(reverse("sales:deal_export"), {"format": "pdf"}, follow=True)
    assert "Choose CSV or Excel." in answer.text
    assert api_as(personas.head).get("/api/v1/deals/export", {"format": "pdf"}).status_code == 422
    assert not Event.objects.filter(kind="deal.exported").exists()


def test_leads_export_through_the_api(personas, api_as):
    lead_create(personas.manager1, values={"contact_name": "Ольга", "phone": "+79161234567", "utm_source": "yandex"})
    lead_create(personas.manager1, values={"contact_name": "Пётр", "email": "petr@x.ru"})
    answer = api_as(personas.head).get("/api/v1/leads/export", {"q": "Ольга"})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    rows = _csv(answer)
    assert len(rows) == 2 and "'+79161234567" in rows[1] and "yandex" in rows[1]  # "+…" neutralised
    assert Event.objects.get(kind="lead.exported").data["rows"] == 1


def test_exported_leads_import_back_the_same(personas, api_as):
    lead_create(personas.head, values={"contact_name": "=Ольга", "phone": "+79161234567", "campaign": "Весна"})
    exported = b"".join(api_as(personas.head).get("/api/v1/leads/export").streaming_content)
    Lead.objects.all().delete()
    report = leads_import_upload(personas.head, _upload("leads.csv", exported))
    assert report.ok and report.created == 1
    again = Lead.objects.get()
    assert (again.contact_name, again.phone, again.campaign) == ("=Ольга", "+79161234567", "Весна")


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_leads_come_from_a_windows_1251_csv_with_russian_headers(personas):
    company(personas.head, "ООО «Известный»", emails=["known@firm.ru"])
    text = "ФИО;Компания;Телефон;E-mail;Комментарий\nОльга Смирнова;ООО «Двор»;8 916 123-45-67;;Звонить после 14\n"
    text += "Иван;ООО «Известный»;;Known@Firm.ru;\n"
    report = leads_import_upload(personas.head, _upload("leads.csv", text.encode("cp1251")))
    assert report.ok and report.created == 2 and report.rows == 2
    assert report.mapping == {
        "ФИО": "contact_name",
        "Компания": "company_name",
        "Телефон": "phone",
        "E-mail": "email",
        "Комментарий": "message",
    }
    olga = Lead.objects.get(contact_name="Ольга Смирнова")
    assert olga.phone == "+79161234567" and olga.source == LeadSource.IMPORT and olga.owner_id == personas.head.user_id
    assert olga.message == "Звонить после 14"
    assert Lead.objects.get(contact_name="Иван").client is not None  # linked to the known client
    assert Event.objects.get(kind="lead.imported").data["created"] == 2


def test_a_file_with_bad_rows_imports_nothing_and_names_them(personas):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Phone", "Email", "INN"])
    sheet.append(["Good", "+79161234567", "", ""])
    sheet.append(["No contact", "", "", ""])
    sheet.append(["Bad mail", "", "not-an-address", ""])
    sheet.append(["Bad INN", "+79161234568", "", "1234567890"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = leads_import_upload(personas.head, _upload("leads.xlsx", buffer.getvalue()))
    assert not report.ok and report.created == 0 and report.failed_count == 3
    assert [number for number, _errors in report.failed] == [2, 3, 4]
    assert "email" in report.failed[1][1] and "inn" in report.failed[2][1]
    assert not Lead.objects.exists() and not Event.objects.filter(kind="lead.imported").exists()


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("empty.csv", b"", "empty"),
        ("no-contacts.csv", "Имя;Город\nОльга;Москва\n".encode(), "no_columns"),
        ("header-only.csv", b"Name;Phone\n", "empty"),
        ("cards.vcf", b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Olga\r\nTEL:+79161234567\r\nEND:VCARD\r\n", "format"),
    ],
)
def test_unusable_files_are_refused_with_the_reason(personas, name, data, code):
    with pytest.raises(ValidationError) as refused:
        leads_import_upload(personas.head, _upload(name, data))
    assert refused.value.error_dict["file"][0].code == code
    assert not Lead.objects.exists()


def test_import_needs_the_import_permission(personas):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        leads_import_upload(personas.manager1, _upload("l.csv", b"Phone\n+79161234567\n"))
    assert _browser(personas.manager1).get(reverse("sales:lead_import")).status_code == 403


def test_the_import_page_and_the_api(personas, api_as):
    browser = _browser(personas.head)
    assert 'data-testid="import-form"' in browser.get(reverse("sales:lead_import")).text
    bad = browser.post(reverse("sales:lead_import"), {"file": _upload("l.csv", b"Phone\n12\n")})
    assert bad.status_code == 400 and 'data-testid="import-errors"' in bad.text and not Lead.objects.exists()
    good = browser.post(reverse("sales:lead_import"), {"file": _upload("l.csv", b"Phone\n+79161234567\n")})
    assert good.status_code == 302 and Lead.objects.count() == 1
    api = api_as(personas.head)
    refused = api.client.post(
        "/api/v1/leads/import", {"file": _upload("l.csv", b"Phone;Email\n;x\n")}, headers=api.headers
    )
    assert refused.status_code == 422 and set(refused.json()["error"]["fields"]) == {"rows.1.email"}
    created = api.client.post(
        "/api/v1/leads/import", {"file": _upload("l.csv", b"Phone\n+79161234569\n")}, headers=api.headers
    )
    assert created.status_code == 201 and created.json()["created"] == 1 and Lead.objects.count() == 2


def test_the_russian_export_headers_are_recognised():
    from django.utils import translation

    from relata.sales.services.exports import LEAD_COLUMNS
    from relata.sales.services.file_import import column_mapping

    with translation.override("ru"):
        headers = [str(header) for header, _value in LEAD_COLUMNS]
    mapped = {headers[index]: name for index, name in column_mapping(headers).items()}
    assert mapped["Имя контакта"] == "contact_name" and mapped["Эл. почта"] == "email"
    assert {"company_name", "phone", "inn", "channel", "campaign", "message", "utm_source"} <= set(mapped.values())


def test_a_clients_leads_are_on_its_timeline_within_scope(personas):
    known = company(personas.manager1, "ООО «С заявкой»", emails=["zayavka@firm.ru"])
    lead = lead_create(personas.manager1, values={"contact_name": "Ольга", "email": "zayavka@firm.ru"})
    other = lead_create(personas.manager2, values={"contact_name": "Пётр", "email": "zayavka@firm.ru"})
    assert lead.client_id == known.pk == other.client_id
    page = _browser(personas.manager1).get(reverse("clients:detail", args=[known.pk]))
    assert f'data-lead="{lead.pk}"' in page.text
    assert f'data-lead="{other.pk}"' not in page.text  # manager 2's lead is outside manager 1's scope
    head = _browser(personas.head).get(reverse("clients:detail", args=[known.pk]))
    assert f'data-lead="{other.pk}"' in head.text


def test_deals_come_from_a_file_with_clients_by_inn_or_name_and_stages_by_name(personas):
    from relata.sales.models import Deal
    from relata.sales.services.file_import import deals_import_upload
    from relata.sales.tests.helpers import pipeline, stages

    head = personas.head
    by_inn = company(head, "ООО «Альфа»", inn="7707083893")
    by_name = company(head, "ООО «Бета»")
    company(head, "ООО «Бета-2»")
    second = stages(head)[1]
    text = (
        "Сделка;ИНН;Клиент;Стадия;Сумма;Дата закрытия\n"
        f"Кирпич для Альфы;7707083893;;{second.name.upper()};1 250 000,50;31.12.2026\n"
        "Цемент для Беты;;ооо «бета»;;;\n"
    )
    report = deals_import_upload(head, _upload("deals.csv", text.encode()))
    assert report.ok and report.created == 2, report.failed
    alpha = Deal.objects.get(title="Кирпич для Альфы")
    assert alpha.client_id == by_inn.pk and alpha.stage_id == second.pk and alpha.pipeline_id == pipeline(head).pk
    assert str(alpha.amount) == "1250000.50" and alpha.expected_close_date.isoformat() == "2026-12-31"
    assert alpha.owner_id == head.user_id and alpha.stage_visits.count() == 1
    beta = Deal.objects.get(title="Цемент для Беты")
    assert beta.client_id == by_name.pk and beta.stage_id == stages(head)[0].pk
    assert Event.objects.get(kind="deal.imported").data["created"] == 2


def test_a_deals_file_with_bad_rows_creates_nothing(personas, api_as):
    from relata.sales.models import Deal, StageVisit

    company(personas.head, "ООО «Гамма»")
    text = (
        "Deal;Client;Stage;Amount\n"
        "Good;ООО «Гамма»;;100\n"
        "Unknown client;ООО «Нет такого»;;\n"
        ";ООО «Гамма»;;\n"
        "Bad stage;;Nowhere;\n"
        "Negative;;;-5\n"
    )
    api = api_as(personas.head)
    refused = api.client.post("/api/v1/deals/import", {"file": _upload("d.csv", text.encode())}, headers=api.headers)
    assert refused.status_code == 422
    assert set(refused.json()["error"]["fields"]) == {"rows.2.client", "rows.3.title", "rows.4.stage", "rows.5.amount"}
    assert not Deal.objects.exists() and not StageVisit.objects.exists()
    assert not Event.objects.filter(kind__startswith="deal.").exists()
    page = _browser(personas.head).post(reverse("sales:deal_import"), {"file": _upload("d.csv", text.encode())})
    assert page.status_code == 400 and "4 rows of 5 need fixing" in page.text
    ok = api.client.post("/api/v1/deals/import", {"file": _upload("d.csv", b"Deal\nOne\nTwo\n")}, headers=api.headers)
    assert ok.status_code == 201 and ok.json()["created"] == 2 and Deal.objects.count() == 2
    assert _browser(personas.manager1).get(reverse("sales:deal_import")).status_code == 403
