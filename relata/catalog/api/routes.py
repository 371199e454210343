"""The catalog's API: one router for /api/v1/ gathering the catalog's modules."""

from ninja import Router

from relata.catalog.api import categories, price_lists, products

router = Router()
router.add_router("", categories.router)
router.add_router("", products.router)
router.add_router("", price_lists.router)
