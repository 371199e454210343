"""price_for_client: the price a deal line takes. The client's segment lists (dynamic:
the conditions hold for the client now; static: a member), the highest priority first,
else the base list of the currency; nothing for another currency, an inactive list or a
product out of use."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import Personas
from relata.catalog.models import PriceList, Product
from relata.catalog.services.price_lists import price_list_save
from relata.catalog.services.pricing import Quote, client_in_segment, price_for_client, prices_for_client
from relata.catalog.services.products import product_archive, product_update
from relata.catalog.tests.helpers import company, dynamic_segment, price_list, priced, product, static_segment
from relata.clients.models import Client, Segment
from relata.clients.services.clients import client_update
from relata.core.models import Membership

WHOLESALE = "Оптовая торговля стройматериалами"


@pytest.fixture
def shop(personas: Personas) -> dict[str, object]:
    """A brick, a base list (19 800), a wholesale list for a dynamic segment (18 400,
    priority 10) and a dealers' list for a static segment (17 900, priority 20)."""
    admin, head = personas.admin, personas.head
    brick = product(admin, "Кирпич силикатный М150", sku="KS-150")
    cement = product(admin, "Цемент М500", sku="CEM-500", unit="piece", vat_rate=None)
    wholesaler = company(personas.manager1, "ООО «Оптовик»", industry=WHOLESALE)
    builder = company(personas.manager1, "ООО «Стройка»", industry="Строительство")
    dealer = company(personas.manager2, "ООО «Дилер»", industry=WHOLESALE)
    wholesale = dynamic_segment(head, "Оптовые покупатели", WHOLESALE)
    dealers = static_segment(admin, "Дилеры", [dealer])
    base = price_list(admin, "Базовый")
    wholesale_list = price_list(admin, "Оптовый", segment=wholesale.pk, priority=10)
    dealer_list = price_list(admin, "Дилерский", segment=dealers.pk, priority=20)
    priced(admin, base, brick, "19800")
    priced(admin, base, cement, "520")
    priced(admin, wholesale_list, brick, "18400")
    priced(admin, dealer_list, brick, "17900")
    return {
        "brick": brick,
        "cement": cement,
        "wholesaler": wholesaler,
        "builder": builder,
        "dealer": dealer,
        "wholesale": wholesale,
        "base": base,
        "wholesale_list": wholesale_list,
        "dealer_list": dealer_list,
    }


def quote(actor: Membership, client: object, product_: object, currency: str = "RUB") -> Quote | None:
    assert client is None or isinstance(client, Client)
    assert isinstance(product_, Product)
    return price_for_client(actor, client=client, product=product_, currency=currency)


def test_a_client_outside_every_segment_gets_the_base_price(personas: Personas, shop: dict[str, object]) -> None:
    got = quote(personas.manager1, shop["builder"], shop["brick"])
    base = shop["base"]
    assert isinstance(base, PriceList)
    assert got == Quote(Decimal("19800.00"), base.pk, "Базовый", Decimal("22.00"))


def test_no_client_gets_the_base_price(personas: Personas, shop: dict[str, object]) -> None:
    got = quote(personas.manager1, None, shop["brick"])
    assert got is not None and got.price_list_name == "Базовый"


def test_a_dynamic_segment_member_gets_its_list(personas: Personas, shop: dict[str, object]) -> None:
    got = quote(personas.manager1, shop["wholesaler"], shop["brick"])
    assert got is not None and (got.price, got.price_list_name) == (Decimal("18400.00"), "Оптовый")


def test_the_dynamic_segment_is_evaluated_now(personas: Personas, shop: dict[str, object]) -> None:
    builder = shop["builder"]
    assert isinstance(builder, Client)
    client_update(personas.manager1, builder.pk, version=builder.version, values={"industry": WHOLESALE})
    builder.refresh_from_db()
    got = quote(personas.manager1, builder, shop["brick"])
    assert got is not None and got.price_list_name == "Оптовый"


def test_the_higher_priority_wins_for_a_client_in_two_segments(personas: Personas, shop: dict[str, object]) -> None:
    # The dealer is a wholesaler (dynamic, priority 10) and a listed dealer (static, 20).
    got = quote(personas.manager2, shop["dealer"], shop["brick"])
    assert got is not None and (got.price, got.price_list_name) == (Decimal("17900.00"), "Дилерский")
    dealer_list = shop["dealer_list"]
    assert isinstance(dealer_list, PriceList)
    price_list_save(personas.admin, price_list_id=dealer_list.pk, values={"priority": 5})
    got = quote(personas.manager2, shop["dealer"], shop["brick"])
    assert got is not None and got.price_list_name == "Оптовый"


def test_a_segment_list_without_the_product_falls_back_to_the_base_list(
    personas: Personas, shop: dict[str, object]
) -> None:
    got = quote(personas.manager1, shop["wholesaler"], shop["cement"])
    assert got is not None and (got.price, got.price_list_name, got.vat_rate) == (Decimal("520.00"), "Базовый", None)


