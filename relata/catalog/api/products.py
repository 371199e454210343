"""Products and services of the catalog through the API. Products are not deleted:
`archive` takes one out of use (kept on deals and orders), `restore` puts it back."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.catalog.api.schemas import PriceOut, ProductFilter, ProductIn, ProductOut, ProductPatch, sent
from relata.catalog.models import PriceListItem, Product
from relata.catalog.selectors.products import filter_products, product_get, product_prices, products_visible_to
from relata.catalog.services.products import product_archive, product_create, product_restore, product_update
from relata.core.access import require

router = Router(tags=["catalog"])
RENAMES = {"category_id": "category"}


@router.get("/catalog/products", response=list[ProductOut], summary="Products and services, by name")
@paginate(PagePagination)
def product_list(request: HttpRequest, filters: Query[ProductFilter]) -> QuerySet[Product]:
    actor = actor_of(request)
    require(actor, "catalog", "view")
    products = filter_products(
        actor,
        products_visible_to(actor),
        q=filters.q,
        category_id=filters.category_id,
        kind=filters.kind,
        is_active=filters.is_active,
    )
    return products.order_by("name", "id")


@router.post("/catalog/products", response={201: ProductOut}, summary="Add a product or a service")
def product_new(request: HttpRequest, payload: ProductIn) -> Status[Product]:
    return Status(201, product_create(actor_of(request), values=sent(payload, renames=RENAMES)))


@router.get("/catalog/products/{product_id}", response=ProductOut, summary="One product")
def product_detail(request: HttpRequest, product_id: int) -> Product:
    return product_get(actor_of(request), product_id)


@router.patch(
    "/catalog/products/{product_id}", response=ProductOut, summary="Change a product (optimistic locking: 409 if stale)"
)
def product_change(request: HttpRequest, product_id: int, payload: ProductPatch) -> Product:
    actor = actor_of(request)
    product = product_get(actor, product_id)
    return product_update(actor, product_id=product.pk, version=payload.version, values=sent(payload, renames=RENAMES))


@router.post("/catalog/products/{product_id}/archive", response=ProductOut, summary="Take a product out of use")
def product_archive_op(request: HttpRequest, product_id: int) -> Product:
    actor = actor_of(request)
    return product_archive(actor, product_id=product_get(actor, product_id).pk)


@router.post("/catalog/products/{product_id}/restore", response=ProductOut, summary="Put a product back in use")
def product_restore_op(request: HttpRequest, product_id: int) -> Product:
    actor = actor_of(request)
    return product_restore(actor, product_id=product_get(actor, product_id).pk)


@router.get(
    "/catalog/products/{product_id}/prices", response=list[PriceOut], summary="A product's prices in every list"
)
def product_price_list(request: HttpRequest, product_id: int) -> list[PriceListItem]:
    actor = actor_of(request)
    product = product_get(actor, product_id)
    return list(product_prices(actor, product).select_related("product"))
