"""Permission-matrix entries of the funnel, lead statistics and forecast reports: pages
and API for every member with `analytics.view` (every built-in role here), each within
their own scope. Manager 1's client of the "Funnelcast fair" channel lost a deal: the
channel shows in workspace A's reports and filter choices, never in workspace B's."""

from __future__ import annotations

from django.utils import timezone

from relata.analytics.tests.funnel_helpers import client, deal, lose
from relata.core.tests.matrix import Rule, World, api_rule, page

LEAK_MARKERS = ["Funnelcast"]


def extend_world(world: World) -> None:
    m1 = world.p.manager1
    fair = client(m1, "Funnel Steel Ltd", source="Funnelcast fair")
    lose(m1, deal(m1, timezone.now(), "900", client=fair), timezone.now(), "price")


API: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/analytics/funnel"): api_rule("analytics.view"),
    ("GET", "/api/v1/analytics/leads"): api_rule("analytics.view"),
    ("GET", "/api/v1/analytics/forecast"): api_rule("analytics.view"),
}

PAGES: dict[str, Rule] = {
    "analytics:funnel": page("analytics.view"),
    "analytics:leads": page("analytics.view"),
    "analytics:forecast": page("analytics.view"),
}
