"""Every analytics router, mounted once by relata/api/v1.py (a report adds its module here)."""

from ninja import Router

from relata.analytics.api import dashboards, managers, products, routes

router = Router()
for module in (routes, dashboards, products, managers):
    router.add_router("", module.router)
