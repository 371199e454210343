"""Permission-matrix entries of the catalog: everybody with `catalog.view` reads the
products, categories and price lists (every sales role, read-only, analysts); only the
catalog's keepers (administrators, storekeepers) add (`create`), change (`change`:
prices included) and delete or take out of use (`delete`).

The world has a category with a product, an empty category, a base price list pricing
the product, and a second list (for a segment) to delete.
"""

from __future__ import annotations

from typing import Any

from relata.catalog.services.categories import category_save
from relata.catalog.services.price_lists import price_list_save, price_set
from relata.catalog.services.products import product_create
from relata.clients.services.segments import segment_create
from relata.core.tests.matrix import Rule, World, api_rule, form, page

LEAK_MARKERS = ["Quokka"]


def extend_world(world: World) -> None:
    admin = world.p.admin
    bricks = category_save(admin, values={"name": "Quokka bricks"})
    spare = category_save(admin, values={"name": "Quokka spare"})
    brick = product_create(admin, values={"name": "Quokka brick", "sku": "QK-1", "category": bricks.pk})
    segment = segment_create(admin, name="Quokka wholesale", entity="company")
    base = price_list_save(admin, values={"name": "Quokka list", "currency": "RUB"})
    spare_list = price_list_save(admin, values={"name": "Quokka spare list", "currency": "RUB", "segment": segment.pk})
    price_set(admin, price_list_id=base.pk, product_id=brick.pk, price="123")
    world.extra.update(
        quokka_category=bricks,
        quokka_spare=spare,
        quokka_product=brick,
        quokka_segment=segment,
        quokka_list=base,
        quokka_spare_list=spare_list,
    )


def _product(w: World) -> dict[str, Any]:
    return {"pk": w.quokka_product.pk}


def _category(w: World) -> dict[str, Any]:
    return {"pk": w.quokka_category.pk}


def _spare(w: World) -> dict[str, Any]:
    return {"pk": w.quokka_spare.pk}


def _list(w: World) -> dict[str, Any]:
    return {"pk": w.quokka_list.pk}


def _spare_list(w: World) -> dict[str, Any]:
    return {"pk": w.quokka_spare_list.pk}


def product_form(w: World) -> dict[str, Any]:
    # The category is workspace A's: workspace B's member gets a field error.
    return {
        "kind": "product",
        "name": "Matrix product",
        "sku": "",
        "category": w.quokka_category.pk,
        "unit": "piece",
        "vat_rate": "22",
    }


PAGES: dict[str, Rule] = {
    "catalog:products": page("catalog.view"),
    "catalog:product_new": page("catalog.create"),
    "catalog:product": page("catalog.view", object_route=True, kwargs=_product),
    "catalog:product_edit": page("catalog.change", object_route=True, kwargs=_product),
    "catalog:product_archive": form("catalog.delete", lambda w: {}, object_route=True, kwargs=_product),
    "catalog:product_restore": form("catalog.change", lambda w: {}, object_route=True, kwargs=_product),
    "catalog:categories": page("catalog.view"),
    "catalog:category_new": page("catalog.create"),
    "catalog:category_edit": page("catalog.change", object_route=True, kwargs=_category),
    "catalog:category_delete": form("catalog.delete", lambda w: {}, object_route=True, kwargs=_spare),
    "catalog:price_lists": page("catalog.view"),
    "catalog:price_list_new": page("catalog.create"),
    "catalog:price_list": page("catalog.view", object_route=True, kwargs=_list),
    "catalog:price_list_edit": page("catalog.change", object_route=True, kwargs=_list),
    "catalog:price_list_delete": form("catalog.delete", lambda w: {}, object_route=True, kwargs=_spare_list),
    "catalog:price_set": form(
        "catalog.change",
        lambda w: {"product": w.quokka_product.pk, "price": "150,50"},
        object_route=True,
        kwargs=_list,
    ),
    "catalog:price_remove": form(
        "catalog.change",
        lambda w: {},
        object_route=True,
        kwargs=lambda w: {"pk": w.quokka_list.pk, "product_id": w.quokka_product.pk},
    ),
}

PAGE_POSTS: dict[str, Rule] = {
    "catalog:product_new": form("catalog.create", product_form, foreign_data=400),
    "catalog:product_edit": form(
        "catalog.change",
        lambda w: {**product_form(w), "version": w.quokka_product.version},
        object_route=True,
        kwargs=_product,
    ),
    "catalog:category_new": form(
        "catalog.create", lambda w: {"name": "Matrix category", "parent": w.quokka_category.pk}, foreign_data=400
    ),
    "catalog:category_edit": form(
        "catalog.change", lambda w: {"name": "Renamed", "position": "5"}, object_route=True, kwargs=_category
    ),
    "catalog:price_list_new": form(
        "catalog.create",
        lambda w: {"name": "Matrix list", "currency": "RUB", "segment": w.quokka_segment.pk, "is_active": "on"},
        foreign_data=400,
    ),
    "catalog:price_list_edit": form(
        "catalog.change",
        lambda w: {"name": "Renamed", "currency": "RUB", "priority": "3", "is_active": "on"},
        object_route=True,
        kwargs=_list,
    ),
}

