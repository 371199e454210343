"""The import wizard as a user walks it (pages) and as a program does (API): upload →
suggested columns → preview with row errors → run → report → refused rows → undo."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from relata.clients.models import Client, ImportBatch, ImportState
from relata.clients.services.clients import client_create
from relata.clients.tests.import_helpers import company_inn, csv_upload
from relata.core.models import Event

pytestmark = pytest.mark.django_db

FILE = (
    "Наименование;ИНН;Тел.;Эл. почта;Город;Комментарий\n"
    f"ООО «Ромашка»;{company_inn(1)};8 (916) 123-45-67;info@romashka.ru;Москва;первый\n"
    "ООО «Лютик»;1234567890;;;Тверь;\n"
    f"Кирпичный двор;{company_inn(2)};+7 903 111 22 33;;Казань;\n"
    "Без почты;;;почта-без-собаки;;\n"
    f"Known;{company_inn(3)};;;;\n"
)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def content(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_wizard_end_to_end(personas, client_as, django_capture_on_commit_callbacks):
    admin = personas.admin
    known = client_create(admin, kind="company", values={"name": "Known", "inn": company_inn(3)})
    browser = client_as(admin)

    page = browser.get(reverse("clients:import_start") + "?kind=company")
    assert page.status_code == 200 and b'data-testid="import-upload-form"' in page.content
    upload = csv_upload(FILE, "base.csv", "cp1251")
    response = browser.post(reverse("clients:import_start"), {"kind": "company", "file": upload})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("clients:import_mapping", args=[batch.pk])
    assert (batch.encoding, batch.delimiter) == ("cp1251", ";")

    page = browser.get(reverse("clients:import_mapping", args=[batch.pk]))
    assert page.status_code == 200
    form = page.context["form"]
    suggested = {name: form[name].value() for name in form.fields if name.startswith("col_")}
    assert suggested == {
        "col_0": "name",
        "col_1": "inn",
        "col_2": "phone",
        "col_3": "email",
        "col_4": "city",
        "col_5": "note",
    }
    assert "info@romashka.ru" in page.content.decode()  # examples of each column

    posted = {**suggested, "policy": "skip", "tags": "import 2025", "match_names": "on"}
    response = browser.post(reverse("clients:import_mapping", args=[batch.pk]), posted)
    assert response.status_code == 302 and response["Location"] == reverse("clients:import_preview", args=[batch.pk])

    page = browser.get(reverse("clients:import_preview", args=[batch.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "“1234567890” is not a valid INN: the check digits do not match" in html
    assert "“почта-без-собаки” is not a valid e-mail address" in html
    assert "The client “Known” with this INN already exists." in html
    assert Client.objects.filter(workspace=admin.workspace).count() == 1  # the preview wrote nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(reverse("clients:import_run", args=[batch.pk]))
    assert response["Location"] == reverse("clients:import_report", args=[batch.pk])
    batch.refresh_from_db()
    assert (batch.state, batch.created_count, batch.skipped_count, batch.failed_count) == (ImportState.DONE, 2, 1, 2)
    romashka = Client.objects.get(inn=company_inn(1))
    assert (romashka.name, romashka.primary_phone, romashka.note) == ("ООО «Ромашка»", "+79161234567", "первый")
    assert list(romashka.tags.values_list("name", flat=True)) == ["import 2025"]

    page = browser.get(reverse("clients:import_report", args=[batch.pk]))
    html = page.content.decode()
    assert 'data-count="created">2<' in html and 'data-count="failed">2<' in html
    assert "Row" in html and "ИНН: “1234567890” is not a valid INN" in html
    progress = browser.get(reverse("clients:import_report", args=[batch.pk]), headers={"HX-Request": "true"})
    assert b'id="import-progress"' in progress.content and b"<html" not in progress.content

    report = browser.get(reverse("clients:import_errors", args=[batch.pk]) + "?format=csv")
    lines = list(csv.reader(io.StringIO(content(report).decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == ["Наименование", "ИНН", "Тел.", "Эл. почта", "Город", "Комментарий", "Row", "Reason"]
    assert [line[6] for line in lines[1:]] == ["2", "4"]
    assert lines[1][0] == "ООО «Лютик»" and lines[1][7].startswith("ИНН: “1234567890” is not a valid INN")
    assert lines[2][7].startswith("Эл. почта: “почта-без-собаки” is not a valid e-mail address")
    workbook = openpyxl.load_workbook(
        io.BytesIO(content(browser.get(reverse("clients:import_errors", args=[batch.pk]) + "?format=xlsx")))
    )
    sheet = list(workbook.active.iter_rows(values_only=True))
    assert sheet[0][-1] == "Reason" and sheet[1][0] == "ООО «Лютик»"

    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(reverse("clients:import_undo", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.state == ImportState.UNDONE
    assert list(Client.objects.filter(workspace=admin.workspace)) == [known]
    kinds = set(Event.objects.filter(target_id=batch.pk).values_list("kind", flat=True))
    assert {"import.finished", "import.undone"} <= kinds
    page = browser.get(reverse("clients:import_report", args=[batch.pk]))
    assert b'data-testid="undo-result"' in page.content

    listing = browser.get(reverse("clients:import_list"))
    assert listing.status_code == 200 and b"base.csv" in listing.content


def test_a_bad_file_is_refused_on_the_upload_page(personas, client_as):
    browser = client_as(personas.admin)
    response = browser.post(reverse("clients:import_start"), {"kind": "company", "file": csv_upload("", "e.csv")})
    assert response.status_code == 400
    assert "The file is empty." in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_mapping_page_shows_what_is_wrong(personas, client_as):
    browser = client_as(personas.admin)
    browser.post(reverse("clients:import_start"), {"kind": "company", "file": csv_upload(FILE)})
    batch = ImportBatch.objects.get()
    response = browser.post(reverse("clients:import_mapping", args=[batch.pk]), {"col_1": "inn", "policy": "skip"})
    assert response.status_code == 400
    assert "Choose the column that holds the client&#x27;s name." in response.content.decode()


def test_pages_need_the_import_permission(personas, client_as):
    browser = client_as(personas.readonly)
    assert browser.get(reverse("clients:import_start")).status_code == 403
    assert browser.get(reverse("clients:import_list")).status_code == 403


def test_the_api_end_to_end(personas, api_as, django_capture_on_commit_callbacks):
    head = personas.head
    api = api_as(head)
    response = api.client.post("/api/v1/imports", {"kind": "company", "file": csv_upload(FILE)}, headers=api.headers)
    assert response.status_code == 201, response.content
    created = response.json()
    batch_id = created["id"]
    assert created["mapping"] == {"0": "name", "1": "inn", "2": "phone", "3": "email", "4": "city", "5": "note"}
    assert (created["state"], created["file_format"], created["delimiter"]) == ("uploaded", "csv", ";")

    fields = api.get("/api/v1/imports/fields", {"kind": "company"}).json()
    assert {"key": "inn", "label": "INN", "group": "profile", "multiple": False} in fields

    bad = api.patch(f"/api/v1/imports/{batch_id}", {"mapping": {"0": "inn", "1": "inn"}})
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"]["mapping"][0] == "“INN” is chosen for two columns: “Наименование” and “ИНН”."
    changed = api.patch(f"/api/v1/imports/{batch_id}", {"policy": "create", "defaults": {"tags": ["api"]}})
    assert changed.status_code == 200 and changed.json()["policy"] == "create"

    preview = api.get(f"/api/v1/imports/{batch_id}/preview", {"limit": 5}).json()
    assert [row["action"] for row in preview["rows"]] == ["created", "failed", "created", "failed", "created"]
    assert preview["rows"][1]["errors"][0]["field"] == "inn"

    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(f"/api/v1/imports/{batch_id}/start")
    assert started.status_code == 202 and started.json()["job_id"]
    status = api.get(f"/api/v1/imports/{batch_id}").json()
    assert (status["state"], status["created"], status["failed"], status["rows_done"]) == ("done", 3, 2, 5)

    failed = api.get(f"/api/v1/imports/{batch_id}/rows", {"action": "failed"}).json()
    assert [item["row"] for item in failed["items"]] == [2, 4]
    assert failed["items"][0]["errors"][0]["column"] == "ИНН"
    download = api.get(f"/api/v1/imports/{batch_id}/failed-rows", {"format": "csv"})
    assert download.status_code == 200 and "Reason" in content(download).decode("utf-8-sig")

    again = api.post(f"/api/v1/imports/{batch_id}/start")
    assert again.status_code == 422 and again.json()["error"]["fields"]["state"]

    with django_capture_on_commit_callbacks(execute=True):
        undone = api.post(f"/api/v1/imports/{batch_id}/undo")
    assert undone.status_code == 202
    assert api.get(f"/api/v1/imports/{batch_id}").json()["state"] == "undone"
    assert not Client.objects.filter(workspace=head.workspace).exists()
    listing = api.get("/api/v1/imports").json()
    assert [item["id"] for item in listing["items"]] == [batch_id]


def test_the_api_refuses_bad_files_and_roles_without_the_permission(personas, api_as):
    api = api_as(personas.admin)
    response = api.client.post(
        "/api/v1/imports", {"kind": "company", "file": csv_upload("\x00\x01binary", "x.csv")}, headers=api.headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["file"][0].startswith("The file “x.csv” is not a table")
    readonly = api_as(personas.readonly)
    denied = readonly.client.post(
        "/api/v1/imports", {"kind": "company", "file": csv_upload(FILE)}, headers=readonly.headers
    )
    assert denied.status_code == 403
    assert not ImportBatch.objects.exists()


def test_the_preview_shows_the_cells_of_each_row(personas, client_as):
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as(personas.admin)
    text = "Название;ИНН;Город\nООО «Превью»;7707083893;Архангельск\n".encode("cp1251")
    response = client.post("/clients/imports/new/", {"kind": "company", "file": SimpleUploadedFile("k.csv", text)})
    columns_url = response["Location"]
    page = client.get(columns_url).content.decode()
    mapping = dict(re.findall(r'name="(col_\d+)"[^>]*>.*?<option value="([^"]*)" selected', page, re.S))
    preview = client.get(client.post(columns_url, {**mapping, "policy": "skip"})["Location"]).content.decode()
    assert "ООО «Превью»" in preview and "Архангельск" in preview and ">None<" not in preview
