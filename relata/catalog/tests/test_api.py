"""The catalog through the API: categories, products (filters, pages, optimistic locking
with 409), price lists and their prices, and the price of a product for a client; bad
input named by field with nothing written, and records of another workspace answering 404."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from conftest import Personas
from relata.catalog.models import Category, PriceListItem, Product
from relata.catalog.tests.helpers import (
    catalog_state,
    category,
    company,
    dynamic_segment,
    price_list,
    priced,
    product,
)

WHOLESALE = "Оптовая торговля стройматериалами"


def error_fields(response: Any) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = response.json()["error"]["fields"]
    return fields


def test_categories_are_added_moved_and_deleted(personas: Personas, api_as: Any) -> None:
    api = api_as(personas.admin)
    bricks = api.post("/api/v1/catalog/categories", {"name": "Кирпич"})
    assert bricks.status_code == 201 and bricks.json()["parent_id"] is None
    silicate = api.post("/api/v1/catalog/categories", {"name": "Силикатный", "parent_id": bricks.json()["id"]}).json()
    listed = api.get("/api/v1/catalog/categories").json()
    assert [c["name"] for c in listed["items"]] == ["Кирпич", "Силикатный"] and listed["count"] == 2
    before = catalog_state()
    loop = api.patch(f"/api/v1/catalog/categories/{bricks.json()['id']}", {"parent_id": silicate["id"]})
    assert loop.status_code == 422 and "inside itself" in error_fields(loop)["parent"][0]
    assert catalog_state() == before
    moved = api.patch(f"/api/v1/catalog/categories/{silicate['id']}", {"parent_id": None, "position": 1})
    assert moved.status_code == 200 and moved.json()["parent_id"] is None and moved.json()["position"] == 1
    assert api.delete(f"/api/v1/catalog/categories/{silicate['id']}").status_code == 204
    assert list(Category.objects.values_list("name", flat=True)) == ["Кирпич"]


def test_a_category_with_products_is_not_deleted(personas: Personas, api_as: Any) -> None:
    bricks = category(personas.admin)
    product(personas.admin, category=bricks.pk)
    before = catalog_state()
    response = api_as(personas.admin).delete(f"/api/v1/catalog/categories/{bricks.pk}")
    assert response.status_code == 422 and "holds 1 product" in response.json()["error"]["message"]
    assert catalog_state() == before


def test_products_are_created_listed_with_filters_and_pages(personas: Personas, api_as: Any) -> None:
    bricks = category(personas.admin)
    api = api_as(personas.admin)
    made = api.post(
        "/api/v1/catalog/products",
        {"name": "Кирпич силикатный М150", "sku": "KS-150", "category_id": bricks.pk, "unit": "wagon"},
    )
    assert made.status_code == 201
    body = made.json()
    assert (body["kind"], body["unit"], body["vat_rate"], body["version"], body["is_active"]) == (
        "product",
        "wagon",
        "22.00",
        1,
        True,
    )
    service = api.post(
        "/api/v1/catalog/products", {"name": "Доставка", "kind": "service", "vat_rate": None, "sku": "SRV"}
    ).json()
    assert (service["unit"], service["vat_rate"]) == ("service", None)
    for n in range(5):
        product(personas.admin, f"Цемент {n}")
    assert api.get("/api/v1/catalog/products", {"q": "ks-1"}).json()["count"] == 1
    assert api.get("/api/v1/catalog/products", {"category_id": bricks.pk}).json()["items"][0]["sku"] == "KS-150"
    assert [p["name"] for p in api.get("/api/v1/catalog/products", {"kind": "service"}).json()["items"]] == ["Доставка"]
    page = api.get("/api/v1/catalog/products", {"page": 2, "page_size": 3}).json()
    assert (page["count"], page["pages"], len(page["items"])) == (7, 3, 3)
    api.post(f"/api/v1/catalog/products/{service['id']}/archive")
    assert api.get("/api/v1/catalog/products", {"is_active": False}).json()["items"][0]["id"] == service["id"]
    assert api_as(personas.other).get("/api/v1/catalog/products").json()["count"] == 0


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"name": "Другой", "sku": "ks-150"}, "sku", "already used"),
        ({"name": "Другой", "vat_rate": 18}, "vat_rate", "0, 5, 7, 10, 20, 22"),
        ({"name": "Другой", "vat_rate": "18%"}, "vat_rate", "0, 5, 7, 10, 20, 22"),
        ({"name": "", "sku": "X"}, "name", "Name the product"),
        ({"name": "Другой", "unit": "bucket"}, "unit", "unit from the list"),
        ({"name": "Другой", "category_id": 999_999}, "category", "Choose a category"),
        ({"sku": "X"}, "name", "Field required"),
    ],
)
def test_bad_products_are_refused_by_field(
    personas: Personas, api_as: Any, payload: dict[str, Any], field: str, message: str
) -> None:
    product(personas.admin, sku="KS-150")
    before = catalog_state()
    response = api_as(personas.admin).post("/api/v1/catalog/products", payload)
    assert response.status_code == 422
    assert message in " ".join(error_fields(response)[field])
    assert catalog_state() == before


def test_a_stale_patch_answers_409_with_the_current_values(personas: Personas, api_as: Any) -> None:
    made = product(personas.admin, sku="KS-150")
    api = api_as(personas.admin)
    first = api.patch(f"/api/v1/catalog/products/{made.pk}", {"version": 1, "name": "Кирпич М175"})
    assert first.status_code == 200 and first.json()["version"] == 2
    before = catalog_state()
    stale = api.patch(f"/api/v1/catalog/products/{made.pk}", {"version": 1, "name": "Кирпич М200", "sku": "KS-200"})
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "conflict" and error["current_version"] == 2
    assert error["changed_by_others"] == {"name": "Кирпич М175", "sku": "KS-150"}
    assert catalog_state() == before
    assert api.patch(f"/api/v1/catalog/products/{made.pk}", {"name": "Без версии"}).status_code == 422


def test_archive_and_restore_and_the_prices_of_a_product(personas: Personas, api_as: Any) -> None:
    made = product(personas.admin)
    priced(personas.admin, price_list(personas.admin), made, "19800")
    api = api_as(personas.admin)
    assert api.post(f"/api/v1/catalog/products/{made.pk}/archive").json()["is_active"] is False
    assert api.post(f"/api/v1/catalog/products/{made.pk}/restore").json()["is_active"] is True
    prices = api_as(personas.readonly).get(f"/api/v1/catalog/products/{made.pk}/prices").json()
    assert [(p["price"], p["sku"]) for p in prices] == [("19800.00", made.sku)]


def test_price_lists_and_their_prices(personas: Personas, api_as: Any) -> None:
    api = api_as(personas.admin)
    wholesale = dynamic_segment(personas.head, "Оптовики", WHOLESALE)
    base = api.post("/api/v1/catalog/price-lists", {"name": "Базовый"}).json()
    assert (base["currency"], base["segment_id"], base["is_active"]) == ("RUB", None, True)
    second = api.post("/api/v1/catalog/price-lists", {"name": "Второй"})
    assert second.status_code == 422 and "already the active base list" in error_fields(second)["segment"][0]
    bulk = api.post(
        "/api/v1/catalog/price-lists", {"name": "Оптовый", "segment_id": wholesale.pk, "priority": 10}
    ).json()
    assert bulk["segment_id"] == wholesale.pk
    assert api.get("/api/v1/catalog/price-lists", {"currency": "rub"}).json()["count"] == 2
    brick = product(personas.admin, sku="KS-150")
    url = f"/api/v1/catalog/price-lists/{base['id']}/items/{brick.pk}"
    put = api.put(url, {"price": "19 800,50"})
    assert put.status_code == 200 and put.json()["price"] == "19800.50" and put.json()["product_name"] == brick.name
    assert api.put(url, {"price": 21000}).json()["price"] == "21000.00"
    items = api.get(f"/api/v1/catalog/price-lists/{base['id']}/items").json()
    assert [(i["product_id"], i["price"]) for i in items["items"]] == [(brick.pk, "21000.00")]
    changed = api.patch(f"/api/v1/catalog/price-lists/{bulk['id']}", {"segment_id": None})
    assert changed.status_code == 422  # it would be a second active base list
    assert api.patch(f"/api/v1/catalog/price-lists/{bulk['id']}", {"is_active": False}).json()["is_active"] is False
    assert api.delete(url).status_code == 204 and not PriceListItem.objects.exists()
    assert api.delete(url).status_code == 422  # no price to remove
    assert api.delete(f"/api/v1/catalog/price-lists/{bulk['id']}").status_code == 204


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"price": -1}, "zero or more"),
        ({"price": "-0.01"}, "zero or more"),
        ({"price": "12abc"}, "Enter a number"),
        ({"price": ""}, "Enter an amount"),
    ],
)
def test_bad_prices_are_refused_by_field(
    personas: Personas, api_as: Any, payload: dict[str, Any], message: str
) -> None:
    base = price_list(personas.admin)
    brick = product(personas.admin)
    before = catalog_state()
    response = api_as(personas.admin).put(f"/api/v1/catalog/price-lists/{base.pk}/items/{brick.pk}", payload)
    assert response.status_code == 422 and message in " ".join(error_fields(response)["price"])
    assert catalog_state() == before


def test_bad_price_lists_are_refused_by_field(personas: Personas, api_as: Any) -> None:
    api = api_as(personas.admin)
    before = catalog_state()
    response = api.post("/api/v1/catalog/price-lists", {"name": "Плохой", "currency": "RUBX"})
    assert response.status_code == 422 and "three-letter" in error_fields(response)["currency"][0]
    theirs = dynamic_segment(personas.other, "Их сегмент", WHOLESALE)
    response = api.post("/api/v1/catalog/price-lists", {"name": "Чужой", "segment_id": theirs.pk})
    assert response.status_code == 422 and "segment" in error_fields(response)
    assert catalog_state() == before


def test_records_of_another_workspace_answer_404_and_nothing_changes(personas: Personas, api_as: Any) -> None:
    base = price_list(personas.admin)
    ours = product(personas.admin)
    theirs = product(personas.other, "Их товар")
    their_list = price_list(personas.other, "Их прайс")
    api = api_as(personas.admin)
    before = catalog_state()
    assert api.put(f"/api/v1/catalog/price-lists/{base.pk}/items/{theirs.pk}", {"price": 1}).status_code == 404
    assert api.put(f"/api/v1/catalog/price-lists/{their_list.pk}/items/{ours.pk}", {"price": 1}).status_code == 404
    assert api.put(f"/api/v1/catalog/price-lists/{base.pk}/items/999999", {"price": 1}).status_code == 404
    assert api.patch(f"/api/v1/catalog/products/{theirs.pk}", {"version": 1, "name": "Взлом"}).status_code == 404
    assert api.get(f"/api/v1/catalog/products/{theirs.pk}").status_code == 404
    assert catalog_state() == before


def test_readers_are_refused_writes_with_403(personas: Personas, api_as: Any) -> None:
    made = product(personas.admin)
    api = api_as(personas.manager1)
    before = catalog_state()
    assert api.post("/api/v1/catalog/products", {"name": "Мой"}).status_code == 403
    assert api.patch(f"/api/v1/catalog/products/{made.pk}", {"version": 1, "name": "Мой"}).status_code == 403
    assert api.post(f"/api/v1/catalog/products/{made.pk}/archive").status_code == 403
    assert api.post("/api/v1/catalog/categories", {"name": "Моя"}).status_code == 403
    assert catalog_state() == before
    assert api.get(f"/api/v1/catalog/products/{made.pk}").status_code == 200


def test_the_price_for_a_client(personas: Personas, api_as: Any) -> None:
    admin = personas.admin
    brick = product(admin, sku="KS-150")
    wholesaler = company(personas.manager1, "ООО «Оптовик»", industry=WHOLESALE)
    builder = company(personas.manager1, "ООО «Стройка»")
    theirs = company(personas.manager2, "ООО «Чужой»", industry=WHOLESALE)
    wholesale = dynamic_segment(personas.head, "Оптовики", WHOLESALE)
    base = price_list(admin)
    priced(admin, base, brick, "19800")
    priced(admin, price_list(admin, "Оптовый", segment=wholesale.pk, priority=10), brick, "18400")
    api = api_as(personas.manager1)
    got = api.get("/api/v1/catalog/price", {"product_id": brick.pk, "client_id": wholesaler.pk}).json()
    assert (got["price"], got["price_list_name"], got["vat_rate"], got["currency"]) == (
        "18400.00",
        "Оптовый",
        "22.00",
        "RUB",
    )
    got = api.get("/api/v1/catalog/price", {"product_id": brick.pk, "client_id": builder.pk}).json()
    assert (got["price"], got["price_list_id"]) == ("19800.00", base.pk)
    assert api.get("/api/v1/catalog/price", {"product_id": brick.pk}).json()["price"] == "19800.00"
    none = api.get("/api/v1/catalog/price", {"product_id": brick.pk, "currency": "EUR"}).json()
    assert (none["price"], none["price_list_id"], none["currency"]) == (None, None, "EUR")
    # A client the manager does not see, a product of another workspace: 404.
    assert api.get("/api/v1/catalog/price", {"product_id": brick.pk, "client_id": theirs.pk}).status_code == 404
    their_product = product(personas.other, "Их товар")
    assert api.get("/api/v1/catalog/price", {"product_id": their_product.pk}).status_code == 404
    bad = api.get("/api/v1/catalog/price", {"product_id": brick.pk, "currency": "RUBX"})
    assert bad.status_code == 422 and "currency" in error_fields(bad)


def test_product_vat_is_kept_exact(personas: Personas, api_as: Any) -> None:
    made = api_as(personas.admin).post("/api/v1/catalog/products", {"name": "Детское", "vat_rate": 10}).json()
    assert Product.objects.get(pk=made["id"]).vat_rate == Decimal("10.00")