def test_another_currency_has_no_price_until_a_list_of_it_prices_the_product(
    personas: Personas, shop: dict[str, object]
) -> None:
    assert quote(personas.manager1, shop["wholesaler"], shop["brick"], "EUR") is None
    brick = shop["brick"]
    assert isinstance(brick, Product)
    export = price_list(personas.admin, "Export", currency="EUR")
    priced(personas.admin, export, brick, "205.50")
    got = quote(personas.manager1, shop["wholesaler"], brick, "eur")
    assert got is not None and (got.price, got.price_list_id) == (Decimal("205.50"), export.pk)


def test_inactive_lists_do_not_price(personas: Personas, shop: dict[str, object]) -> None:
    for name in ("wholesale_list", "dealer_list", "base"):
        price_list_ = shop[name]
        assert isinstance(price_list_, PriceList)
        price_list_save(personas.admin, price_list_id=price_list_.pk, values={"is_active": False})
    assert quote(personas.manager2, shop["dealer"], shop["brick"]) is None


def test_a_product_out_of_use_has_no_price(personas: Personas, shop: dict[str, object]) -> None:
    brick = shop["brick"]
    assert isinstance(brick, Product)
    product_archive(personas.admin, product_id=brick.pk)
    brick.refresh_from_db()
    assert quote(personas.manager1, shop["builder"], brick) is None


def test_a_product_without_any_price_has_none(personas: Personas, shop: dict[str, object]) -> None:
    assert quote(personas.manager1, shop["builder"], product(personas.admin, "Новинка")) is None


def test_the_quote_carries_the_current_vat_rate(personas: Personas, shop: dict[str, object]) -> None:
    brick = shop["brick"]
    assert isinstance(brick, Product)
    product_update(personas.admin, product_id=brick.pk, version=brick.version, values={"vat_rate": "10"})
    brick.refresh_from_db()
    got = quote(personas.manager1, shop["builder"], brick)
    assert got is not None and got.vat_rate == Decimal("10.00")


def test_a_private_segment_still_prices_for_everyone(personas: Personas, shop: dict[str, object]) -> None:
    """Membership is a fact about the client: a colleague's private segment applies too."""
    wholesale = shop["wholesale"]
    assert isinstance(wholesale, Segment)
    Segment.objects.filter(pk=wholesale.pk).update(is_shared=False)
    got = quote(personas.manager1, shop["wholesaler"], shop["brick"])
    assert got is not None and got.price_list_name == "Оптовый"


def test_a_broken_dynamic_segment_holds_nobody(personas: Personas, shop: dict[str, object]) -> None:
    wholesale = shop["wholesale"]
    assert isinstance(wholesale, Segment)
    Segment.objects.filter(pk=wholesale.pk).update(
        definition={"conditions": [{"field": "custom.gone", "op": "eq", "value": "x"}]}
    )
    wholesale.refresh_from_db()
    wholesaler = shop["wholesaler"]
    assert isinstance(wholesaler, Client)
    assert not client_in_segment(wholesaler, wholesale)
    got = quote(personas.manager1, wholesaler, shop["brick"])
    assert got is not None and got.price_list_name == "Базовый"


def test_a_person_is_not_in_a_segment_of_companies(personas: Personas, shop: dict[str, object]) -> None:
    from relata.clients.services.clients import client_create

    person = client_create(personas.manager1, kind="person", values={"last_name": "Опт", "first_name": "Иван"})
    wholesale = shop["wholesale"]
    assert isinstance(wholesale, Segment)
    assert not client_in_segment(person, wholesale)


def test_several_products_at_once_and_each_segment_evaluated_once(personas: Personas, shop: dict[str, object]) -> None:
    brick, cement, dealer = shop["brick"], shop["cement"], shop["dealer"]
    assert isinstance(brick, Product) and isinstance(cement, Product) and isinstance(dealer, Client)
    with CaptureQueriesContext(connection) as captured:
        quotes = prices_for_client(personas.manager2, client=dealer, products=[brick, cement], currency="RUB")
    assert {pk: q.price_list_name for pk, q in quotes.items()} == {brick.pk: "Дилерский", cement.pk: "Базовый"}
    # The prices, then the static segment's membership (the dealers' list comes first).
    assert len(captured) <= 3


def test_reading_prices_needs_the_catalog_and_the_actors_workspace(personas: Personas, shop: dict[str, object]) -> None:
    brick, builder = shop["brick"], shop["builder"]
    assert isinstance(brick, Product) and isinstance(builder, Client)
    with pytest.raises(ValidationError) as error:
        price_for_client(personas.other, client=None, product=brick, currency="RUB")
    assert "product" in error.value.message_dict
    theirs = company(personas.other, "Их клиент")
    with pytest.raises(ValidationError) as error:
        price_for_client(personas.admin, client=theirs, product=brick, currency="RUB")
    assert "client" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        price_for_client(personas.admin, client=builder, product=brick, currency="RUBX")
    assert "currency" in error.value.message_dict
    role = personas.readonly.role
    role.permissions = [p for p in role.permissions if not p.startswith("catalog.")]
    role.save()
    personas.readonly.refresh_from_db()
    with pytest.raises(PermissionDenied):
        price_for_client(personas.readonly, client=builder, product=brick, currency="RUB")
