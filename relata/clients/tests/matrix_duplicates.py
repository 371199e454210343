"""Permission-matrix entries of the duplicate finder and the merge.

Workspace A holds two records of one company, both manager 1's, found as a pair by the
administrator's scan. Reading the list needs `clients.view`; searching, dismissing and
merging need `clients.change` (read-only: 403); manager 2 (scope own) cannot see the
records, so the pair and the merge answer 404, as they do for workspace B.
"""

from __future__ import annotations

from typing import Any

from relata.clients.selectors.duplicates import duplicate_pair_between
from relata.clients.services.clients import client_create
from relata.clients.services.duplicates import duplicates_find
from relata.core.tests.matrix import Rule, World, api_rule, form, page

LEAK_MARKERS = ["Quasar"]

CHANGES = {"admin": 200, "head": 200, "manager1": 200, "readonly": 403}  # manager2 and workspace B: 404
REDIRECTS = {"admin": 302, "head": 302, "manager1": 302, "readonly": 403}


def extend_world(world: World) -> None:
    p = world.p
    values = {"inn": "3982597915", "phones": ["+7 916 555-00-11"]}
    kept = client_create(p.manager1, kind="company", values={"name": "Quasar Trade", **values})
    twin = client_create(p.manager1, kind="company", values={"name": "ООО «Quasar Trade»", **values})
    duplicates_find(p.admin)
    world.extra.update(quasar=kept, quasar_twin=twin, quasar_pair=duplicate_pair_between(p.admin, kept.pk, twin.pk))


def merge_form(w: World) -> dict[str, Any]:
    return {"survivor": w.quasar.pk, "absorbed": w.quasar_twin.pk, "version": w.quasar.version}


def merge_body(w: World) -> dict[str, Any]:
    return {"survivor_id": w.quasar.pk, "absorbed_id": w.quasar_twin.pk, "version": w.quasar.version}


def pair_ref(w: World) -> dict[str, Any]:
    return {"pk": w.quasar_pair.pk}


PAGES: dict[str, Rule] = {
    "clients:duplicates": page("clients.view"),
    "clients:duplicates_scan": page("clients.view"),
    "clients:duplicate_dismiss": form("custom", lambda w: {}, object_route=True, kwargs=pair_ref, expect=REDIRECTS),
    "clients:duplicate_reopen": form("custom", lambda w: {}, object_route=True, kwargs=pair_ref, expect=REDIRECTS),
    "clients:merge": page("clients.change"),
}

PAGE_POSTS: dict[str, Rule] = {
    "clients:duplicates_scan": form("clients.change", lambda w: {"kind": "company"}),
    "clients:merge": form("custom", merge_form, object_route=True, expect=REDIRECTS),
}

API: dict[tuple[str, str], Rule] = {
    ("POST", "/api/v1/clients/duplicates/scan"): api_rule("clients.change", 202, data=lambda w: {}),
    ("GET", "/api/v1/clients/duplicates"): api_rule("clients.view"),
    ("POST", "/api/v1/clients/duplicates/{pair_id}/dismiss"): api_rule(
        "custom", data=lambda w: {}, object_route=True, kwargs=lambda w: {"pair_id": w.quasar_pair.pk}, expect=CHANGES
    ),
    ("POST", "/api/v1/clients/duplicates/{pair_id}/reopen"): api_rule(
        "custom", data=lambda w: {}, object_route=True, kwargs=lambda w: {"pair_id": w.quasar_pair.pk}, expect=CHANGES
    ),
    ("GET", "/api/v1/clients/merge/preview"): api_rule(
        "custom",
        data=lambda w: {"survivor_id": w.quasar.pk, "absorbed_id": w.quasar_twin.pk},
        object_route=True,
        expect=CHANGES,
    ),
    ("POST", "/api/v1/clients/merge"): api_rule("custom", data=merge_body, object_route=True, expect=CHANGES),
}
