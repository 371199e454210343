"""Permission-matrix entries of analytics (module "analytics").

The classes follow the scope over their clients: "Analytica Ltd" is manager 1's client
with a purchase, so the administrator, the head of sales (team above North), manager 1
and the read-only user see its class; manager 2 (scope own) and workspace B get 404.
Recomputing needs `analytics.change` (administrators and analysts; here the
administrator, and workspace B's administrator in its own workspace).
"""

from __future__ import annotations

from typing import Any

from relata.analytics.services.recompute import classes_recompute
from relata.analytics.tests.helpers import Shop, buy, company, day_in
from relata.core.tests.matrix import Rule, World, api_rule, form, page

LEAK_MARKERS = ["Analytica"]

SEES = {"admin": 200, "head": 200, "manager1": 200, "readonly": 200}  # manager2 and workspace B: 404


def extend_world(world: World) -> None:
    p = world.p
    client = company(p.manager1, "Analytica Ltd")
    buy(Shop(p.admin), client, "1234", day_in(1))
    classes_recompute(p.admin.workspace)
    world.extra.update(analytics_client=client)


def _client(w: World) -> dict[str, Any]:
    return {"client_id": w.analytics_client.pk}


API: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/analytics/classes"): api_rule("analytics.view"),
    ("GET", "/api/v1/analytics/classes/{client_id}"): api_rule(
        "custom", object_route=True, kwargs=_client, expect=SEES
    ),
    ("GET", "/api/v1/analytics/matrix"): api_rule("analytics.view"),
    ("POST", "/api/v1/analytics/recompute"): api_rule("analytics.change", 202, data=lambda w: {"months": 6}),
    ("GET", "/api/v1/analytics/settings"): api_rule("analytics.view"),
    ("GET", "/api/v1/analytics/copy"): api_rule("analytics.view"),
    # The world's workspace is too small for a copy: allowed readers get the 422 that says so.
    ("POST", "/api/v1/analytics/copy/refresh"): api_rule("analytics.change", 422, data=lambda w: {}),
    ("PATCH", "/api/v1/analytics/settings"): api_rule("analytics.change", data=lambda w: {"abc_a": "75"}),
}

PAGES: dict[str, Rule] = {
    "analytics:classes": page("analytics.view"),
    "analytics:recompute": form("analytics.change", lambda w: {"months": "6"}),
    "analytics:settings": page("analytics.change"),
    "analytics:copy_refresh": form("analytics.change", lambda w: {}),
}

PAGE_POSTS: dict[str, Rule] = {
    "analytics:settings": form(
        "analytics.change",
        lambda w: {"abc_a": "75", "abc_b": "15", "xyz_x": "10", "xyz_y": "25", "period_months": "12"},
    ),
}
