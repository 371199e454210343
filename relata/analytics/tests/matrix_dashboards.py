"""Permission-matrix entries of the dashboards (module "analytics"): `analytics.view`
reads one's own dashboard and computes its widgets (within one's scope); choosing a role's
widgets needs `analytics.change` (the administrator here), and a role of workspace A is
404 for workspace B."""

from __future__ import annotations

from typing import Any

from relata.core.tests.matrix import Rule, World, api_rule, form, page


def _role(w: World) -> dict[str, Any]:
    return {"role_id": w.p.manager1.role_id}


def _layout(w: World) -> dict[str, Any]:
    return {"widgets": ["classes_rfm", "managers_sales"]}


API: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/analytics/dashboard"): api_rule("analytics.view"),
    ("GET", "/api/v1/analytics/widgets/{key}"): api_rule("analytics.view", kwargs=lambda w: {"key": "classes_matrix"}),
    ("GET", "/api/v1/analytics/dashboards/{role_id}"): api_rule("analytics.change", object_route=True, kwargs=_role),
    ("PUT", "/api/v1/analytics/dashboards/{role_id}"): api_rule(
        "analytics.change", data=_layout, object_route=True, kwargs=_role
    ),
}

PAGES: dict[str, Rule] = {
    "analytics:dashboard": page("analytics.view"),
    "analytics:widget": page("analytics.view", kwargs=lambda w: {"key": "classes_rfm"}),
    "analytics:dashboard_edit": page("analytics.change"),
}

PAGE_POSTS: dict[str, Rule] = {
    "analytics:dashboard_edit": form(
        "analytics.change",
        lambda w: {"role": w.p.manager1.role_id, "use_classes_rfm": "1", "position_classes_rfm": "1"},
        foreign_data=404,  # workspace A's role
    ),
}
