"""Permission-matrix entries of the sales analysis and lifetime value reports (module
"analytics"): every member with `analytics.view` reads them (each within their scope over
the clients: the report tests check what each sees); workspace B's administrator gets its
own, empty, reports, never workspace A's client or product."""

from __future__ import annotations

from django.utils import timezone

from relata.analytics.tests.sales_helpers import Store
from relata.core.tests.matrix import Rule, World, api_rule, page
from relata.orders.tests.helpers import company

LEAK_MARKERS = ["Lifemark", "Salesmark kit"]


def extend_world(world: World) -> None:
    p = world.p
    store = Store(p.admin, "Salesmark kit")
    client = company(p.manager1, "Lifemark Ltd")
    store.sell(client, [(store.products["Salesmark kit"], "2", "450")], timezone.localdate())
    world.extra.update(lifetime_client=client)


API: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/analytics/sales"): api_rule("analytics.view"),
    ("GET", "/api/v1/analytics/lifetime"): api_rule("analytics.view"),
}

PAGES: dict[str, Rule] = {
    "analytics:sales": page("analytics.view"),
    "analytics:lifetime": page("analytics.view"),
}