_CATEGORY = "/api/v1/catalog/categories/{category_id}"
_PRODUCT = "/api/v1/catalog/products/{product_id}"
_LIST = "/api/v1/catalog/price-lists/{price_list_id}"
_ITEM = "/api/v1/catalog/price-lists/{price_list_id}/items/{product_id}"


def _category_id(w: World) -> dict[str, Any]:
    return {"category_id": w.quokka_category.pk}


def _product_id(w: World) -> dict[str, Any]:
    return {"product_id": w.quokka_product.pk}


def _list_id(w: World) -> dict[str, Any]:
    return {"price_list_id": w.quokka_list.pk}


def _item(w: World) -> dict[str, Any]:
    return {"price_list_id": w.quokka_list.pk, "product_id": w.quokka_product.pk}


API: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/catalog/categories"): api_rule("catalog.view"),
    ("POST", "/api/v1/catalog/categories"): api_rule(
        "catalog.create",
        201,
        data=lambda w: {"name": "Matrix category", "parent_id": w.quokka_category.pk},
        foreign_data=422,
    ),
    ("GET", _CATEGORY): api_rule("catalog.view", object_route=True, kwargs=_category_id),
    ("PATCH", _CATEGORY): api_rule(
        "catalog.change", data=lambda w: {"name": "Renamed"}, object_route=True, kwargs=_category_id
    ),
    ("DELETE", _CATEGORY): api_rule(
        "catalog.delete",
        204,
        data=lambda w: {},
        object_route=True,
        kwargs=lambda w: {"category_id": w.quokka_spare.pk},
    ),
    ("GET", "/api/v1/catalog/products"): api_rule("catalog.view"),
    ("POST", "/api/v1/catalog/products"): api_rule(
        "catalog.create",
        201,
        data=lambda w: {"name": "Matrix product", "category_id": w.quokka_category.pk},
        foreign_data=422,
    ),
    ("GET", _PRODUCT): api_rule("catalog.view", object_route=True, kwargs=_product_id),
    ("PATCH", _PRODUCT): api_rule(
        "catalog.change",
        data=lambda w: {"version": w.quokka_product.version, "name": "Renamed"},
        object_route=True,
        kwargs=_product_id,
    ),
    ("POST", _PRODUCT + "/archive"): api_rule(
        "catalog.delete", data=lambda w: {}, object_route=True, kwargs=_product_id
    ),
    ("POST", _PRODUCT + "/restore"): api_rule(
        "catalog.change", data=lambda w: {}, object_route=True, kwargs=_product_id
    ),
    ("GET", _PRODUCT + "/prices"): api_rule("catalog.view", object_route=True, kwargs=_product_id),
    ("GET", "/api/v1/catalog/price-lists"): api_rule("catalog.view"),
    ("POST", "/api/v1/catalog/price-lists"): api_rule(
        "catalog.create",
        201,
        data=lambda w: {"name": "Matrix list", "currency": "RUB", "segment_id": w.quokka_segment.pk},
        foreign_data=422,
    ),
    ("GET", _LIST): api_rule("catalog.view", object_route=True, kwargs=_list_id),
    ("PATCH", _LIST): api_rule("catalog.change", data=lambda w: {"priority": 5}, object_route=True, kwargs=_list_id),
    ("DELETE", _LIST): api_rule(
        "catalog.delete",
        204,
        data=lambda w: {},
        object_route=True,
        kwargs=lambda w: {"price_list_id": w.quokka_spare_list.pk},
    ),
    ("GET", _LIST + "/items"): api_rule("catalog.view", object_route=True, kwargs=_list_id),
    ("PUT", _ITEM): api_rule("catalog.change", data=lambda w: {"price": "150.50"}, object_route=True, kwargs=_item),
    ("DELETE", _ITEM): api_rule("catalog.change", 204, data=lambda w: {}, object_route=True, kwargs=_item),
    # A read with query parameters (not a write): the product is workspace A's.
    ("GET", "/api/v1/catalog/price"): Rule(
        "catalog.view", object_route=True, data=lambda w: {"product_id": w.quokka_product.pk, "currency": "RUB"}
    ),
}
