"""Price lists and the prices in them through the services: one active base list per
currency, segments the actor may use, prices set, changed and removed, and the refusals
(negative price, letters in a price, a bad currency, a product of another workspace)
that leave nothing behind."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from conftest import Personas
from relata.catalog.models import PriceList, PriceListItem
from relata.catalog.selectors.price_lists import price_lists_listed, products_to_price
from relata.catalog.services.price_lists import price_list_delete, price_list_save, price_remove, price_set
from relata.catalog.services.products import product_archive
from relata.catalog.tests.helpers import catalog_state, dynamic_segment, price_list, priced, product
from relata.clients.services.segments import segment_create, segment_delete
from relata.core.models import Event


def refused(call: Any, field: str) -> str:
    before = catalog_state()
    with pytest.raises(ValidationError) as error:
        call()
    assert catalog_state() == before
    return " ".join(error.value.message_dict[field])


def test_a_price_list_takes_the_workspace_currency_by_default(personas: Personas) -> None:
    made = price_list_save(personas.admin, values={"name": "Базовый", "currency": ""})
    assert (made.currency, made.segment_id, made.priority, made.is_active) == ("RUB", None, 0, True)
    assert price_list_save(personas.admin, values={"name": "Export", "currency": " eur "}).currency == "EUR"
    assert Event.objects.filter(kind="price_list.created").count() == 2


def test_one_active_base_list_per_currency(personas: Personas) -> None:
    admin = personas.admin
    base = price_list(admin, "Базовый")
    message = refused(lambda: price_list(admin, "Второй базовый"), "segment")
    assert "“Базовый” is already the active base list in RUB" in message
    old = price_list(admin, "Прайс 2025", is_active=False)
    assert "already the active base list" in refused(
        lambda: price_list_save(admin, price_list_id=old.pk, values={"is_active": True}), "segment"
    )
    price_list_save(admin, price_list_id=base.pk, values={"is_active": False})
    price_list_save(admin, price_list_id=old.pk, values={"is_active": True})
    assert price_list(admin, "Export", currency="EUR").is_base
    assert PriceList.objects.filter(is_active=True, segment=None).count() == 2


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": ""}, "name", "Name the price list"),
        ({"currency": "RUBX"}, "currency", "three-letter currency code"),
        ({"currency": "₽"}, "currency", "three-letter currency code"),
        ({"priority": "-5"}, "priority", "from 0 to"),
        ({"priority": "high"}, "priority", "whole number"),
        ({"segment": 999_999}, "segment", "Choose a segment you can see"),
        ({"is_active": "maybe"}, "is_active", "yes or no"),
    ],
)
def test_bad_price_lists_are_refused_naming_the_field(
    personas: Personas, values: dict[str, Any], field: str, message: str
) -> None:
    call = lambda: price_list_save(personas.admin, values={"name": "Оптовый", "currency": "RUB", **values})  # noqa: E731
    assert message in refused(call, field)


def test_a_segment_must_be_one_the_actor_sees_and_stays_in_use(personas: Personas) -> None:
    theirs = segment_create(personas.other, name="Их опт", entity="company")
    private = segment_create(personas.head, name="Личный", entity="company", is_shared=False)
    for segment in (theirs, private):
        assert "Choose a segment" in refused(
            lambda s=segment: price_list(personas.admin, "Оптовый", segment=s.pk), "segment"
        )
    wholesale = dynamic_segment(personas.head, "Оптовики", "Опт")
    listed = price_list(personas.admin, "Оптовый", segment=wholesale.pk, priority=10)
    assert listed.segment == wholesale
    with pytest.raises(ValidationError) as error:
        segment_delete(personas.head, wholesale.pk)
    assert "price list" in error.value.messages[0]


def test_prices_are_set_changed_and_removed_with_events(personas: Personas) -> None:
    admin = personas.admin
    base = price_list(admin)
    brick = product(admin, sku="KS-150")
    item = price_set(admin, price_list_id=base.pk, product_id=brick.pk, price="19 800,5")
    assert item.price == Decimal("19800.50")
    price_set(admin, price_list_id=base.pk, product_id=brick.pk, price=Decimal("19800.50"))  # unchanged: no event
    price_set(admin, price_list_id=base.pk, product_id=brick.pk, price=21000)
    assert PriceListItem.objects.get().price == Decimal("21000.00")
    events = list(Event.objects.filter(kind="price.set").order_by("pk"))
    assert [e.changes["price"] for e in events] == [[None, "19800.50"], ["19800.50", "21000.00"]]
    assert events[0].target_id == base.pk and events[0].data["sku"] == "KS-150"
    price_remove(admin, price_list_id=base.pk, product_id=brick.pk)
    assert not PriceListItem.objects.exists()
    assert Event.objects.get(kind="price.removed").changes == {"price": ["21000.00", None]}
    assert "has no price" in refused(lambda: price_remove(admin, price_list_id=base.pk, product_id=brick.pk), "product")


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("-1", "zero or more"),
        ("12abc", "Enter a number"),
        ("", "Enter an amount"),
        (None, "Enter an amount"),
        ("1e20", "too large"),
        ("NaN", "Enter a number"),
    ],
)
def test_bad_prices_are_refused_and_nothing_is_written(personas: Personas, price: Any, message: str) -> None:
    base = price_list(personas.admin)
    brick = product(personas.admin)
    priced(personas.admin, base, brick, "100")
    assert message in refused(
        lambda: price_set(personas.admin, price_list_id=base.pk, product_id=brick.pk, price=price), "price"
    )


def test_a_product_of_another_workspace_or_out_of_use_gets_no_price(personas: Personas) -> None:
    base = price_list(personas.admin)
    theirs = product(personas.other, "Их кирпич")
    assert "Choose a product" in refused(
        lambda: price_set(personas.admin, price_list_id=base.pk, product_id=theirs.pk, price="1"), "product"
    )
    assert "Choose a product" in refused(
        lambda: price_set(personas.admin, price_list_id=base.pk, product_id=999_999, price="1"), "product"
    )
    old = product(personas.admin, "Старый")
    product_archive(personas.admin, product_id=old.pk)
    assert "out of use" in refused(
        lambda: price_set(personas.admin, price_list_id=base.pk, product_id=old.pk, price="1"), "product"
    )
    with pytest.raises(Http404):
        price_set(personas.other, price_list_id=base.pk, product_id=theirs.pk, price="1")


def test_readers_cannot_write_price_lists_or_prices(personas: Personas) -> None:
    base = price_list(personas.admin)
    brick = product(personas.admin)
    before = catalog_state()
    for member in (personas.readonly, personas.manager1, personas.head):
        with pytest.raises(PermissionDenied):
            price_list(member, "Мой")
        with pytest.raises(PermissionDenied):
            price_set(member, price_list_id=base.pk, product_id=brick.pk, price="1")
        with pytest.raises(PermissionDenied):
            price_list_delete(member, price_list_id=base.pk)
    assert catalog_state() == before


def test_deleting_a_list_deletes_its_prices(personas: Personas) -> None:
    admin = personas.admin
    base = price_list(admin)
    priced(admin, base, product(admin), "10")
    price_list_delete(admin, price_list_id=base.pk)
    assert not PriceList.objects.exists() and not PriceListItem.objects.exists()
    assert Event.objects.get(kind="price_list.deleted").data == {"prices": 1}


def test_the_list_of_lists_counts_prices_and_the_picker_offers_the_rest(personas: Personas) -> None:
    admin = personas.admin
    base = price_list(admin)
    brick, cement, old = product(admin), product(admin, "Цемент"), product(admin, "Старый")
    priced(admin, base, brick, "10")
    product_archive(admin, product_id=old.pk)
    assert [(p.name, p.item_count) for p in price_lists_listed(admin)] == [("Базовый", 1)]  # type: ignore[attr-defined]
    assert list(products_to_price(admin, base)) == [cement]
    assert list(price_lists_listed(personas.other)) == []


def test_two_base_lists_racing_get_a_field_error_from_the_database(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    from relata.catalog.services import price_lists as services

    price_list(personas.admin)
    monkeypatch.setattr(services, "_check_one_active_base", lambda actor, price_list: None)
    assert "already an active base list" in refused(lambda: price_list(personas.admin, "Второй"), "segment")
