"""Every analytics router, mounted once by relata/api/v1.py (a report adds its module here)."""

from ninja import Router

from relata.analytics.api import dashboards, funnel, managers, products, routes, sales

router = Router()
for module in (routes, dashboards, products, managers, funnel, sales):
    router.add_router("", module.router)
