"""Sales documents: numbered per workspace and kind without gaps or repeats (also under
concurrent issue), rendered to a PDF whose text names the client, the lines and the
totals, moved through their states, sent by e-mail with the PDF; bad requests are
refused with a clear error and write nothing."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from relata.catalog.tests.helpers import company
from relata.core.models import OutgoingEmail
from relata.core.services.notifications import email_send
from relata.sales.models import DocumentCounter, DocumentTemplate, SalesDocument
from relata.sales.services.deals import deal_delete
from relata.sales.services.documents import (
    document_issue,
    document_regenerate,
    document_send,
    document_set_state,
)
from relata.sales.services.lines import deal_lines_set
from relata.sales.tests.helpers import deal, pdf_text

LINES = [
    {"name": "Кирпич М150", "quantity": "3000", "unit": "шт", "price": "15", "vat_rate": "22"},
    {"name": "Доставка манипулятором", "quantity": "1", "price": "12 000", "discount": "10", "vat_rate": "22"},
]


def stored_pdf(document: SalesDocument) -> bytes:
    with document.pdf.open("rb") as file:
        return file.read()


@pytest.fixture
def sale(personas):
    m1 = personas.manager1
    client = company(m1, "ООО «Кирпичный двор»", inn="7707083893", kpp="773601001", emails=["buh@dvor.ru"])
    record = deal(m1, "Поставка кирпича", client=client.pk)
    deal_lines_set(m1, record.pk, version=1, lines=LINES)
    return record


def test_an_invoice_names_the_client_the_lines_and_the_totals(personas, sale):
    invoice = document_issue(personas.manager1, sale.pk, kind="invoice")
    assert (invoice.number, invoice.state, invoice.kind) == (1, "draft", "invoice")
    assert invoice.total == Decimal("55800.00")  # 3000 × 15 + 12 000 less 10%
    assert invoice.vat_amount == Decimal("10062.29")  # 8114.75 + 1947.54 (22/122 of each line)
    text = pdf_text(stored_pdf(invoice))
    assert "Счёт на оплату № 1" in text
    assert "ООО «Кирпичный двор»" in text and "ИНН 7707083893" in text and "КПП 773601001" in text
    assert "Кирпич М150" in text and "3000" in text and "Доставка манипулятором" in text
    assert "10 800,00" in text  # the delivery line after its discount
    assert "55 800,00" in text and "10 062,29" in text
    assert "Пятьдесят пять тысяч восемьсот рублей" in text


def test_numbers_run_per_kind_and_a_failed_issue_leaves_no_gap(personas, sale):
    m1 = personas.manager1
    assert [document_issue(m1, sale.pk, kind="invoice").number for _ in range(2)] == [1, 2]
    assert document_issue(m1, sale.pk, kind="quote").number == 1
    # A template that breaks on real data: the issue is refused and takes its number back.
    broken = "{% for x in 5 %}{% endfor %}"
    DocumentTemplate.objects.create(
        workspace_id=m1.workspace_id, kind="invoice", body=broken, changed_by=personas.admin.user
    )
    with pytest.raises(ValidationError) as refused:
        document_issue(m1, sale.pk, kind="invoice")
    assert "template" in refused.value.message_dict
    assert DocumentCounter.objects.get(workspace_id=m1.workspace_id, kind="invoice").last_number == 2
    DocumentTemplate.objects.all().delete()
    assert document_issue(m1, sale.pk, kind="invoice").number == 3
    # Another workspace counts on its own.
    other_client = company(personas.other, "ООО «Другой»")
    other = deal(personas.other, "Чужая сделка", client=other_client.pk)
    assert document_issue(personas.other, other.pk, kind="invoice").number == 1


@pytest.mark.parametrize(
    ("kind", "date", "field"),
    [("bill", None, "kind"), ("", None, "kind"), ("invoice", "04.12.2026", "date")],
)
def test_bad_requests_write_nothing(personas, sale, kind, date, field):
    with pytest.raises(ValidationError) as refused:
        document_issue(personas.manager1, sale.pk, kind=kind, date=date)
    assert field in refused.value.message_dict
    assert not SalesDocument.objects.exists() and not DocumentCounter.objects.filter(last_number__gt=0).exists()


def test_a_deal_without_a_client_gets_no_document(personas):
    bare = deal(personas.manager1, "Без клиента", amount="1000")
    with pytest.raises(ValidationError) as refused:
        document_issue(personas.manager1, bare.pk, kind="invoice")
    assert refused.value.error_dict["deal"][0].code == "no_client"
    assert not SalesDocument.objects.exists() and not DocumentCounter.objects.filter(last_number__gt=0).exists()


def test_a_manager_issues_only_for_deals_they_may_change(personas, sale):
    from django.http import Http404

    with pytest.raises(Http404):
        document_issue(personas.manager2, sale.pk, kind="invoice")
    with pytest.raises(Exception) as denied:
        document_issue(personas.readonly, sale.pk, kind="invoice")
    assert denied.type.__name__ in {"PermissionDenied", "Http404"}
    assert not SalesDocument.objects.exists()


def test_states_go_forward_only_and_per_kind(personas, sale):
    m1 = personas.manager1
    invoice = document_issue(m1, sale.pk, kind="invoice")
    assert document_set_state(m1, invoice.pk, state="sent").state == "sent"
    with pytest.raises(ValidationError) as refused:
        document_set_state(m1, invoice.pk, state="signed")  # an invoice is paid, not signed
    assert refused.value.error_dict["state"][0].code == "transition"
    assert document_set_state(m1, invoice.pk, state="paid").state == "paid"
    with pytest.raises(ValidationError):
        document_set_state(m1, invoice.pk, state="sent")
    contract = document_issue(m1, sale.pk, kind="contract")
    with pytest.raises(ValidationError):
        document_set_state(m1, contract.pk, state="paid")
    assert document_set_state(m1, contract.pk, state="signed").state == "signed"
    with pytest.raises(ValidationError):
        document_set_state(m1, contract.pk, state="archived")
    assert SalesDocument.objects.get(pk=contract.pk).state == "signed"


def test_a_draft_is_rendered_again_and_a_sent_one_is_not(personas, sale):
    m1 = personas.manager1
    draft = document_issue(m1, sale.pk, kind="quote")
    first_file = draft.pdf.name
    deal_lines_set(m1, sale.pk, version=2, lines=LINES[:1])
    again = document_regenerate(m1, draft.pk)
    assert again.number == 1 and again.total == Decimal("45000.00") and again.pdf.name != first_file
    assert "Доставка" not in pdf_text(stored_pdf(again))
    document_set_state(m1, draft.pk, state="sent")
    with pytest.raises(ValidationError):
        document_regenerate(m1, draft.pk)


def test_sending_mails_the_pdf_and_marks_the_draft_sent(personas, sale):
    m1 = personas.manager1
    invoice = document_issue(m1, sale.pk, kind="invoice")
    for bad in ("", "not-an-address"):
        with pytest.raises(ValidationError) as refused:
            document_send(m1, invoice.pk, to=bad)
        assert "to" in refused.value.message_dict
    assert not OutgoingEmail.objects.exists() and SalesDocument.objects.get().state == "draft"

    sent = document_send(m1, invoice.pk, to="Buh@Dvor.ru", message="Счёт во вложении.")
    assert sent.state == "sent"
    letter = OutgoingEmail.objects.get()
    assert letter.to == "buh@dvor.ru" and letter.subject.startswith("Invoice № 1")
    assert email_send(letter.pk) == "sent"
    (message,) = mail.outbox
    name, content, mimetype = message.attachments[0]
    assert mimetype == "application/pdf" and name.startswith("Invoice 1") and content.startswith(b"%PDF")
    assert "Кирпичный двор" in pdf_text(content)


def test_a_deal_with_documents_is_kept(personas, sale):
    document_issue(personas.manager1, sale.pk, kind="invoice")
    with pytest.raises(ValidationError) as refused:
        deal_delete(personas.admin, sale.pk)
    assert refused.value.error_dict["deal"][0].code == "has_documents"
    assert SalesDocument.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_take_distinct_numbers_without_gaps(personas, sale):
    """Real concurrent transactions (PostgreSQL): the counter's row lock makes each
    issue wait for the one before it. SQLite lets one writer in at a time anyway."""
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions")
    barrier = threading.Barrier(4)
    errors: list[Exception] = []

    def issue(member) -> None:
        try:
            barrier.wait()
            for _ in range(3):
                document_issue(member, sale.pk, kind="invoice")
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    members = [personas.manager1, personas.head, personas.admin, personas.manager1]
    threads = [threading.Thread(target=issue, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(SalesDocument.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 13))


def _browser(member) -> Client:
    browser = Client()
    browser.force_login(member.user)
    return browser


def test_pages_issue_show_download_and_send(personas, sale):
    browser = _browser(personas.manager1)
    page = browser.get(reverse("sales:deal", args=[sale.pk]))
    assert page.status_code == 200 and 'data-testid="document-new"' in page.text
    issued = browser.post(reverse("sales:document_new", args=[sale.pk]), {"kind": "invoice"})
    document = SalesDocument.objects.get()
    assert issued.status_code == 302 and issued["Location"] == reverse("sales:document", args=[document.pk])
    shown = browser.get(issued["Location"])
    assert shown.status_code == 200 and "Invoice № 1" in shown.text and 'data-testid="document-to-paid"' in shown.text
    download = browser.get(reverse("sales:document_pdf", args=[document.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    form = browser.get(reverse("sales:document_send", args=[document.pk]))
    assert "buh@dvor.ru" in form.text
    bad = browser.post(reverse("sales:document_send", args=[document.pk]), {"to": "nobody"})
    assert bad.status_code == 400 and not OutgoingEmail.objects.exists()
    ok = browser.post(reverse("sales:document_send", args=[document.pk]), {"to": "buh@dvor.ru", "subject": ""})
    assert ok.status_code == 302 and SalesDocument.objects.get().state == "sent"
    listed = browser.get(reverse("sales:documents"), {"kind": "invoice", "state": "sent"})
    assert "Invoice № 1" in listed.text
    assert "Invoice № 1" not in browser.get(reverse("sales:documents"), {"state": "paid"}).text


def test_a_refused_issue_on_the_page_says_why(personas):
    browser = _browser(personas.manager1)
    bare = deal(personas.manager1, "Без клиента")
    answer = browser.post(reverse("sales:document_new", args=[bare.pk]), {"kind": "invoice"}, follow=True)
    assert "Choose the deal&#x27;s client first" in answer.text and not SalesDocument.objects.exists()


def test_others_do_not_see_the_document(personas, sale):
    document = document_issue(personas.manager1, sale.pk, kind="invoice")
    assert _browser(personas.manager2).get(reverse("sales:document_pdf", args=[document.pk])).status_code == 404
    assert _browser(personas.other).get(reverse("sales:document", args=[document.pk])).status_code == 404
    assert _browser(personas.head).get(reverse("sales:document_pdf", args=[document.pk])).status_code == 200


def test_the_client_timeline_shows_the_document(personas, sale):
    document = document_issue(personas.manager1, sale.pk, kind="invoice")
    page = _browser(personas.manager1).get(reverse("clients:detail", args=[sale.client_id]))
    assert page.status_code == 200
    assert f'data-document="{document.pk}"' in page.text


def test_the_api_issues_lists_downloads_moves_and_sends(personas, sale, api_as):
    api = api_as(personas.manager1)
    created = api.post(f"/api/v1/deals/{sale.pk}/documents", {"kind": "act", "date": "2026-12-01"})
    assert created.status_code == 201
    body = created.json()
    assert (body["number"], body["date"], body["state"]) == (1, "2026-12-01", "draft")
    assert body["next_states"] == ["sent", "signed"] and body["total"] == "55800.00"
    assert api.post(f"/api/v1/deals/{sale.pk}/documents", {"kind": "bill"}).status_code == 422
    assert [d["id"] for d in api.get(f"/api/v1/deals/{sale.pk}/documents").json()] == [body["id"]]
    assert api.get("/api/v1/documents", {"kind": "act"}).json()["count"] == 1
    assert api.get("/api/v1/documents", {"kind": "bill"}).status_code == 422
    pdf = api.get(f"/api/v1/documents/{body['id']}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    refused = api.post(f"/api/v1/documents/{body['id']}/state", {"state": "paid"})
    assert refused.status_code == 422 and "state" in refused.json()["error"]["fields"]
    assert api.post(f"/api/v1/documents/{body['id']}/send", {"to": "x"}).status_code == 422
    sent = api.post(f"/api/v1/documents/{body['id']}/send", {"to": "buh@dvor.ru"}).json()
    assert sent["state"] == "sent"
    assert api.post(f"/api/v1/documents/{body['id']}/regenerate").status_code == 422
    signed = api.post(f"/api/v1/documents/{body['id']}/state", {"state": "signed"}).json()
    assert signed["state"] == "signed" and signed["next_states"] == []
    bare = deal(personas.manager1, "Без клиента")
    no_client = api.post(f"/api/v1/deals/{bare.pk}/documents", {"kind": "invoice"})
    assert no_client.status_code == 422 and "deal" in no_client.json()["error"]["fields"]
    assert SalesDocument.objects.count() == 1


def test_a_template_cannot_make_the_server_read_files_or_fetch_addresses(personas, sale):
    """Images and stylesheets are taken only from data: URIs; a file or an address is
    skipped (logged), and the document is still issued."""
    from pathlib import Path

    hostname = Path("/etc/hostname")
    secret = hostname.read_text(encoding="utf-8").strip() if hostname.exists() else ""
    body = (
        "<html><body><h1>Счёт {{ document.number }}</h1><p>{{ buyer.name }}</p>"
        '<img src="file:///etc/hostname"><link rel="stylesheet" href="file:///etc/hosts">'
        '<object data="file:///etc/hostname"></object><img src="http://127.0.0.1:9/logo.png">'
        '<img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"></body></html>'
    )
    DocumentTemplate.objects.create(
        workspace_id=personas.manager1.workspace_id, kind="invoice", body=body, changed_by=personas.admin.user
    )
    invoice = document_issue(personas.manager1, sale.pk, kind="invoice")
    text = pdf_text(stored_pdf(invoice))
    assert "ООО «Кирпичный двор»" in text
    assert not secret or secret not in text
