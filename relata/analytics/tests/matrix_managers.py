"""Permission-matrix entries of the manager performance report (analytics:managers).

The world adds a deal manager 1 won today, so that workspace A's report names her
("Mila North"): workspace B's administrator reads B's report and must never see it.
Reading needs `analytics.view`; the rows follow the reader's scope (tested in
test_managers_report.py).
"""

from __future__ import annotations

from relata.core.tests.matrix import Rule, World, api_rule, page
from relata.sales.services.deals import deal_win
from relata.sales.tests.helpers import deal

LEAK_MARKERS = ["Mila North"]


def extend_world(world: World) -> None:
    won = deal(world.p.manager1, "Managers report: won brick deal", amount="5000")
    deal_win(world.p.manager1, won.pk, version=won.version)
    world.extra.update(managers_won_deal=won)


API: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/analytics/managers"): api_rule("analytics.view"),
}

PAGES: dict[str, Rule] = {
    "analytics:managers": page("analytics.view"),
}
