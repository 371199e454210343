"""Permission-matrix entries of the sales plans.

The world has manager 1's plan (team North) for June 2025 and team North's plan for the
second quarter of 2025 (periods long past, so that the set-up of the current month starts
empty). Reading needs `sales.view` within the scope: the head of sales (team Sales,
above North), the administrator and the read-only user see both plans, manager 1 only
their own, manager 2 (team South, scope own) neither. Every change needs `sales.assign`
(heads and administrators).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from relata.core.tests.matrix import Rule, World, api_rule, form, page
from relata.sales.services.plans import sales_plan_create

SEES = {"admin": 200, "head": 200, "manager1": 200, "readonly": 200}  # manager2 and workspace B: 404
CHANGES = {"admin": 200, "head": 200, "manager1": 403, "readonly": 403}
CHANGE_POSTS = {"admin": 302, "head": 302, "manager1": 403, "readonly": 403}
DELETES = {"admin": 204, "head": 204, "manager1": 403, "readonly": 403}


def extend_world(world: World) -> None:
    p = world.p
    plan = sales_plan_create(
        p.admin,
        values={
            "period_kind": "month",
            "period_start": dt.date(2025, 6, 1),
            "manager": p.manager1.user_id,
            "target_amount": "100000",
        },
    )
    team_plan = sales_plan_create(
        p.admin,
        values={"period_kind": "quarter", "period_start": "2025-04-01", "team": p.north.pk, "target_amount": "900000"},
    )
    world.extra.update(sales_plan=plan, team_sales_plan=team_plan)


def _obj(name: str, key: str = "pk") -> Any:
    return lambda w: {key: getattr(w, name).pk}


def _plan_form(w: World) -> dict[str, Any]:
    return {
        "period_kind": "month",
        "period_start": "2025-06-01",
        "manager": w.p.manager1.user_id,
        "target_amount": "120 000,50",
        "currency": "RUB",
        "version": w.sales_plan.version,
    }


PAGES: dict[str, Rule] = {
    "sales:sales_plans": page("sales.view"),
    "sales:sales_plan_new": page("sales.assign"),
    "sales:sales_plans_setup": page("sales.assign"),
    "sales:sales_plan_edit": page("custom", object_route=True, kwargs=_obj("sales_plan"), expect=CHANGES),
    "sales:sales_plan_delete": form(
        "custom",
        lambda w: {"version": w.sales_plan.version},
        object_route=True,
        kwargs=_obj("sales_plan"),
        expect=CHANGE_POSTS,
    ),
}

PAGE_POSTS: dict[str, Rule] = {
    # Manager 1 is no choice for workspace B's member: a form error.
    "sales:sales_plan_new": form(
        "sales.assign", lambda w: {**_plan_form(w), "period_start": "2025-07-01"}, foreign_data=400
    ),
    "sales:sales_plan_edit": form(
        "custom", _plan_form, object_route=True, kwargs=_obj("sales_plan"), expect=CHANGE_POSTS
    ),
    # Team North is not workspace B's: the team picker again, with 400.
    "sales:sales_plans_setup": form(
        "sales.assign", lambda w: {"team": w.p.north.pk, "currency": "RUB", "amount_0": "5000"}, foreign_data=400
    ),
}

_PLAN = "/api/v1/sales-plans/{plan_id}"

API: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/sales-plans"): api_rule("sales.view"),
    ("GET", "/api/v1/sales-plans/progress"): api_rule("sales.view"),
    ("POST", "/api/v1/sales-plans"): api_rule(
        "sales.assign",
        201,
        data=lambda w: {"period_start": "2025-07-01", "manager_id": w.p.manager1.user_id, "target_amount": "1000"},
        foreign_data=422,
    ),
    ("POST", "/api/v1/sales-plans/set"): api_rule(
        "sales.assign",
        data=lambda w: {
            "period_kind": "month",
            "period_start": "2025-08-01",
            "rows": [{"team_id": w.p.north.pk, "target_amount": "5000"}],
        },
        foreign_data=422,
    ),
    ("GET", _PLAN): api_rule("custom", object_route=True, kwargs=_obj("sales_plan", "plan_id"), expect=SEES),
    ("PATCH", _PLAN): api_rule(
        "custom",
        data=lambda w: {"version": w.sales_plan.version, "target_amount": "150000"},
        object_route=True,
        kwargs=_obj("sales_plan", "plan_id"),
        expect=CHANGES,
    ),
    ("DELETE", _PLAN): api_rule(
        "custom", 204, data=lambda w: {}, object_route=True, kwargs=_obj("sales_plan", "plan_id"), expect=DELETES
    ),
}
