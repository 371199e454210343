"""What the catalog app adds to the platform's registries (imported from ready())."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from relata.catalog.selectors.products import products_in_use, search_products
from relata.core.audit import register_event_kinds
from relata.core.models import Membership
from relata.web.navigation import NavItem, register_nav
from relata.web.search import SearchHit, SearchProvider, register_search

register_event_kinds(
    {
        "category.created": _("Category created"),
        "category.changed": _("Category changed"),
        "category.deleted": _("Category deleted"),
        "product.created": _("Product created"),
        "product.changed": _("Product changed"),
        "product.archived": _("Product taken out of use"),
        "product.restored": _("Product put back in use"),
        "price_list.created": _("Price list created"),
        "price_list.changed": _("Price list changed"),
        "price_list.deleted": _("Price list deleted"),
        "price.set": _("Price set"),
        "price.removed": _("Price removed"),
    }
)

register_nav(NavItem("catalog", _("Catalog"), "catalog:products", "catalog", icon="box-seam", order=60))

from relata.catalog import demo as _demo  # noqa: E402, F401  (registers the demo step)


def _find_products(actor: Membership, text: str, limit: int) -> list[SearchHit]:
    rows = search_products(products_in_use(actor), text)[:limit]
    return [SearchHit(p.name, p.sku, reverse("catalog:product", args=[p.pk]), icon="box-seam") for p in rows]


register_search(SearchProvider("products", _("Products"), "catalog", _find_products, order=40))
