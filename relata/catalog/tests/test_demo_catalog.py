"""The demo workspace's catalog (relata.catalog.demo): what a visitor of `manage.py demo`
sees — bricks by the thousand and by the wagon, cement and mixes, delivery services, all
with SKUs and 22% VAT; a base price list and a wholesale one for the wholesale traders
among the demo clients — and that running the step again changes nothing.

The demo is built with the clients' step and this one only (the activities' step is not
needed here and takes long)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from relata.catalog import demo  # registers the demo step, as relata/catalog/registrations.py does
from relata.catalog.models import Category, PriceList, PriceListItem, Product
from relata.catalog.services.pricing import price_for_client
from relata.clients import demo as clients_demo
from relata.clients.models import Client, Segment
from relata.core.demo import _DEMO_STEPS, create_demo_workspace
from relata.core.models import Event, Membership, Workspace


@pytest.fixture
def workspace(db: Any, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.setattr(
        "relata.core.demo._DEMO_STEPS", [(20, clients_demo.clients_demo), (demo.ORDER, demo.catalog_demo)]
    )
    return create_demo_workspace()


def member(workspace: Workspace, email: str) -> Membership:
    return Membership.objects.select_related("workspace", "role", "user").get(workspace=workspace, user__email=email)


def test_the_step_runs_after_the_clients() -> None:
    assert (demo.ORDER, demo.catalog_demo) in _DEMO_STEPS
    assert (20, clients_demo.clients_demo) in _DEMO_STEPS and demo.ORDER > 20


def test_the_demo_catalog_sells_bricks_cement_and_delivery(workspace: Workspace) -> None:
    products = Product.objects.filter(workspace=workspace)
    assert products.count() >= 20
    names = set(products.values_list("name", flat=True))
    assert "Кирпич силикатный одинарный М150" in names and "Цемент М500 Д0, 50 кг" in names
    assert any(name.startswith("Кирпич керамический облицовочный") for name in names)
    assert any(name.startswith("Доставка манипулятором") for name in names)
    assert set(products.values_list("vat_rate", flat=True)) == {Decimal("22.00")}
    skus = list(products.values_list("sku", flat=True))
    assert all(skus) and len(set(skus)) == len(skus)
    assert {"wagon", "thousand", "piece", "hour"} <= set(products.values_list("unit", flat=True))
    assert set(products.filter(category__name="Услуги").values_list("kind", flat=True)) == {"service"}
    tree = dict(Category.objects.filter(workspace=workspace).values_list("name", "parent__name"))
    assert tree["Силикатный кирпич"] == "Кирпич" and tree["Цемент и смеси"] is None and "Услуги" in tree
    assert not products.filter(category=None).exists()
    assert Event.objects.filter(workspace=workspace, kind="product.created").count() == products.count()


def test_the_demo_price_lists_price_every_product_and_wholesale_is_cheaper(workspace: Workspace) -> None:
    lists = {p.name: p for p in PriceList.objects.filter(workspace=workspace)}
    base, wholesale, last_year = lists["Базовый прайс-лист"], lists["Оптовый"], lists["Прайс-лист 2025"]
    assert (base.currency, base.segment_id, base.is_active) == ("RUB", None, True)
    assert not last_year.is_active
    assert wholesale.segment is not None and wholesale.segment.name == demo.WHOLESALE_SEGMENT
    base_prices = dict(PriceListItem.objects.filter(price_list=base).values_list("product_id", "price"))
    assert set(base_prices) == set(Product.objects.filter(workspace=workspace).values_list("pk", flat=True))
    wholesale_prices = dict(PriceListItem.objects.filter(price_list=wholesale).values_list("product_id", "price"))
    assert 5 <= len(wholesale_prices) < len(base_prices)
    assert all(price < base_prices[pk] for pk, price in wholesale_prices.items())
    wagon = Product.objects.get(workspace=workspace, unit="wagon", kind="product")
    assert Decimal("200000") < base_prices[wagon.pk] < Decimal("500000")


def test_a_wholesale_client_of_the_demo_gets_the_wholesale_price(workspace: Workspace) -> None:
    manager = member(workspace, "head@demo.relata.test")
    brick = Product.objects.get(workspace=workspace, sku="KS-150-1NF")
    wholesaler = Client.objects.filter(workspace=workspace, industry=demo.WHOLESALE_INDUSTRY).first()
    builder = Client.objects.filter(workspace=workspace, kind="company", industry="Строительство").first()
    assert wholesaler is not None and builder is not None
    got = price_for_client(manager, client=wholesaler, product=brick, currency="RUB")
    assert got is not None and got.price_list_name == "Оптовый"
    got = price_for_client(manager, client=builder, product=brick, currency="RUB")
    assert got is not None and got.price_list_name == "Базовый прайс-лист"


def test_running_the_step_again_changes_nothing(workspace: Workspace) -> None:
    counts = (
        Product.objects.count(),
        Category.objects.count(),
        PriceList.objects.count(),
        PriceListItem.objects.count(),
        Segment.objects.filter(name=demo.WHOLESALE_SEGMENT).count(),
    )
    demo.catalog_demo(workspace)
    assert create_demo_workspace() == workspace
    assert (
        Product.objects.count(),
        Category.objects.count(),
        PriceList.objects.count(),
        PriceListItem.objects.count(),
        Segment.objects.filter(name=demo.WHOLESALE_SEGMENT).count(),
    ) == counts


def test_the_storekeeper_sees_the_catalog_pages(workspace: Workspace, client: Any) -> None:
    client.force_login(member(workspace, "storekeeper@demo.relata.test").user)
    assert "Кирпич силикатный одинарный М150" in client.get("/catalog/?q=М150").content.decode()
    base = PriceList.objects.get(workspace=workspace, name="Базовый прайс-лист")
    body = client.get(f"/catalog/price-lists/{base.pk}/").content.decode()
    assert "Доставка манипулятором" in body and "Добавить цену" in body  # the demo storekeeper reads Russian
