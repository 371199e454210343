"""Permission-matrix entries of companies, people, lists, segments and exports.

Workspace A's records are manager 1's (team North): the head of sales (team Sales, above
North) and the administrator see them, a read-only user sees but cannot change them, and
manager 2 (team South, scope own) must not even learn they exist (404).
"""

from __future__ import annotations

from typing import Any

from relata.clients.services.clients import client_create
from relata.clients.services.export import export_start
from relata.clients.services.segments import saved_view_save, segment_add_clients, segment_create
from relata.core import jobs
from relata.core.tests.matrix import Rule, World, api_rule, form, page

LEAK_MARKERS = ["Zenith"]

SEES = {"admin": 200, "head": 200, "manager1": 200, "readonly": 200}  # manager2 and workspace B: 404
CHANGES = {"admin": 200, "head": 200, "manager1": 200, "readonly": 403}
DELETES = {"admin": 204, "head": 204, "manager1": 403, "manager2": 403, "readonly": 403}
# Manager 1's shared segment: its author and those who may assign change it; others may not.
SEGMENT_EDIT = {"admin": 200, "head": 200, "manager1": 200, "manager2": 403, "readonly": 403}


def extend_world(world: World) -> None:
    p = world.p
    company = client_create(
        p.manager1,
        kind="company",
        values={
            "name": "Zenith Bricks",
            "inn": "7707083893",
            "phones": ["+7 916 111-22-33"],
            "emails": ["zenith@alpha.test"],
        },
    )
    person = client_create(
        p.manager1,
        kind="person",
        values={
            "last_name": "Zenith",
            "first_name": "Anna",
            "companies": [{"company": company.pk, "job_title": "Buyer"}],
        },
    )
    segment = segment_create(p.manager1, name="Zenith list", entity="company", kind="static")
    segment_add_clients(p.manager1, segment.pk, [company.pk])
    view = saved_view_save(p.manager1, entity="company", name="Zenith view", query="q=Zenith", columns=[])
    export = export_start(p.head, kind="company", query="", fmt="csv")
    jobs.execute(export.pk)
    world.extra.update(company=company, person=person, segment=segment, saved_view=view, export_job=export)


def _with(statuses: dict[str, int], **more: int) -> dict[str, int]:
    return {**statuses, **more}


def company_form(w: World) -> dict[str, Any]:
    return {"name": "Made in matrix", "status": w.company.status_id}


def person_form(w: World) -> dict[str, Any]:
    return {"last_name": "Matrix", "first_name": "Made", "status": w.company.status_id}


def edit_form(w: World) -> dict[str, Any]:
    return {"version": w.company.version, "name": "Zenith Bricks 2", "status": w.company.status_id}


PAGES: dict[str, Rule] = {
    "clients:companies": page("clients.view"),
    "clients:people": page("clients.view"),
    "clients:company_new": page("clients.create"),
    "clients:person_new": page("clients.create"),
    "clients:detail": page("custom", object_route=True, kwargs=lambda w: {"pk": w.company.pk}, expect=SEES),
    "clients:timeline": page("custom", object_route=True, kwargs=lambda w: {"pk": w.company.pk}, expect=SEES),
    "clients:edit": page(
        "custom", object_route=True, kwargs=lambda w: {"pk": w.company.pk}, expect=_with(CHANGES, readonly=403)
    ),
    "clients:delete": form(
        "custom",
        lambda w: {},
        object_route=True,
        kwargs=lambda w: {"pk": w.company.pk},
        expect={"admin": 302, "head": 302, "manager1": 403, "manager2": 403, "readonly": 403},
    ),
    # A bulk change of a client one cannot see changes nothing and says so (302 back to the list).
    "clients:bulk": form(
        "custom",
        lambda w: {"action": "status", "ids": [w.company.pk], "status": w.company.status_id},
        kwargs=lambda w: {"kind": "company"},
        expect={"admin": 302, "head": 302, "manager1": 302, "manager2": 302, "readonly": 403, "other": 302},
    ),
    "clients:export": page("clients.export", kwargs=lambda w: {"kind": "company"}, write=True, method="GET"),
    "clients:export_download": page(
        "custom",
        object_route=True,
        kwargs=lambda w: {"job_id": w.export_job.pk},
        expect={"admin": 200, "head": 200, "manager1": 403, "manager2": 403, "readonly": 403},
    ),
    "clients:view_save": form(
        "clients.view", lambda w: {"name": "Mine", "query": "q=x"}, kwargs=lambda w: {"kind": "company"}
    ),
    # Deleting somebody else's view is refused with a message (nothing changes).
    "clients:view_delete": form(
        "custom",
        lambda w: {},
        object_route=True,
        kwargs=lambda w: {"pk": w.saved_view.pk},
        expect={"admin": 302, "head": 302, "manager1": 302, "manager2": 302, "readonly": 302, "other": 302},
    ),
    "clients:segments": page("clients.view"),
    "clients:segment_new": page("clients.view"),
    "clients:segment_count": page("clients.view"),
    "clients:segment": page(
        "custom",
        object_route=True,
        kwargs=lambda w: {"pk": w.segment.pk},
        expect={"admin": 302, "head": 302, "manager1": 302, "manager2": 302, "readonly": 302},
    ),
    "clients:segment_edit": page(
        "custom",
        object_route=True,
        kwargs=lambda w: {"pk": w.segment.pk},
        expect={"admin": 200, "head": 200, "manager1": 200, "manager2": 200, "readonly": 200},
    ),
    "clients:segment_delete": form(
        "custom",
        lambda w: {},
        object_route=True,
        kwargs=lambda w: {"pk": w.segment.pk},
        expect={"admin": 302, "head": 302, "manager1": 302, "manager2": 403, "readonly": 403},
    ),
    "clients:segment_members": form(
        "custom",
        lambda w: {"ids": [w.company.pk]},
        object_route=True,
        kwargs=lambda w: {"pk": w.segment.pk},
        expect={"admin": 302, "head": 302, "manager1": 302, "manager2": 403, "readonly": 403},
    ),
}

