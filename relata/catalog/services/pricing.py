"""The price of a product for a client: what deal lines (relata.sales) take.

Among the active price lists of the currency that price the product, the lists of the
segments the client is in win, by highest priority (equal priorities: the list made
first); otherwise the base list of the currency (the one without a segment). A product
out of use, or one no list prices, has no price (None).

A dynamic segment's conditions are evaluated for the one client (one query per segment
asked about, stopping at the first that holds); a static segment is a membership row.
Segment membership is a fact about the client, not about who asks: a manager gets the
wholesale price for a wholesale client even if the segment is a colleague's private one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from relata.catalog.models import PriceListItem, Product
from relata.clients.filtering import apply_definition
from relata.clients.models import Client, Segment, SegmentMember
from relata.clients.models.segments import SegmentKind
from relata.core.access import require, scope_queryset
from relata.core.errors import invalid
from relata.core.models import Membership
from relata.core.money import clean_currency

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Quote:
    """A product's price for a client: the amount, the list it comes from and the
    product's VAT rate (None: without VAT)."""

    price: Decimal
    price_list_id: int
    price_list_name: str
    vat_rate: Decimal | None


def client_in_segment(client: Client, segment: Segment) -> bool:
    """Whether `client` is in `segment` now (one query). A dynamic segment whose
    conditions no longer make sense (a custom field was removed) holds nobody."""
    if segment.entity != client.kind or segment.workspace_id != client.workspace_id:
        return False
    if segment.kind == SegmentKind.STATIC:
        return SegmentMember.objects.filter(segment_id=segment.pk, client_id=client.pk).exists()
    one = Client.objects.filter(workspace_id=client.workspace_id, pk=client.pk)
    try:
        return apply_definition(one, client.workspace_id, segment.entity, segment.definition).exists()
    except ValidationError:
        log.warning("segment %s cannot be evaluated; its price lists are skipped", segment.pk)
        return False


def prices_for_client(
    actor: Membership, *, client: Client | None, products: Iterable[Product], currency: str
) -> dict[int, Quote]:
    """The quotes of several products for one client at once ({product id: Quote}; the
    products without a price are left out): one query for the prices, and each segment
    evaluated at most once.

    Needs `catalog.view` (PermissionDenied; Http404 when the catalog is switched off).
    `client` None (no client yet) gets the base lists. `currency` empty is the
    workspace's currency; a malformed one is a ValidationError naming "currency".
    """
    require(actor, "catalog", "view")
    code = clean_currency(currency, default=actor.workspace.default_currency)
    if client is not None and client.workspace_id != actor.workspace_id:
        raise invalid("client", _("Choose a client you can see."))
    wanted: dict[int, Product] = {}
    for product in products:
        if product.workspace_id != actor.workspace_id:
            raise invalid("product", _("Choose a product of the catalog."))
        if product.is_active:
            wanted[product.pk] = product
    if not wanted:
        return {}
    items = (
        scope_queryset(actor, PriceListItem.objects.all())
        .filter(product_id__in=wanted, price_list__currency=code, price_list__is_active=True)
        .select_related("price_list__segment")
        .order_by("-price_list__priority", "price_list_id")
    )
    membership: dict[int, bool] = {}
    quotes: dict[int, Quote] = {}
    base: dict[int, PriceListItem] = {}
    for item in items:
        if item.product_id in quotes:
            continue
        segment = item.price_list.segment
        if segment is None:
            base.setdefault(item.product_id, item)
            continue
        if client is None:
            continue
        if segment.pk not in membership:
            membership[segment.pk] = client_in_segment(client, segment)
        if membership[segment.pk]:
            quotes[item.product_id] = _quote(item, wanted[item.product_id])
    for product_id, item in base.items():
        quotes.setdefault(product_id, _quote(item, wanted[product_id]))
    return quotes


def price_for_client(actor: Membership, *, client: Client | None, product: Product, currency: str) -> Quote | None:
    """The price of `product` for `client` in `currency` (see the module's rules), or
    None when no active list of the currency prices it or it is out of use."""
    return prices_for_client(actor, client=client, products=[product], currency=currency).get(product.pk)


def _quote(item: PriceListItem, product: Product) -> Quote:
    return Quote(
        price=item.price,
        price_list_id=item.price_list_id,
        price_list_name=item.price_list.name,
        vat_rate=product.vat_rate,
    )
