"""The client base as a manager and an administrator use it: import a CSV through the
wizard and watch it finish, find a person by a phone fragment typed another way, merge
two duplicates, build a segment with the condition builder and export it."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from e2e.pages import ImportWizard, LoginPage, MergePage, SearchBox, SegmentsPage
from relata.clients.models import Client
from relata.clients.services.clients import client_create
from relata.core.demo import DEMO_PASSWORD
from relata.core.models import Event, Membership


def test_find_a_person_by_a_phone_fragment_typed_another_way(page: Page, live_server, demo) -> None:
    manager = Membership.objects.get(user__email="manager@demo.relata.test")
    person = client_create(
        manager, kind="person", values={"last_name": "Голубева", "first_name": "Ирина", "phones": ["+7 903 555-44-33"]}
    )
    LoginPage(page, live_server.url).log_in("manager@demo.relata.test", DEMO_PASSWORD)
    search = SearchBox(page, live_server.url)
    search.find("8 (903) 555 44")
    expect(page.get_by_test_id("search-results")).to_contain_text("Голубева Ирина")
    search.open_hit("Голубева Ирина")
    expect(page).to_have_url(f"{live_server.url}/clients/{person.pk}/")
    expect(page.get_by_test_id("client-contacts")).to_contain_text("+7 903 555-44-33")


def test_build_a_segment_and_export_it(page: Page, live_server, demo) -> None:
    manager = Membership.objects.get(user__email="manager@demo.relata.test")
    for name, city in [
        ("ООО «Нововертинский кирпич»", "Нововертинск"),
        ("ООО «Нововертинская керамика»", "Нововертинск"),
        ("ООО «Казанский бетон»", "Казань"),
    ]:
        client_create(manager, kind="company", values={"name": name, "addresses": [{"city": city}]})
    LoginPage(page, live_server.url).log_in("admin@demo.relata.test", DEMO_PASSWORD)
    SegmentsPage(page, live_server.url).create_dynamic("company", "Нововертинск", "City", "is", "Нововертинск")
    expect(page).to_have_url(re.compile(r"/clients/companies/\?segment=\d+"))
    expect(page.get_by_test_id("list-table")).to_contain_text("Нововертинский кирпич")
    expect(page.get_by_test_id("list-table")).not_to_contain_text("Казанский бетон")
    page.goto(f"{live_server.url}/clients/segments/")
    row = page.get_by_test_id("segment-table").locator("tr", has_text="Нововертинск")
    expect(row.get_by_test_id("segment-count")).to_have_text("2")
    with page.expect_download() as download:
        row.get_by_test_id("segment-export").click()
    with open(download.value.path(), "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    names = sorted(r[0].value for r in sheet.iter_rows(min_row=2))
    assert names == ["ООО «Нововертинская керамика»", "ООО «Нововертинский кирпич»"]
    assert Event.objects.get(kind="client.exported").data["rows"] == 2


def test_import_a_csv_through_the_wizard_and_watch_it_finish(page: Page, live_server, demo) -> None:
    csv_text = (
        "Название;ИНН;Телефон;Эл. почта;Город\n"
        "ООО «Импорт-Север»;7707083893;8 (916) 700-00-01;sever@import.example;Архангельск\n"
        "ООО «Импорт-Юг»;;+7 916 700 00 02;yug@import.example;Сочи\n"
        "ООО «Ошибка»;123;;;Сочи\n"
    ).encode("cp1251")
    # The head of sales may import (a sales manager may not).
    LoginPage(page, live_server.url).log_in("head@demo.relata.test", DEMO_PASSWORD)
    wizard = ImportWizard(page, live_server.url)
    wizard.upload("company", "клиенты.csv", csv_text)
    columns = page.get_by_test_id("import-columns")
    expect(columns).to_contain_text("ИНН")  # Windows-1251 headers read and mapped
    wizard.confirm_columns()
    expect(page.get_by_test_id("import-preview")).to_contain_text("Импорт-Север")
    wizard.run()
    progress = page.get_by_test_id("import-progress")
    expect(progress).to_have_attribute("data-state", "done", timeout=30_000)
    expect(page.get_by_test_id("import-counts")).to_contain_text("2")
    expect(page.get_by_test_id("import-problems")).to_contain_text("INN")
    assert Client.objects.filter(name__startswith="ООО «Импорт-").count() == 2
    found = Client.objects.get(name="ООО «Импорт-Север»")
    assert (found.primary_phone, found.city) == ("+79167000001", "Архангельск")


def test_merge_two_duplicates(page: Page, live_server, demo) -> None:
    manager = Membership.objects.get(user__email="manager@demo.relata.test")
    first = client_create(manager, kind="company", values={"name": "ООО «Дубль»", "phones": ["+7 916 800 00 01"]})
    second = client_create(
        manager,
        kind="company",
        values={"name": "Дубль ООО", "phones": ["+7 916 800 00 02"], "emails": ["dubl@example.com"]},
    )
    LoginPage(page, live_server.url).log_in("manager@demo.relata.test", DEMO_PASSWORD)
    MergePage(page, live_server.url).merge(first.pk, second.pk)
    expect(page).to_have_url(f"{live_server.url}/clients/{first.pk}/")
    contacts = page.get_by_test_id("client-contacts")
    expect(contacts).to_contain_text("+7 916 800-00-02")
    expect(contacts).to_contain_text("dubl@example.com")
    assert not Client.objects.filter(pk=second.pk).exists()
    page.goto(f"{live_server.url}/clients/{second.pk}/")  # the old address leads to the survivor
    expect(page).to_have_url(f"{live_server.url}/clients/{first.pk}/")
