"""Permission-matrix entries of the products' ABC (module "analytics"): `analytics.view`
reads it; what it counts follows the reader's scope over orders (tested in
test_products_report.py); workspace B never sees workspace A's product ("Matrixium")."""

from __future__ import annotations

from relata.analytics.tests.helpers import Shop, buy, company, day_in
from relata.core.tests.matrix import Rule, World, api_rule, page
from relata.orders.tests.helpers import product, warehouse

LEAK_MARKERS = ["Matrixium"]


def extend_world(world: World) -> None:
    p = world.p
    shop = Shop.__new__(Shop)  # names of its own beside the classes' shop in the same world
    shop.admin = p.admin
    shop.service = product(p.admin, "Matrixium consulting", kind="service")
    shop.warehouse = warehouse(p.admin, "Matrixium store")
    buy(shop, company(p.manager1, "Products Buyer Ltd"), "4321", day_in(1))


API: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/analytics/products"): api_rule("analytics.view"),
}

PAGES: dict[str, Rule] = {
    "analytics:products": page("analytics.view"),
}
