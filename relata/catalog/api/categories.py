"""Categories of the catalog through the API."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.catalog.api.schemas import CategoryIn, CategoryOut, CategoryPatch, sent
from relata.catalog.models import Category
from relata.catalog.selectors.categories import categories_visible_to, category_get
from relata.catalog.services.categories import category_delete, category_save
from relata.core.access import require

router = Router(tags=["catalog"])
RENAMES = {"parent_id": "parent"}


@router.get("/catalog/categories", response=list[CategoryOut], summary="Categories, in order")
@paginate(PagePagination)
def category_list(request: HttpRequest, parent_id: int | None = None) -> QuerySet[Category]:
    actor = actor_of(request)
    require(actor, "catalog", "view")
    categories = categories_visible_to(actor)
    return categories if parent_id is None else categories.filter(parent_id=parent_id)


@router.post("/catalog/categories", response={201: CategoryOut}, summary="Add a category")
def category_create(request: HttpRequest, payload: CategoryIn) -> Status[Category]:
    return Status(201, category_save(actor_of(request), values=sent(payload, renames=RENAMES)))


@router.get("/catalog/categories/{category_id}", response=CategoryOut, summary="One category")
def category_detail(request: HttpRequest, category_id: int) -> Category:
    return category_get(actor_of(request), category_id)


@router.patch("/catalog/categories/{category_id}", response=CategoryOut, summary="Rename, move or reorder a category")
def category_change(request: HttpRequest, category_id: int, payload: CategoryPatch) -> Category:
    actor = actor_of(request)
    category = category_get(actor, category_id)
    return category_save(actor, category_id=category.pk, values=sent(payload, renames=RENAMES))


@router.delete(
    "/catalog/categories/{category_id}",
    response={204: None},
    summary="Delete an empty category (one with products or subcategories is refused)",
)
def category_remove(request: HttpRequest, category_id: int) -> Status[None]:
    actor = actor_of(request)
    category_delete(actor, category_id=category_get(actor, category_id).pk)
    return Status(204, None)
