"""Deals, leads and products in the global search box, within the searcher's scope;
and the board's search, which folds Cyrillic case on SQLite too."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from relata.catalog.tests.helpers import product
from relata.sales.models import Lead
from relata.sales.selectors.deals import BoardFilters, deals_visible_to, filter_deals
from relata.sales.tests.helpers import deal


def searched(member, text: str) -> str:
    browser = Client()
    browser.force_login(member.user)
    return browser.get(reverse("web:search"), {"q": text}).content.decode()


def test_the_search_box_finds_deals_leads_and_products_in_scope(personas):
    deal(personas.manager1, "Кирпич для склада в Подольске")
    deal(personas.manager2, "Кирпич для соседа")
    Lead.objects.create(
        workspace_id=personas.manager1.workspace_id,
        owner_id=personas.manager1.user_id,
        contact_name="Пётр Кирпичников",
        phone="+79161234567",
    )
    product(personas.admin, "Кирпич силикатный М150", sku="KS-150")
    page = searched(personas.manager1, "кирпич")
    assert "Кирпич для склада в Подольске" in page and "Кирпич для соседа" not in page
    assert "Пётр Кирпичников" in page and "Кирпич силикатный М150" in page
    assert "Пётр Кирпичников" in searched(personas.manager1, "916 123-45")  # a phone fragment
    assert "Кирпич для склада" not in searched(personas.other, "кирпич")


def test_the_board_search_ignores_case_in_cyrillic(personas):
    deal(personas.manager1, "Кирпич М150")
    found = filter_deals(personas.manager1, deals_visible_to(personas.manager1), BoardFilters(q="кирпич"))
    assert [d.title for d in found] == ["Кирпич М150"]
