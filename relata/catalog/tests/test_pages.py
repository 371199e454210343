"""The catalog's pages: the navigation entry, the products list (search, filters, sort,
pages), the product form (field errors, a stale save showing the other user's change),
the product page with its prices, the category tree, price lists and their prices edited
in place; and the number of queries of the lists, pinned."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import Personas
from relata.catalog.models import Category, PriceList, PriceListItem, Product
from relata.catalog.services.products import product_archive, product_update
from relata.catalog.tests.helpers import catalog_state, category, dynamic_segment, price_list, priced, product
from relata.core.models import Event

Client = Any


def page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return str(response.content.decode())


def test_the_catalog_is_in_the_navigation_of_those_who_may_read_it(personas: Personas, client_as: Any) -> None:
    assert 'data-nav="catalog"' in page(client_as(personas.manager1), "/")
    role = personas.readonly.role
    role.permissions = [p for p in role.permissions if p != "catalog.view"]
    role.save()
    assert 'data-nav="catalog"' not in page(client_as(personas.readonly), "/")
    ws = personas.admin.workspace
    ws.enabled_modules = [m for m in ws.enabled_modules if m != "catalog"]
    ws.save()
    assert 'data-nav="catalog"' not in page(client_as(personas.admin), "/")
    assert client_as(personas.admin).get("/catalog/").status_code == 404


def test_the_products_list_searches_filters_and_sorts(personas: Personas, client_as: Any) -> None:
    admin = personas.admin
    bricks = category(admin, "Кирпич")
    silicate = category(admin, "Силикатный", bricks)
    product(admin, "Кирпич белый", sku="KS-W", category=silicate.pk)
    product(admin, "Кирпич красный", sku="KK-R", category=bricks.pk)
    old = product(admin, "Кирпич старый", sku="OLD-1")
    product(admin, "Доставка манипулятором", kind="service", sku="SRV-1", unit="hour")
    product_archive(admin, product_id=old.pk)
    client = client_as(personas.readonly)
    listing = page(client, "/catalog/")
    assert "Кирпич белый" in listing and "Доставка манипулятором" in listing and "Кирпич старый" not in listing
    assert "New product" not in listing  # a reader cannot add
    assert "Кирпич белый" in page(client, "/catalog/?q=БЕЛЫЙ") and "красный" not in page(client, "/catalog/?q=БЕЛЫЙ")
    assert "Доставка" in page(client, "/catalog/?q=srv-1")
    in_bricks = page(client, f"/catalog/?category={bricks.pk}")
    assert "Кирпич белый" in in_bricks and "Кирпич красный" in in_bricks and "Доставка" not in in_bricks
    services = page(client, "/catalog/?kind=service")
    assert "Доставка" in services and "Кирпич белый" not in services
    archived = page(client, "/catalog/?is_active=archived")
    assert "Кирпич старый" in archived and "out of use" in archived and "Кирпич белый" not in archived
    assert "Кирпич старый" in page(client, "/catalog/?is_active=all")
    descending = page(client, "/catalog/?sort=-name")
    assert descending.index("Кирпич красный") < descending.index("Кирпич белый")
    results = client.get("/catalog/?q=кирпич", headers={"HX-Request": "true", "HX-Target": "list-results"})
    assert results.status_code == 200 and b"<html" not in results.content and "Кирпич белый" in results.content.decode()


def test_the_products_list_pages(personas: Personas, client_as: Any) -> None:
    for n in range(30):
        product(personas.admin, f"Товар {n:02d}")
    client = client_as(personas.admin)
    first = page(client, "/catalog/?page_size=25")
    assert "Товар 00" in first and "Товар 25" not in first and "1–25 of 30" in first
    assert "Товар 25" in page(client, "/catalog/?page_size=25&page=2")


def test_a_product_is_added_and_edited_through_the_form(personas: Personas, client_as: Any) -> None:
    bricks = category(personas.admin, "Кирпич")
    client = client_as(personas.admin)
    form = page(client, "/catalog/products/new/")
    assert "Without VAT" in form and "22%" in form and "thousand pcs" in form
    response = client.post(
        "/catalog/products/new/",
        {
            "kind": "product",
            "name": "Кирпич силикатный М150",
            "sku": "KS-150",
            "category": bricks.pk,
            "unit": "wagon",
            "vat_rate": "22",
        },
    )
    made = Product.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/catalog/products/{made.pk}/"
    assert (made.unit, str(made.vat_rate), made.category_id) == ("wagon", "22.00", bricks.pk)
    detail = page(client, f"/catalog/products/{made.pk}/")
    assert "Кирпич силикатный М150" in detail and "wagon" in detail and "22%" in detail
    edit = page(client, f"/catalog/products/{made.pk}/edit/")
    assert 'name="version" value="1"' in edit
    response = client.post(
        f"/catalog/products/{made.pk}/edit/",
        {"kind": "product", "name": "Кирпич М150", "sku": "KS-150", "unit": "thousand", "vat_rate": "", "version": 1},
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert (made.name, made.unit, made.vat_rate, made.category_id, made.version) == (
        "Кирпич М150",
        "thousand",
        None,
        None,
        2,
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required"),
        ({"sku": "ks-150"}, "sku", "already used"),
        ({"vat_rate": "18"}, "vat_rate", "Select a valid choice"),
        ({"unit": "bucket"}, "unit", "Select a valid choice"),
        ({"category": "999999"}, "category", "Select a valid choice"),
    ],
)
def test_the_product_form_names_the_bad_field_and_adds_nothing(
    personas: Personas, client_as: Any, data: dict[str, str], field: str, message: str
) -> None:
    product(personas.admin, sku="KS-150")
    before = catalog_state()
    values = {"kind": "product", "name": "Другой", "sku": "", "unit": "piece", "vat_rate": "22", **data}
    response = client_as(personas.admin).post("/catalog/products/new/", values)
    assert response.status_code == 400
    assert message in " ".join(str(e) for e in response.context["form"].errors[field])
    assert catalog_state() == before


def test_a_stale_save_shows_the_other_users_change(personas: Personas, client_as: Any) -> None:
    made = product(personas.admin, sku="KS-150")
    product_update(personas.admin, product_id=made.pk, version=1, values={"name": "Кирпич М175 (их)"})
    before = catalog_state()
    response = client_as(personas.admin).post(
        f"/catalog/products/{made.pk}/edit/",
        {
            "kind": "product",
            "name": "Кирпич М200 (мой)",
            "sku": "KS-150",
            "unit": "thousand",
            "vat_rate": "22",
            "version": 1,
        },
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert 'data-testid="conflict"' in body and "Кирпич М175 (их)" in body
    assert catalog_state() == before


def test_archive_and_restore_from_the_product_page(personas: Personas, client_as: Any) -> None:
    made = product(personas.admin)
    client = client_as(personas.admin)
    assert 'data-testid="product-archive"' in page(client, f"/catalog/products/{made.pk}/")
    assert client.post(f"/catalog/products/{made.pk}/archive/").status_code == 302
    made.refresh_from_db()
    assert not made.is_active
    assert 'data-testid="product-restore"' in page(client, f"/catalog/products/{made.pk}/")
    client.post(f"/catalog/products/{made.pk}/restore/")
    made.refresh_from_db()
    assert made.is_active
    reader = page(client_as(personas.readonly), f"/catalog/products/{made.pk}/")
    assert "product-archive" not in reader and "product-edit" not in reader


def test_the_product_page_shows_its_prices_in_every_list(personas: Personas, client_as: Any) -> None:
    admin = personas.admin
    brick = product(admin)
    wholesale = dynamic_segment(personas.head, "Оптовики", "Опт")
    priced(admin, price_list(admin, "Базовый"), brick, "19800")
    priced(admin, price_list(admin, "Оптовый", segment=wholesale.pk, priority=10), brick, "18400")
    priced(admin, price_list(admin, "Export", currency="EUR"), brick, "205.5")
    body = page(client_as(personas.manager1), f"/catalog/products/{brick.pk}/")
    for text in ("Базовый", "Оптовый", "“Оптовики”", "every client", "19,800.00 RUB", "205.50 EUR"):
        assert text in body, text


def test_the_category_tree_adds_moves_and_refuses(personas: Personas, client_as: Any) -> None:
    client = client_as(personas.admin)
    assert "No categories yet" in page(client, "/catalog/categories/")
    assert client.post("/catalog/categories/new/", {"name": "Кирпич"}).status_code == 302
    bricks = Category.objects.get()
    client.post("/catalog/categories/new/", {"name": "Силикатный", "parent": bricks.pk})
    silicate = Category.objects.get(name="Силикатный")
    tree = page(client, "/catalog/categories/")
    assert tree.index("Кирпич") < tree.index("Силикатный") and "Add a category" in tree
    # The category and its subcategories are not offered as its new place.
    edit = page(client, f"/catalog/categories/{bricks.pk}/")
    assert f'value="{silicate.pk}"' not in edit
    before = catalog_state()
    response = client.post(f"/catalog/categories/{bricks.pk}/", {"name": "Кирпич", "parent": silicate.pk})
    assert response.status_code == 400 and catalog_state() == before
    response = client.post("/catalog/categories/new/", {"name": "КИРПИЧ"})
    assert response.status_code == 400 and "already a category" in response.content.decode()
    response = client.post(f"/catalog/categories/{bricks.pk}/delete/", follow=True)
    assert "has subcategories" in response.content.decode() and Category.objects.count() == 2
    client.post(f"/catalog/categories/{silicate.pk}/", {"name": "Силикатный", "parent": ""})
    client.post(f"/catalog/categories/{bricks.pk}/delete/")
    assert list(Category.objects.values_list("name", flat=True)) == ["Силикатный"]
    assert "Add a category" not in page(client_as(personas.readonly), "/catalog/categories/")


def test_price_lists_are_made_with_a_segment_and_refused_when_wrong(personas: Personas, client_as: Any) -> None:
    wholesale = dynamic_segment(personas.head, "Оптовики", "Опт")
    client = client_as(personas.admin)
    form = page(client, "/catalog/price-lists/new/")
    assert "Оптовики (companies)" in form and 'value="RUB"' in form
    response = client.post(
        "/catalog/price-lists/new/",
        {"name": "Оптовый", "currency": "rub", "segment": wholesale.pk, "priority": "10", "is_active": "on"},
    )
    made = PriceList.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/catalog/price-lists/{made.pk}/"
    assert (made.currency, made.segment_id, made.priority) == ("RUB", wholesale.pk, 10)
    before = catalog_state()
    response = client.post("/catalog/price-lists/new/", {"name": "Плохой", "currency": "RUBX", "is_active": "on"})
    assert response.status_code == 400 and "three-letter currency code" in response.content.decode()
    assert catalog_state() == before
    listing = page(client_as(personas.readonly), "/catalog/price-lists/")
    assert "Оптовый" in listing and "“Оптовики”" in listing and "New price list" not in listing


def test_prices_are_added_changed_in_place_and_removed(personas: Personas, client_as: Any) -> None:
    admin = personas.admin
    base = price_list(admin)
    brick, cement = product(admin, "Кирпич", sku="KS-150"), product(admin, "Цемент", sku="CEM")
    client = client_as(admin)
    url = f"/catalog/price-lists/{base.pk}/"
    assert "Add a price" in page(client, url)
    response = client.post(f"{url}prices/", {"product": brick.pk, "price": "19 800,50"})
    assert response.status_code == 302
    assert PriceListItem.objects.get().price == 19800.5
    body = page(client, url)
    assert 'id="price-' + str(brick.pk) + '"' in body and 'value="19800.50"' in body
    # The picker offers only the products not yet priced.
    assert f'<option value="{cement.pk}"' in body and f'<option value="{brick.pk}"' not in body
    htmx = {"HX-Request": "true", "HX-Target": f"price-{brick.pk}"}
    row = client.post(f"{url}prices/", {"product": brick.pk, "price": "21000"}, headers=htmx)
    assert row.status_code == 200 and row.content.decode().lstrip().startswith("<tr")
    assert str(PriceListItem.objects.get().price) == "21000.00"
    before = catalog_state()
    for bad, message in (("-5", "zero or more"), ("12abc", "Enter a number")):
        row = client.post(f"{url}prices/", {"product": brick.pk, "price": bad}, headers=htmx)
        assert row.status_code == 400 and message in row.content.decode() and "<html" not in row.content.decode()
    assert catalog_state() == before
    response = client.post(f"{url}prices/", {"product": brick.pk, "price": "-1"})
    assert response.status_code == 400 and "zero or more" in response.content.decode()
    gone = client.post(f"{url}prices/{brick.pk}/remove/", headers=htmx)
    assert gone.status_code == 200 and gone.content == b"" and not PriceListItem.objects.exists()
    assert Event.objects.filter(kind="price.removed").count() == 1


def test_a_reader_sees_prices_without_the_forms(personas: Personas, client_as: Any) -> None:
    base = price_list(personas.admin)
    priced(personas.admin, base, product(personas.admin), "19800")
    body = page(client_as(personas.manager1), f"/catalog/price-lists/{base.pk}/")
    assert "19,800.00" in body and "Add a price" not in body and "price-remove" not in body


def test_the_price_of_a_product_of_another_workspace_is_refused_on_the_page(personas: Personas, client_as: Any) -> None:
    base = price_list(personas.admin)
    theirs = product(personas.other, "Их товар")
    before = catalog_state()
    response = client_as(personas.admin).post(
        f"/catalog/price-lists/{base.pk}/prices/", {"product": theirs.pk, "price": "1"}
    )
    assert response.status_code == 400 and catalog_state() == before


# --- Query counts -------------------------------------------------------------------------


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def grow(personas: Personas, start: int, count: int, base: PriceList) -> None:
    admin = personas.admin
    categories = list(Category.objects.filter(workspace=admin.workspace))
    for n in range(start, start + count):
        made = product(admin, f"Товар {n:03d}", sku=f"SKU-{n}", category=categories[n % len(categories)].pk)
        priced(admin, base, made, str(100 + n))
        if n % 3 == 0:
            product(admin, f"Непроданный {n:03d}")


@pytest.mark.parametrize(("path", "ceiling"), [("/catalog/", 7), ("/catalog/price-lists/{pk}/", 8)])
def test_catalog_lists_have_a_constant_number_of_queries(
    personas: Personas, client_as: Any, path: str, ceiling: int
) -> None:
    admin = personas.admin
    bricks = category(admin, "Кирпич")
    category(admin, "Силикатный", bricks)
    category(admin, "Цемент")
    base = price_list(admin)
    client = client_as(admin)
    url = path.format(pk=base.pk)
    grow(personas, 0, 3, base)
    client.get(url)  # warm the session and the content-type cache
    few = queries_for(client, url)
    grow(personas, 3, 30, base)
    many = queries_for(client, url)
    assert few == many, f"{url}: {few} queries with few rows, {many} with more"
    assert many <= ceiling, many


def test_a_list_pricing_every_product_says_so_instead_of_an_empty_picker(personas: Personas, client_as: Any) -> None:
    base = price_list(personas.admin)
    priced(personas.admin, base, product(personas.admin), "10")
    body = page(client_as(personas.admin), f"/catalog/price-lists/{base.pk}/")
    assert 'data-testid="price-all-priced"' in body and 'data-testid="price-add"' not in body
