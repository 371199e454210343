"""The client base as a manager and an administrator use it: find a person by a phone
fragment typed another way, build a segment with the condition builder and export it."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from e2e.pages import LoginPage, SearchBox, SegmentsPage
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
