"""Reads of products and their prices, through the access mechanism."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.db.models.lookups import Contains

from relata.catalog.models import PriceListItem, Product
from relata.catalog.selectors.categories import subtree_ids
from relata.core.access import get_visible, scope_queryset
from relata.core.db import Casefold
from relata.core.models import Membership


def products_visible_to(actor: Membership) -> QuerySet[Product]:
    """Every product of the catalog the actor may read, with its category joined in."""
    return scope_queryset(actor, Product.objects.all()).select_related("category")


def product_get(actor: Membership, pk: int | str) -> Product:
    return get_visible(actor, products_visible_to(actor), pk)


def products_in_use(actor: Membership) -> QuerySet[Product]:
    """What pickers offer: products in use, by name."""
    return products_visible_to(actor).filter(is_active=True).order_by("name", "id")


def search_products(queryset: QuerySet[Product], text: str) -> QuerySet[Product]:
    """Products whose name or SKU contains `text`, in any case (Unicode-aware on SQLite too)."""
    text = text.strip().casefold()
    if not text:
        return queryset
    return queryset.filter(Q(Contains(Casefold("name"), text)) | Q(Contains(Casefold("sku"), text)))


def filter_products(
    actor: Membership,
    queryset: QuerySet[Product],
    *,
    q: str = "",
    category_id: int | None = None,
    kind: str = "",
    is_active: bool | None = None,
) -> QuerySet[Product]:
    """The list filters the page and the API share; a category covers its subcategories."""
    queryset = search_products(queryset, q)
    if category_id is not None:
        queryset = queryset.filter(category_id__in=subtree_ids(actor, category_id))
    if kind:
        queryset = queryset.filter(kind=kind)
    if is_active is not None:
        queryset = queryset.filter(is_active=is_active)
    return queryset


def product_prices(actor: Membership, product: Product) -> QuerySet[PriceListItem]:
    """The product's prices in every list: active lists first, by currency and priority."""
    return (
        scope_queryset(actor, PriceListItem.objects.all())
        .filter(product=product)
        .select_related("price_list__segment")
        .order_by("-price_list__is_active", "price_list__currency", "-price_list__priority", "price_list__name")
    )
