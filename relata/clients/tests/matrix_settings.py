"""Permission-matrix entries of the client base's settings: custom fields and lifecycle
statuses (administrators: `admin.*`), tags (readers of the client base) and assignment
rules (`clients.assign`: the administrator and the head of sales).

The world's rule is switched off, so that it does not change who owns the clients other
cases create.
"""

from __future__ import annotations

from typing import Any

from relata.clients.services.assignment import assignment_rule_create
from relata.clients.services.clients import client_create
from relata.clients.services.custom_fields import custom_field_create
from relata.clients.services.statuses import status_create
from relata.core.tests.matrix import Rule, World, api_rule, form, page

LEAK_MARKERS = ["Quasar"]


def extend_world(world: World) -> None:
    p = world.p
    definition = custom_field_create(p.admin, entity="company", label="Quasar region", field_type="text")
    status = status_create(p.admin, name="Quasar status")
    rule = assignment_rule_create(
        p.admin, name="Quasar rule", entity="company", manager_ids=[p.manager1.user_id], is_active=False
    )
    client_create(p.manager1, kind="company", values={"name": "Quasar Glass", "tags": ["Quasar tag"]})
    world.extra.update(quasar_field=definition, quasar_status=status, quasar_rule=rule)


def _field(w: World) -> dict[str, Any]:
    return {"pk": w.quasar_field.pk}


def _status(w: World) -> dict[str, Any]:
    return {"pk": w.quasar_status.pk}


def _rule(w: World) -> dict[str, Any]:
    return {"pk": w.quasar_rule.pk}


def rule_form(w: World) -> dict[str, Any]:
    return {
        "name": "Matrix rule",
        "entity": "company",
        "strategy": "round_robin",
        "managers": [w.p.manager1.user_id],
        "is_active": "on",
    }


PAGES: dict[str, Rule] = {
    "clients:custom_fields": page("admin.view"),
    "clients:custom_field_new": page("admin.change"),
    "clients:custom_field_edit": page("admin.view", object_route=True, kwargs=_field),
    "clients:statuses": page("admin.view"),
    "clients:status_new": page("admin.change"),
    "clients:status_edit": page("admin.view", object_route=True, kwargs=_status),
    "clients:status_delete": form("admin.change", lambda w: {}, object_route=True, kwargs=_status),
    "clients:assignment_rules": page("clients.assign"),
    "clients:assignment_rule_new": page("clients.assign"),
    "clients:assignment_rule_edit": page("clients.assign", object_route=True, kwargs=_rule),
    "clients:assignment_rule_delete": form("clients.assign", lambda w: {}, object_route=True, kwargs=_rule),
}

PAGE_POSTS: dict[str, Rule] = {
    "clients:custom_field_new": form(
        "admin.change", lambda w: {"entity": "company", "label": "Made in matrix", "field_type": "text"}
    ),
    "clients:custom_field_edit": form(
        "admin.change",
        lambda w: {"version": w.quasar_field.version, "label": "Renamed", "position": 5, "is_active": "on"},
        object_route=True,
        kwargs=_field,
    ),
    "clients:status_new": form("admin.change", lambda w: {"name": "Made in matrix"}),
    "clients:status_edit": form(
        "admin.change",
        lambda w: {"version": w.quasar_status.version, "name": "Renamed", "position": 5, "is_active": "on"},
        object_route=True,
        kwargs=_status,
    ),
    # Workspace B's administrator cannot name workspace A's members as managers.
    "clients:assignment_rule_new": form("clients.assign", rule_form, foreign_data=400),
    "clients:assignment_rule_edit": form(
        "clients.assign",
        lambda w: {**rule_form(w), "version": w.quasar_rule.version, "position": 5},
        object_route=True,
        kwargs=_rule,
    ),
}

_FIELD = "/api/v1/custom-fields/{field_id}"
_STATUS = "/api/v1/statuses/{status_id}"
_RULE = "/api/v1/assignment-rules/{rule_id}"

API: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/custom-fields"): api_rule("clients.view"),
    ("POST", "/api/v1/custom-fields"): api_rule(
        "admin.change", 201, data=lambda w: {"entity": "person", "label": "Hobby", "field_type": "text"}
    ),
    ("GET", _FIELD): api_rule("clients.view", object_route=True, kwargs=lambda w: {"field_id": w.quasar_field.pk}),
    ("PATCH", _FIELD): api_rule(
        "admin.change",
        data=lambda w: {"version": w.quasar_field.version, "label": "Renamed"},
        object_route=True,
        kwargs=lambda w: {"field_id": w.quasar_field.pk},
    ),
    ("GET", "/api/v1/statuses"): api_rule("clients.view"),
    ("POST", "/api/v1/statuses"): api_rule("admin.change", 201, data=lambda w: {"name": "Made in matrix"}),
    ("GET", _STATUS): api_rule("clients.view", object_route=True, kwargs=lambda w: {"status_id": w.quasar_status.pk}),
    ("PATCH", _STATUS): api_rule(
        "admin.change",
        data=lambda w: {"version": w.quasar_status.version, "name": "Renamed"},
        object_route=True,
        kwargs=lambda w: {"status_id": w.quasar_status.pk},
    ),
    ("DELETE", _STATUS): api_rule(
        "admin.change",
        204,
        data=lambda w: {},
        object_route=True,
        kwargs=lambda w: {"status_id": w.quasar_status.pk},
    ),
    ("GET", "/api/v1/tags"): api_rule("clients.view"),
    ("GET", "/api/v1/assignment-rules"): api_rule("clients.assign"),
    ("POST", "/api/v1/assignment-rules"): api_rule(
        "clients.assign",
        201,
        data=lambda w: {"name": "Matrix rule", "manager_ids": [w.p.manager1.user_id]},
        foreign_data=422,
    ),
    ("GET", _RULE): api_rule("clients.assign", object_route=True, kwargs=lambda w: {"rule_id": w.quasar_rule.pk}),
    ("PATCH", _RULE): api_rule(
        "clients.assign",
        data=lambda w: {"version": w.quasar_rule.version, "name": "Renamed"},
        object_route=True,
        kwargs=lambda w: {"rule_id": w.quasar_rule.pk},
    ),
    ("DELETE", _RULE): api_rule(
        "clients.assign",
        204,
        data=lambda w: {},
        object_route=True,
        kwargs=lambda w: {"rule_id": w.quasar_rule.pk},
    ),
}
