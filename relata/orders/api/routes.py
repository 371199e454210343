"""The orders app's API: one router for /api/v1/ gathering its modules."""

from ninja import Router

from relata.orders.api import history, orders, stock

router = Router()
router.add_router("", stock.router)
router.add_router("", orders.router)
router.add_router("", history.router)