PAGE_POSTS: dict[str, Rule] = {
    "clients:company_new": form("clients.create", company_form, foreign_data=400),
    "clients:person_new": form("clients.create", person_form, foreign_data=400),
    "clients:edit": form(
        "custom",
        edit_form,
        object_route=True,
        kwargs=lambda w: {"pk": w.company.pk},
        expect={"admin": 302, "head": 302, "manager1": 302, "manager2": 404, "readonly": 403},
    ),
    "clients:segment_new": form(
        "clients.view",
        lambda w: {"name": "New one", "entity": "company", "kind": "dynamic", "cond": 'city|contains|"Mos"'},
    ),
    "clients:segment_edit": form(
        "custom",
        lambda w: {"name": "Renamed", "version": w.segment.version},
        object_route=True,
        kwargs=lambda w: {"pk": w.segment.pk},
        expect={"admin": 302, "head": 302, "manager1": 302, "manager2": 403, "readonly": 403},
    ),
}


def _client_api(label: str, obj: str, payload: dict[str, Any]) -> dict[tuple[str, str], Rule]:
    base = f"/api/v1/{label}"
    item = f"{base}/{{client_id}}"
    ref = lambda w: {"client_id": getattr(w, obj).pk}  # noqa: E731
    return {
        ("GET", base): api_rule("clients.view"),
        ("POST", base): api_rule("clients.create", 201, data=lambda w: payload),
        ("GET", item): api_rule("custom", object_route=True, kwargs=ref, expect=SEES),
        ("PATCH", item): api_rule(
            "custom",
            data=lambda w: {"version": getattr(w, obj).version, "source": "call"},
            object_route=True,
            kwargs=ref,
            expect=CHANGES,
        ),
        ("DELETE", item): api_rule("custom", 204, data=lambda w: {}, object_route=True, kwargs=ref, expect=DELETES),
    }


API: dict[tuple[str, str], Rule] = {
    **_client_api("companies", "company", {"name": "API company"}),
    **_client_api("people", "person", {"last_name": "Api", "first_name": "Person"}),
    ("GET", "/api/v1/clients/search"): api_rule("clients.view", data=lambda w: {"q": "Zenith"}),
    ("GET", "/api/v1/segments"): api_rule("clients.view"),
    ("POST", "/api/v1/segments"): api_rule("clients.view", 201, data=lambda w: {"name": "API", "entity": "company"}),
    ("GET", "/api/v1/segments/{segment_id}"): api_rule(
        "custom",
        object_route=True,
        kwargs=lambda w: {"segment_id": w.segment.pk},
        expect={"admin": 200, "head": 200, "manager1": 200, "manager2": 200, "readonly": 200},
    ),
    ("PATCH", "/api/v1/segments/{segment_id}"): api_rule(
        "custom",
        data=lambda w: {"version": w.segment.version, "name": "Renamed"},
        object_route=True,
        kwargs=lambda w: {"segment_id": w.segment.pk},
        expect=SEGMENT_EDIT,
    ),
    ("DELETE", "/api/v1/segments/{segment_id}"): api_rule(
        "custom",
        204,
        data=lambda w: {},
        object_route=True,
        kwargs=lambda w: {"segment_id": w.segment.pk},
        expect={**SEGMENT_EDIT, "admin": 204, "head": 204, "manager1": 204},
    ),
    ("POST", "/api/v1/segments/{segment_id}/members"): api_rule(
        "custom",
        data=lambda w: {"remove": [w.company.pk]},
        object_route=True,
        kwargs=lambda w: {"segment_id": w.segment.pk},
        expect=SEGMENT_EDIT,
    ),
    ("POST", "/api/v1/segments/count"): api_rule("clients.view", data=lambda w: {"entity": "company"}),
    # A bulk change of a client one cannot see is refused as naming nothing (422), unwritten.
    ("POST", "/api/v1/clients/bulk"): api_rule(
        "custom",
        202,
        data=lambda w: {"kind": "company", "action": "tag", "ids": [w.company.pk], "tag": "Matrix"},
        expect={"admin": 202, "head": 202, "manager1": 202, "manager2": 422, "readonly": 403, "other": 422},
    ),
    ("POST", "/api/v1/exports"): api_rule("clients.export", 202, data=lambda w: {"kind": "company"}),
    ("GET", "/api/v1/exports/{job_id}/file"): api_rule(
        "custom",
        object_route=True,
        kwargs=lambda w: {"job_id": w.export_job.pk},
        expect={"admin": 200, "head": 200, "manager1": 403, "manager2": 403, "readonly": 403},
    ),
}
