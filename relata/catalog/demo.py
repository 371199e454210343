"""The catalog of the demo workspace ("ООО «Кирпичный двор»", a building-materials
supplier): bricks by the thousand and by the wagon (the brick sale of the source
documents), blocks, cement and mixes, sundries and delivery services, all at 22% VAT;
a base price list in roubles and a wholesale one for the wholesale traders among the
clients (a dynamic segment "Оптовые покупатели", made here if the client base lacks it),
and last year's list kept inactive.

Written through the services (each record with its event), as the administrator. The step
runs after the clients' (order 20) and registers itself when this module is imported
(from relata/catalog/registrations.py). Idempotent: a workspace that already has
products is left alone.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from relata.catalog.models import Product
from relata.catalog.services.categories import category_save
from relata.catalog.services.price_lists import price_list_save, price_set
from relata.catalog.services.products import product_create
from relata.clients.models import Segment
from relata.clients.services.segments import segment_create
from relata.core.demo import demo_administrator, register_demo_step
from relata.core.models import Membership, Workspace

ORDER = 30  # after the clients (20): the wholesale list is for a segment of them
WHOLESALE_SEGMENT = "Оптовые покупатели"
WHOLESALE_INDUSTRY = "Оптовая торговля стройматериалами"

SERVICES = "Услуги"
# (name, parent)
CATEGORIES: list[tuple[str, str | None]] = [
    ("Кирпич", None),
    ("Силикатный кирпич", "Кирпич"),
    ("Керамический кирпич", "Кирпич"),
    ("Блоки", None),
    ("Цемент и смеси", None),
    ("Комплектующие", None),
    (SERVICES, None),
]

# category → (SKU, name, unit, base price in roubles, wholesale price or "" if not in that list)
PRODUCTS: dict[str, list[tuple[str, str, str, str, str]]] = {
    "Силикатный кирпич": [
        ("KS-150-1NF-W", "Кирпич силикатный одинарный М150, вагон (18 тыс. шт.)", "wagon", "352000", "327000"),
        ("KS-150-1NF", "Кирпич силикатный одинарный М150", "thousand", "19800", "18400"),
        ("KS-150-1.4NF", "Кирпич силикатный полуторный М150", "thousand", "24500", "22800"),
        ("KS-200-1.4NF-C", "Кирпич силикатный полуторный цветной М200", "thousand", "31900", ""),
    ],
    "Керамический кирпич": [
        ("KK-150-1NF", "Кирпич керамический рядовой полнотелый М150", "thousand", "24000", "22300"),
        ("KK-175-1NF-F", "Кирпич керамический облицовочный красный гладкий М175", "thousand", "38500", "35800"),
        ("KK-150-1.4NF-F", "Кирпич керамический облицовочный «Баварская кладка»", "thousand", "54700", ""),
    ],
    "Блоки": [
        ("GB-D500-200", "Блок газобетонный D500 600×300×200", "m3", "6200", "5850"),
        ("GB-D500-100", "Блок газобетонный перегородочный D500 600×250×100", "m3", "6450", ""),
    ],
    "Цемент и смеси": [
        ("CEM-500-D0-50", "Цемент М500 Д0, 50 кг", "piece", "520", "480"),
        ("CEM-400-D20-50", "Цемент М400 Д20, 50 кг", "piece", "450", "415"),
        ("CEM-500-BULK", "Цемент М500 Д0 навалом", "tonne", "7800", "7350"),
        ("MIX-M150-40", "Смесь кладочная М150, 40 кг", "piece", "290", "265"),
        ("MIX-PB300-40", "Пескобетон М300, 40 кг", "piece", "260", ""),
        ("GLUE-GB-25", "Клей для газобетона, 25 кг", "piece", "420", ""),
    ],
    "Комплектующие": [
        ("NET-50-4", "Сетка кладочная 50×50×4 мм, карта 0,5×2 м", "piece", "165", ""),
        ("PAL-RET", "Поддон деревянный возвратный", "pallet", "350", ""),
    ],
    SERVICES: [
        ("SRV-CRANE", "Доставка манипулятором (до 10 т) по Москве", "hour", "3800", ""),
        ("SRV-LONG", "Доставка длинномером (до 20 т) по Москве и области", "service", "18000", ""),
        ("SRV-WAGON", "Разгрузка вагона на складе", "wagon", "25000", ""),
        ("SRV-LOAD", "Погрузка на складе", "tonne", "350", ""),
    ],
}
# Last year's prices (before VAT went up to 22%): a few, in an inactive list.
LAST_YEAR = {"KS-150-1NF": "18300", "KS-150-1NF-W": "329000", "CEM-500-D0-50": "470", "SRV-CRANE": "3300"}


def _wholesale_segment(admin: Membership) -> Segment:
    existing = Segment.objects.filter(workspace_id=admin.workspace_id, name=WHOLESALE_SEGMENT).first()
    if existing is not None:
        return existing
    return segment_create(
        admin,
        name=WHOLESALE_SEGMENT,
        entity="company",
        description="Оптовые торговцы стройматериалами: им действует оптовый прайс-лист.",
        definition={"conditions": [{"field": "industry", "op": "eq", "value": WHOLESALE_INDUSTRY}]},
    )


@transaction.atomic
def catalog_demo(workspace: Workspace) -> None:
    """Fill the demo workspace's catalog. Idempotent: a workspace with products is left
    as it is."""
    if Product.objects.filter(workspace_id=workspace.pk).exists():
        return
    admin = demo_administrator(workspace)
    if admin is None:
        return
    categories: dict[str, int] = {}
    for name, parent in CATEGORIES:
        values = {"name": name, "parent": categories[parent] if parent else None}
        categories[name] = category_save(admin, values=values).pk
    base = price_list_save(
        admin, values={"name": "Базовый прайс-лист", "currency": "RUB", "segment": None, "is_active": True}
    )
    wholesale = price_list_save(
        admin,
        values={
            "name": "Оптовый",
            "currency": "RUB",
            "segment": _wholesale_segment(admin).pk,
            "priority": 10,
            "is_active": True,
        },
    )
    last_year = price_list_save(
        admin, values={"name": "Прайс-лист 2025", "currency": "RUB", "segment": None, "is_active": False}
    )
    for category_name, rows in PRODUCTS.items():
        for sku, name, unit, price, wholesale_price in rows:
            product = product_create(
                admin,
                values={
                    "kind": "service" if category_name == SERVICES else "product",
                    "name": name,
                    "sku": sku,
                    "category": categories[category_name],
                    "unit": unit,
                    "vat_rate": Decimal("22"),
                },
            )
            price_set(admin, price_list_id=base.pk, product_id=product.pk, price=price)
            if wholesale_price:
                price_set(admin, price_list_id=wholesale.pk, product_id=product.pk, price=wholesale_price)
            if sku in LAST_YEAR:
                price_set(admin, price_list_id=last_year.pk, product_id=product.pk, price=LAST_YEAR[sku])


register_demo_step(catalog_demo, order=ORDER)
