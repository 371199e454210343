"""Categories and products through the services: the tree and its refusals, products
with their unit, VAT and SKU, optimistic locking, out of use and back; and that a refused
write leaves nothing behind."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from conftest import Personas
from relata.catalog.models import Category, Product
from relata.catalog.selectors.categories import category_choices, category_tree
from relata.catalog.selectors.products import filter_products, products_in_use, products_visible_to
from relata.catalog.services.categories import category_delete, category_save
from relata.catalog.services.products import product_archive, product_create, product_restore, product_update
from relata.catalog.tests.helpers import catalog_state, category, product
from relata.core.concurrency import StaleVersion
from relata.core.models import Event


def refused(call: Any, field: str) -> str:
    """The message of the field the service refuses, after checking nothing was written."""
    before = catalog_state()
    with pytest.raises(ValidationError) as error:
        call()
    assert catalog_state() == before
    return " ".join(error.value.message_dict[field])


# --- Categories ---------------------------------------------------------------------------


def test_categories_nest_and_list_as_a_tree(personas: Personas) -> None:
    admin = personas.admin
    bricks = category(admin, "Кирпич")
    ceramic = category(admin, "Керамический", bricks)
    silicate = category(admin, "Силикатный", bricks)
    cement = category(admin, "Цемент")
    tree = [(n.category.name, n.depth, n.children) for n in category_tree(admin)]
    assert tree == [("Кирпич", 0, 2), ("Керамический", 1, 0), ("Силикатный", 1, 0), ("Цемент", 0, 0)]
    product(admin, category=silicate.pk)
    product(admin, "Другой", category=bricks.pk)
    totals = [(n.category.name, n.products, n.total) for n in category_tree(admin)]
    assert totals == [("Кирпич", 1, 2), ("Керамический", 0, 0), ("Силикатный", 1, 1), ("Цемент", 0, 0)]
    assert [c.position for c in (bricks, cement)] == [10, 20] and ceramic.position < silicate.position
    choices = category_choices(admin, exclude_subtree_of=bricks.pk)
    assert choices == [(cement.pk, "Цемент")]
    assert Event.objects.filter(kind="category.created").count() == 4


def test_a_category_cannot_move_into_itself_or_below_itself(personas: Personas) -> None:
    admin = personas.admin
    bricks = category(admin, "Кирпич")
    ceramic = category(admin, "Керамический", bricks)
    facing = category(admin, "Облицовочный", ceramic)
    message = refused(lambda: category_save(admin, category_id=bricks.pk, values={"parent": facing.pk}), "parent")
    assert "inside itself or one of its subcategories" in message
    assert "inside itself" in refused(
        lambda: category_save(admin, category_id=bricks.pk, values={"parent": bricks.pk}), "parent"
    )
    moved = category_save(admin, category_id=facing.pk, values={"parent": None})
    assert moved.parent_id is None
    assert Event.objects.filter(kind="category.changed", target_id=facing.pk).count() == 1


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": ""}, "name", "Name the category"),
        ({"name": "x" * 151}, "name", "At most 150"),
        ({"name": "кирпич"}, "name", "already a category with this name"),
        ({"name": "Новая", "position": "-1"}, "position", "from 0 to"),
        ({"name": "Новая", "position": "первая"}, "position", "whole number"),
        ({"name": "Новая", "parent": 999_999}, "parent", "Choose a category"),
        ({"name": "Новая", "colour": "red"}, "colour", "cannot be changed"),
    ],
)
def test_bad_categories_are_refused_naming_the_field(
    personas: Personas, values: dict[str, Any], field: str, message: str
) -> None:
    category(personas.admin, "Кирпич")
    assert message in refused(lambda: category_save(personas.admin, values=values), field)


def test_the_same_name_may_be_used_at_another_level(personas: Personas) -> None:
    admin = personas.admin
    bricks = category(admin, "Кирпич")
    blocks = category(admin, "Блоки")
    category(admin, "Прочее", bricks)
    assert category(admin, "ПРОЧЕЕ", blocks).parent_id == blocks.pk


def test_a_category_of_another_workspace_is_not_a_parent(personas: Personas) -> None:
    theirs = category(personas.other, "Сталь")
    message = refused(lambda: category_save(personas.admin, values={"name": "Моя", "parent": theirs.pk}), "parent")
    assert "Choose a category" in message
    with pytest.raises(Http404):
        category_save(personas.admin, category_id=theirs.pk, values={"name": "Взлом"})


def test_deleting_a_category_with_products_or_subcategories_is_refused(personas: Personas) -> None:
    admin = personas.admin
    bricks = category(admin, "Кирпич")
    silicate = category(admin, "Силикатный", bricks)
    old = product(admin, category=silicate.pk)
    product_archive(admin, product_id=old.pk)
    assert "has subcategories" in refused(lambda: category_delete(admin, category_id=bricks.pk), "category")
    assert "holds 1 product" in refused(lambda: category_delete(admin, category_id=silicate.pk), "category")
    product_update(admin, product_id=old.pk, version=old.version, values={"category": None})
    category_delete(admin, category_id=silicate.pk)
    category_delete(admin, category_id=bricks.pk)
    assert not Category.objects.exists()
    assert Event.objects.filter(kind="category.deleted").count() == 2


def test_readers_cannot_change_categories(personas: Personas) -> None:
    bricks = category(personas.admin, "Кирпич")
    for member in (personas.readonly, personas.manager1, personas.head):
        with pytest.raises(PermissionDenied):
            category_save(member, values={"name": "Чужая"})
        with pytest.raises(PermissionDenied):
            category_delete(member, category_id=bricks.pk)
    assert list(Category.objects.values_list("name", flat=True)) == ["Кирпич"]


# --- Products -----------------------------------------------------------------------------


def test_a_product_gets_its_defaults_and_an_event(personas: Personas) -> None:
    admin = personas.admin
    made = product_create(admin, values={"name": "  Цемент М500 Д0, 50 кг  ", "sku": "CEM-500"})
    assert (made.name, made.kind, made.unit, made.vat_rate, made.is_active, made.version) == (
        "Цемент М500 Д0, 50 кг",
        "product",
        "piece",
        Decimal("22"),
        True,
        1,
    )
    service = product_create(admin, values={"name": "Доставка манипулятором", "kind": "service", "vat_rate": None})
    assert (service.unit, service.vat_rate) == ("service", None)
    event = Event.objects.get(kind="product.created", target_id=made.pk)
    assert event.changes["sku"] == [None, "CEM-500"] and event.changes["vat_rate"] == [None, "22.00"]


@pytest.mark.parametrize("rate", ["0", "5", "7", "10", "20", "22", "22%", 22, Decimal("10.00"), ""])
def test_every_allowed_vat_rate_is_taken(personas: Personas, rate: Any) -> None:
    made = product(personas.admin, vat_rate=rate)
    assert made.vat_rate == (None if rate == "" else Decimal(str(rate).rstrip("%")))


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": ""}, "name", "Name the product"),
        ({"name": "x" * 301}, "name", "At most 300"),
        ({"sku": "x" * 65}, "sku", "At most 64"),
        ({"sku": "ks-150"}, "sku", "already used by “Кирпич силикатный М150”"),
        ({"vat_rate": "18"}, "vat_rate", "0, 5, 7, 10, 20, 22"),
        ({"vat_rate": "двадцать"}, "vat_rate", "Enter a number"),
        ({"kind": "gift"}, "kind", "product or a service"),
        ({"unit": "bucket"}, "unit", "unit from the list"),
        ({"category": 999_999}, "category", "Choose a category"),
        ({"is_active": False}, "is_active", "cannot be changed"),
    ],
)
def test_bad_products_are_refused_naming_the_field(
    personas: Personas, values: dict[str, Any], field: str, message: str
) -> None:
    product(personas.admin, sku="KS-150")
    call = lambda: product_create(personas.admin, values={"name": "Другой", **values})  # noqa: E731
    assert message in refused(call, field)


def test_sku_is_unique_in_any_case_also_in_cyrillic_and_only_within_the_workspace(personas: Personas) -> None:
    product(personas.admin, sku="Кирпич-150")
    assert "already used" in refused(lambda: product(personas.admin, "Другой", sku="КИРПИЧ-150"), "sku")
    assert product(personas.other, "Их кирпич", sku="КИРПИЧ-150").sku == "КИРПИЧ-150"
    # Empty SKUs never collide.
    product(personas.admin, "Без артикула 1")
    product(personas.admin, "Без артикула 2")


def test_a_category_of_another_workspace_is_refused(personas: Personas) -> None:
    theirs = category(personas.other, "Сталь")
    assert "Choose a category" in refused(lambda: product(personas.admin, category=theirs.pk), "category")


def test_an_update_changes_only_what_is_given_and_bumps_the_version(personas: Personas) -> None:
    admin = personas.admin
    bricks = category(admin)
    made = product(admin, sku="KS-150", category=bricks.pk)
    changed = product_update(admin, product_id=made.pk, version=1, values={"vat_rate": "", "sku": "KS-150-1NF"})
    changed.refresh_from_db()
    assert (changed.version, changed.vat_rate, changed.sku, changed.category_id) == (2, None, "KS-150-1NF", bricks.pk)
    event = Event.objects.get(kind="product.changed", target_id=made.pk)
    assert event.changes == {"sku": ["KS-150", "KS-150-1NF"], "vat_rate": ["22.00", None]}


def test_a_stale_update_is_refused_with_the_other_users_values(personas: Personas) -> None:
    admin = personas.admin
    made = product(admin, sku="KS-150")
    product_update(admin, product_id=made.pk, version=1, values={"name": "Кирпич М175"})
    before = catalog_state()
    with pytest.raises(StaleVersion) as stale:
        product_update(admin, product_id=made.pk, version=1, values={"name": "Кирпич М200"})
    assert stale.value.theirs == {"name": "Кирпич М175"} and stale.value.current_version == 2
    assert catalog_state() == before


def test_archived_products_leave_the_pickers_and_come_back(personas: Personas) -> None:
    admin = personas.admin
    made = product(admin)
    product_archive(admin, product_id=made.pk)
    product_archive(admin, product_id=made.pk)  # idempotent: one event
    assert list(products_in_use(admin)) == []
    assert list(products_visible_to(admin)) == [made]
    assert Event.objects.filter(kind="product.archived").count() == 1
    product_restore(admin, product_id=made.pk)
    assert list(products_in_use(admin)) == [made]
    assert Event.objects.filter(kind="product.restored").count() == 1


def test_only_the_catalog_roles_write_products(personas: Personas) -> None:
    made = product(personas.admin)
    for member in (personas.readonly, personas.manager1, personas.head):
        with pytest.raises(PermissionDenied):
            product(member, "Чужой")
        with pytest.raises(PermissionDenied):
            product_update(member, product_id=made.pk, version=1, values={"name": "Взлом"})
        with pytest.raises(PermissionDenied):
            product_archive(member, product_id=made.pk)
    with pytest.raises(Http404):
        product_update(personas.other, product_id=made.pk, version=1, values={"name": "Взлом"})
    assert Product.objects.get().name == "Кирпич силикатный М150"


def test_the_list_filters_search_category_subtree_kind_and_use(personas: Personas) -> None:
    admin = personas.admin
    bricks = category(admin, "Кирпич")
    silicate = category(admin, "Силикатный", bricks)
    white = product(admin, "Кирпич БЕЛЫЙ", sku="KS-W", category=silicate.pk)
    red = product(admin, "Кирпич красный", sku="KK-R", category=bricks.pk)
    crane = product(admin, "Доставка", kind="service", sku="SRV-1")
    product_archive(admin, product_id=red.pk)
    visible = products_visible_to(admin)
    assert list(filter_products(admin, visible, q="белый")) == [white]
    assert list(filter_products(admin, visible, q="srv")) == [crane]
    assert set(filter_products(admin, visible, category_id=bricks.pk)) == {white, red}
    assert list(filter_products(admin, visible, category_id=silicate.pk)) == [white]
    assert list(filter_products(admin, visible, kind="service")) == [crane]
    assert list(filter_products(admin, visible, is_active=False)) == [red]
    assert list(products_visible_to(personas.other)) == []


def test_two_saves_racing_for_one_sku_or_name_get_a_field_error_from_the_database(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both passed the service's check before either committed: the unique constraints
    refuse the second, named by field, and nothing of it is written."""
    from relata.catalog.services import categories as category_services
    from relata.catalog.services import products as product_services

    product(personas.admin, sku="KS-150")
    category(personas.admin, "Bricks")
    monkeypatch.setattr(product_services, "_check_sku_free", lambda actor, product: None)
    monkeypatch.setattr(category_services, "_check_name_free", lambda actor, category: None)
    assert "already used" in refused(lambda: product(personas.admin, "Другой", sku="ks-150"), "sku")
    assert "already a category" in refused(lambda: category(personas.admin, "BRICKS"), "name")
