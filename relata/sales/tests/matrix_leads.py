"""Permission-matrix entries of leads and web forms.

The lead is manager 1's (team North): the head of sales and the administrator see and
change it, the read-only user only sees it, and manager 2 (team South, scope own) must
not learn it exists. Web forms are administration (`admin.change`); their public
endpoint is open to everyone, logged in or not.
"""

from __future__ import annotations

from typing import Any

from relata.core.tests.matrix import Rule, World, api_rule, form, page
from relata.sales.services.leads import lead_create
from relata.sales.services.webforms import webform_create

LEAK_MARKERS = ["Matrix Lead Person", "Matrix Web Form"]

SEES = {"admin": 200, "head": 200, "manager1": 200, "readonly": 200}  # manager2 and workspace B: 404
CHANGES = {"admin": 200, "head": 200, "manager1": 200, "readonly": 403}
CHANGE_POSTS = {"admin": 302, "head": 302, "manager1": 302, "readonly": 403}
DELETES = {"admin": 204, "head": 204, "manager1": 403, "manager2": 403, "readonly": 403}


def extend_world(world: World) -> None:
    p = world.p
    lead = lead_create(
        p.manager1,
        values={"contact_name": "Matrix Lead Person", "phone": "+79161230000", "email": "matrix@lead.test"},
    )
    webform = webform_create(p.admin, values={"name": "Matrix Web Form", "default_owner": p.manager1.user_id})
    world.extra.update(lead=lead, webform=webform)


def _obj(name: str, key: str = "pk") -> Any:
    return lambda w: {key: getattr(w, name).pk}


def _webform_values(w: World) -> dict[str, Any]:
    return {
        "name": "Changed form",
        "fields_shown": ["contact_name", "phone"],
        "default_source": "web_form",
        "default_owner": w.p.admin.user_id,
        "is_active": "on",
        "rate_limit": 10,
        "version": w.webform.version,
    }


PAGES: dict[str, Rule] = {
    "sales:leads": page("sales.view"),
    "sales:lead_new": page("sales.create"),
    "sales:lead": page("custom", object_route=True, kwargs=_obj("lead"), expect=SEES),
    "sales:lead_edit": page("custom", object_route=True, kwargs=_obj("lead"), expect=CHANGES),
    "sales:lead_qualify": page("custom", object_route=True, kwargs=_obj("lead"), expect=CHANGES),
    "sales:lead_reject": page("custom", object_route=True, kwargs=_obj("lead"), expect=CHANGES),
    "sales:webforms": page("admin.change"),
    "sales:webform_new": page("admin.change"),
    "sales:webform_edit": page("admin.change", object_route=True, kwargs=_obj("webform")),
    "sales:webform_regenerate": form(
        "admin.change", lambda w: {"version": w.webform.version}, object_route=True, kwargs=_obj("webform")
    ),
    "sales:webform_delete": form("admin.change", lambda w: {}, object_route=True, kwargs=_obj("webform")),
    # The public endpoint: anyone may post; a lead is created in the form's workspace.
    "sales:webform_submit": form(
        "public",
        lambda w: {"contact_name": "Visitor", "phone": "+79161239999"},
        ok=201,
        kwargs=lambda w: {"key": w.webform.key},
    ),
    # Without a key: the same "not found" for everyone, and nothing written.
    "sales:webform_submit_without_key": form("public", lambda w: {"phone": "+79161239999"}, ok=404),
}

PAGE_POSTS: dict[str, Rule] = {
    "sales:lead_new": form(
        "sales.create", lambda w: {"contact_name": "Matrix new", "phone": "+79161231111", "source": "manual"}
    ),
    "sales:lead_edit": form(
        "custom",
        lambda w: {"contact_name": "Changed", "phone": "+79161230000", "source": "manual", "version": w.lead.version},
        object_route=True,
        kwargs=_obj("lead"),
        expect=CHANGE_POSTS,
    ),
    "sales:lead_qualify": form(
        "custom", lambda w: {"version": w.lead.version}, object_route=True, kwargs=_obj("lead"), expect=CHANGE_POSTS
    ),
    "sales:lead_reject": form(
        "custom",
        lambda w: {"version": w.lead.version, "reason": "Matrix"},
        object_route=True,
        kwargs=_obj("lead"),
        expect=CHANGE_POSTS,
    ),
    # Workspace B's administrator cannot name workspace A's member as the owner: a form error.
    "sales:webform_new": form("admin.change", _webform_values, foreign_data=400),
    "sales:webform_edit": form("admin.change", _webform_values, object_route=True, kwargs=_obj("webform")),
}


def _lead_api(data: Any) -> Rule:
    return api_rule("custom", data=data, object_route=True, kwargs=_obj("lead", "lead_id"), expect=CHANGES)


def _webform_api(ok: int = 200, data: Any = None) -> Rule:
    return api_rule("admin.change", ok, data=data, object_route=True, kwargs=_obj("webform", "form_id"))


API: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/leads"): api_rule("sales.view"),
    ("POST", "/api/v1/leads"): api_rule(
        "sales.create", 201, data=lambda w: {"contact_name": "Matrix API", "phone": "+79161232222"}
    ),
    ("GET", "/api/v1/leads/{lead_id}"): api_rule(
        "custom", object_route=True, kwargs=_obj("lead", "lead_id"), expect=SEES
    ),
    ("PATCH", "/api/v1/leads/{lead_id}"): _lead_api(lambda w: {"version": w.lead.version, "contact_name": "Changed"}),
    ("DELETE", "/api/v1/leads/{lead_id}"): api_rule(
        "custom", 204, data=lambda w: {}, object_route=True, kwargs=_obj("lead", "lead_id"), expect=DELETES
    ),
    ("POST", "/api/v1/leads/{lead_id}/qualify"): _lead_api(lambda w: {"version": w.lead.version}),
    ("POST", "/api/v1/leads/{lead_id}/reject"): _lead_api(lambda w: {"version": w.lead.version, "reason": "Matrix"}),
    ("GET", "/api/v1/web-forms"): api_rule("admin.change"),
    ("POST", "/api/v1/web-forms"): api_rule("admin.change", 201, data=lambda w: {"name": "Matrix API form"}),
    ("GET", "/api/v1/web-forms/{form_id}"): _webform_api(),
    ("PATCH", "/api/v1/web-forms/{form_id}"): _webform_api(
        data=lambda w: {"version": w.webform.version, "name": "Changed"}
    ),
    ("DELETE", "/api/v1/web-forms/{form_id}"): _webform_api(204, data=lambda w: {}),
    ("POST", "/api/v1/web-forms/{form_id}/regenerate-key"): _webform_api(data=lambda w: {"version": w.webform.version}),
}
