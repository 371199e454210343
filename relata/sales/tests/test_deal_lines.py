"""Deal lines: prices from the client's price list, totals with discount and VAT, the
deal's amount as their sum; bad lines are refused naming the line and write nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from relata.catalog.tests.helpers import company, dynamic_segment, price_list, priced, product
from relata.core.concurrency import StaleVersion
from relata.sales.models import Deal, DealLine
from relata.sales.services.lines import deal_lines_set
from relata.sales.tests.helpers import deal


@pytest.fixture
def catalog(personas):
    admin = personas.admin
    brick = product(admin, "Кирпич М150", sku="K-150", vat_rate="22")
    cement = product(admin, "Цемент М500", sku="C-500", vat_rate="22")
    base = price_list(admin, "Базовый")
    priced(admin, base, brick, "15000")
    priced(admin, base, cement, "450")
    wholesale = price_list(admin, "Оптовый", segment=dynamic_segment(admin, "Опт", "Опт").pk, priority=10)
    priced(admin, wholesale, brick, "13500")
    return {"brick": brick, "cement": cement}


def test_lines_take_the_clients_price_list_and_make_the_amount(personas, catalog):
    m1 = personas.manager1
    retail = deal(m1, "Розница", client=company(m1, "ООО «Розница»").pk)
    wholesale = deal(m1, "Опт", client=company(m1, "ООО «Опт»", industry="Опт").pk)
    lines = [
        {"product": catalog["brick"].pk, "quantity": "3"},
        {"product": catalog["cement"].pk, "quantity": "10", "discount": "10"},
        {"name": "Доставка манипулятором", "quantity": "1", "price": "12 000", "vat_rate": "22"},
    ]
    saved = deal_lines_set(m1, retail.pk, version=1, lines=lines)
    assert saved.amount == Decimal("3") * 15000 + Decimal("4050.00") + 12000 and saved.version == 2
    first = DealLine.objects.filter(deal=retail).order_by("position").first()
    assert first.price == 15000 and first.vat_rate == 22 and first.total == 45000
    assert first.vat_amount == Decimal("8114.75")  # 45 000 × 22 / 122
    assert deal_lines_set(m1, wholesale.pk, version=1, lines=lines[:1]).amount == 3 * 13500


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"name": "X", "quantity": "-1", "price": "1"}, "lines.0.quantity"),
        ({"name": "X", "quantity": "1", "price": "-5"}, "lines.0.price"),
        ({"name": "X", "quantity": "1", "price": "1", "discount": "120"}, "lines.0.discount"),
        ({"name": "X", "quantity": "1", "price": "1", "vat_rate": "18"}, "lines.0.vat_rate"),
        ({"quantity": "1", "price": "1"}, "lines.0.name"),
        ({"product": 999_999, "quantity": "1"}, "lines.0.product"),
    ],
)
def test_a_bad_line_is_refused_by_name_and_nothing_changes(personas, catalog, line, field):
    m1 = personas.manager1
    created = deal(m1, amount="100")
    deal_lines_set(m1, created.pk, version=1, lines=[{"product": catalog["cement"].pk, "quantity": "2"}])
    with pytest.raises(ValidationError) as caught:
        deal_lines_set(m1, created.pk, version=2, lines=[{"name": "ok", "quantity": "1", "price": "1"}, line])
    shifted = field.replace("lines.0", "lines.1")
    assert shifted in caught.value.message_dict
    assert list(DealLine.objects.filter(deal=created).values_list("name", flat=True)) == ["Цемент М500"]
    assert Deal.objects.get(pk=created.pk).amount == 900 and Deal.objects.get(pk=created.pk).version == 2


def test_a_product_without_a_price_in_the_currency_asks_for_one(personas, catalog):
    m1 = personas.manager1
    created = deal(m1, currency="EUR")
    with pytest.raises(ValidationError) as caught:
        deal_lines_set(m1, created.pk, version=1, lines=[{"product": catalog["brick"].pk, "quantity": "1"}])
    assert "EUR" in caught.value.message_dict["lines.0.price"][0]


def test_a_stale_save_of_the_lines_is_refused(personas, catalog):
    m1 = personas.manager1
    created = deal(m1)
    deal_lines_set(m1, created.pk, version=1, lines=[{"product": catalog["brick"].pk, "quantity": "1"}])
    with pytest.raises(StaleVersion):
        deal_lines_set(m1, created.pk, version=1, lines=[{"product": catalog["cement"].pk, "quantity": "1"}])
    assert list(DealLine.objects.filter(deal=created).values_list("name", flat=True)) == ["Кирпич М150"]


def test_the_lines_page_and_the_api(personas, catalog, api_as):
    m1 = personas.manager1
    created = deal(m1)
    browser = Client()
    browser.force_login(m1.user)
    url = reverse("sales:deal_lines", args=[created.pk])
    page = browser.get(url)
    assert page.status_code == 200 and "Кирпич М150" in page.content.decode()
    bad = browser.post(url, {"version": 1, "product": [catalog["brick"].pk], "name": [""], "quantity": ["0"]})
    assert bad.status_code == 400 and not DealLine.objects.exists()
    good = browser.post(
        url,
        {
            "version": 1,
            "product": [catalog["brick"].pk, ""],
            "name": ["", "Доставка"],
            "quantity": ["2", "1"],
            "price": ["", "5000"],
            "discount": ["", ""],
            "vat_rate": ["22", ""],
        },
    )
    assert good.status_code == 302 and Deal.objects.get(pk=created.pk).amount == 35000
    shown = browser.get(reverse("sales:deal", args=[created.pk])).content.decode()
    assert "Доставка" in shown and 'data-testid="deal-lines"' in shown
    api = api_as(m1)
    assert [line["name"] for line in api.get(f"/api/v1/deals/{created.pk}/lines").json()] == ["Кирпич М150", "Доставка"]
    replaced = api.put(
        f"/api/v1/deals/{created.pk}/lines",
        {"version": 2, "lines": [{"product_id": catalog["cement"].pk, "quantity": "4"}]},
    )
    assert replaced.status_code == 200 and replaced.json()["amount"] == "1800.00"
    refused = api.put(f"/api/v1/deals/{created.pk}/lines", {"version": 3, "lines": [{"quantity": "-1", "name": "X"}]})
    assert refused.status_code == 422 and "lines.0.quantity" in refused.json()["error"]["fields"]
