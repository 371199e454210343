"""Reads of price lists and their prices, through the access mechanism."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from relata.catalog.models import PriceList, PriceListItem, Product
from relata.catalog.selectors.products import products_in_use, search_products
from relata.clients.models import Segment
from relata.clients.selectors.segments import segments_visible_to
from relata.core.access import get_visible, scope_queryset
from relata.core.models import Membership


def price_lists_visible_to(actor: Membership) -> QuerySet[PriceList]:
    return scope_queryset(actor, PriceList.objects.all()).select_related("segment")


def price_lists_listed(actor: Membership) -> QuerySet[PriceList]:
    """Every list with how many prices it holds (one query): active ones first."""
    return (
        price_lists_visible_to(actor)
        .annotate(item_count=Count("items"))
        .order_by("-is_active", "currency", "-priority", "name", "id")
    )


def price_list_get(actor: Membership, pk: int | str) -> PriceList:
    return get_visible(actor, price_lists_visible_to(actor), pk)


def price_list_items(actor: Membership, price_list: PriceList, *, q: str = "") -> QuerySet[PriceListItem]:
    """The list's prices by product name, with the products joined in."""
    items = (
        scope_queryset(actor, PriceListItem.objects.all())
        .filter(price_list=price_list)
        .select_related("product", "product__category")
        .order_by("product__name", "product_id")
    )
    if q.strip():
        items = items.filter(product__in=search_products(scope_queryset(actor, Product.objects.all()), q))
    return items


def products_to_price(actor: Membership, price_list: PriceList) -> QuerySet[Product]:
    """Products in use the list has no price for yet (the "add a price" picker)."""
    priced = PriceListItem.objects.filter(workspace_id=actor.workspace_id, price_list=price_list).values("product_id")
    return products_in_use(actor).exclude(pk__in=priced)


def segments_for_price_lists(actor: Membership, current: Segment | None = None) -> list[Segment]:
    """The segments a price list may be for: those the actor sees, and the list's own."""
    segments = list(segments_visible_to(actor).order_by("entity", "name"))
    if current is not None and current not in segments:
        segments.append(current)
    return segments
