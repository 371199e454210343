"""Records the catalog tests build through the services."""

from __future__ import annotations

from typing import Any

from relata.catalog.models import Category, PriceList, PriceListItem, Product
from relata.catalog.services.categories import category_save
from relata.catalog.services.price_lists import price_list_save, price_set
from relata.catalog.services.products import product_create
from relata.clients.models import Client, Segment
from relata.clients.services.clients import client_create
from relata.clients.services.segments import segment_add_clients, segment_create
from relata.core.models import Event, Membership


def category(actor: Membership, name: str = "Кирпич", parent: Category | None = None) -> Category:
    return category_save(actor, values={"name": name, "parent": parent.pk if parent else None})


def product(actor: Membership, name: str = "Кирпич силикатный М150", **values: Any) -> Product:
    return product_create(actor, values={"name": name, "unit": "thousand", **values})


def price_list(actor: Membership, name: str = "Базовый", **values: Any) -> PriceList:
    return price_list_save(actor, values={"name": name, "currency": "RUB", "segment": None, **values})


def priced(actor: Membership, price_list_: PriceList, product_: Product, price: str) -> PriceListItem:
    return price_set(actor, price_list_id=price_list_.pk, product_id=product_.pk, price=price)


def company(actor: Membership, name: str, **values: Any) -> Client:
    return client_create(actor, kind="company", values={"name": name, **values})


def dynamic_segment(actor: Membership, name: str, industry: str) -> Segment:
    return segment_create(
        actor,
        name=name,
        entity="company",
        definition={"conditions": [{"field": "industry", "op": "eq", "value": industry}]},
    )


def static_segment(actor: Membership, name: str, clients: list[Client]) -> Segment:
    segment = segment_create(actor, name=name, entity="company", kind="static")
    segment_add_clients(actor, segment.pk, [c.pk for c in clients])
    return segment


def catalog_state() -> tuple[Any, ...]:
    """Every catalog row and catalog event: what a refused write must leave as it was."""
    return (
        list(Category.objects.order_by("pk").values_list("pk", "name", "parent_id", "position")),
        list(Product.objects.order_by("pk").values_list("pk", "name", "sku", "vat_rate", "version", "is_active")),
        list(PriceList.objects.order_by("pk").values_list("pk", "name", "currency", "segment_id", "is_active")),
        list(PriceListItem.objects.order_by("pk").values_list("pk", "price")),
        Event.objects.filter(kind__regex=r"^(category|product|price_list|price)\.").count(),
    )
