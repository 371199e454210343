"""Price lists, their prices, and the price of a product for a client through the API."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.catalog.api.schemas import PriceIn, PriceListIn, PriceListOut, PriceListPatch, PriceOut, QuoteOut, sent
from relata.catalog.models import PriceList, PriceListItem
from relata.catalog.selectors.price_lists import price_list_get, price_list_items, price_lists_visible_to
from relata.catalog.selectors.products import product_get
from relata.catalog.services.price_lists import price_list_delete, price_list_save, price_remove, price_set
from relata.catalog.services.pricing import price_for_client
from relata.clients.selectors.clients import client_get
from relata.core.access import require
from relata.core.money import clean_currency

router = Router(tags=["catalog"])
RENAMES = {"segment_id": "segment"}


@router.get("/catalog/price-lists", response=list[PriceListOut], summary="Price lists")
@paginate(PagePagination)
def price_list_list(request: HttpRequest, currency: str = "", is_active: bool | None = None) -> QuerySet[PriceList]:
    actor = actor_of(request)
    require(actor, "catalog", "view")
    price_lists = price_lists_visible_to(actor).order_by("currency", "-priority", "name", "id")
    if currency:
        price_lists = price_lists.filter(currency=currency.strip().upper())
    if is_active is not None:
        price_lists = price_lists.filter(is_active=is_active)
    return price_lists


@router.post("/catalog/price-lists", response={201: PriceListOut}, summary="Add a price list")
def price_list_new(request: HttpRequest, payload: PriceListIn) -> Status[PriceList]:
    values = sent(payload, renames=RENAMES)
    values.setdefault("segment", None)
    return Status(201, price_list_save(actor_of(request), values=values))


@router.get("/catalog/price-lists/{price_list_id}", response=PriceListOut, summary="One price list")
def price_list_detail(request: HttpRequest, price_list_id: int) -> PriceList:
    return price_list_get(actor_of(request), price_list_id)


@router.patch("/catalog/price-lists/{price_list_id}", response=PriceListOut, summary="Change a price list")
def price_list_change(request: HttpRequest, price_list_id: int, payload: PriceListPatch) -> PriceList:
    actor = actor_of(request)
    price_list = price_list_get(actor, price_list_id)
    return price_list_save(actor, price_list_id=price_list.pk, values=sent(payload, renames=RENAMES))


@router.delete(
    "/catalog/price-lists/{price_list_id}", response={204: None}, summary="Delete a price list with its prices"
)
def price_list_remove(request: HttpRequest, price_list_id: int) -> Status[None]:
    actor = actor_of(request)
    price_list_delete(actor, price_list_id=price_list_get(actor, price_list_id).pk)
    return Status(204, None)


@router.get(
    "/catalog/price-lists/{price_list_id}/items", response=list[PriceOut], summary="The prices of a list, by product"
)
@paginate(PagePagination)
def price_item_list(request: HttpRequest, price_list_id: int, q: str = "") -> QuerySet[PriceListItem]:
    actor = actor_of(request)
    return price_list_items(actor, price_list_get(actor, price_list_id), q=q)


@router.put(
    "/catalog/price-lists/{price_list_id}/items/{product_id}",
    response=PriceOut,
    summary="Set or change a product's price in a list",
)
def price_item_set(request: HttpRequest, price_list_id: int, product_id: int, payload: PriceIn) -> PriceListItem:
    actor = actor_of(request)
    price_list = price_list_get(actor, price_list_id)
    product = product_get(actor, product_id)
    return price_set(actor, price_list_id=price_list.pk, product_id=product.pk, price=payload.price)


@router.delete(
    "/catalog/price-lists/{price_list_id}/items/{product_id}",
    response={204: None},
    summary="Remove a product's price from a list",
)
def price_item_remove(request: HttpRequest, price_list_id: int, product_id: int) -> Status[None]:
    actor = actor_of(request)
    price_list = price_list_get(actor, price_list_id)
    product = product_get(actor, product_id)
    price_remove(actor, price_list_id=price_list.pk, product_id=product.pk)
    return Status(204, None)


@router.get(
    "/catalog/price",
    response=QuoteOut,
    summary="The price of a product for a client (the client's segment lists, else the base list)",
)
def price_quote(request: HttpRequest, product_id: int, client_id: int | None = None, currency: str = "") -> QuoteOut:
    actor = actor_of(request)
    require(actor, "catalog", "view")
    product = product_get(actor, product_id)
    client = client_get(actor, client_id) if client_id is not None else None
    code = clean_currency(currency, default=actor.workspace.default_currency)
    quote = price_for_client(actor, client=client, product=product, currency=code)
    return QuoteOut(
        product_id=product.pk,
        client_id=client.pk if client is not None else None,
        currency=code,
        price=quote.price if quote else None,
        price_list_id=quote.price_list_id if quote else None,
        price_list_name=quote.price_list_name if quote else "",
        vat_rate=product.vat_rate,
    )
