"""Permission-matrix entries of the client import (pages and API).

Workspace A's imports are the head of sales's: the administrator (scope all) and the head
see them; managers and the read-only user lack the "import" permission (403 before any
lookup); workspace B's administrator has the permission but not the records (404).
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from relata.clients.services.imports import import_start, import_upload
from relata.core import jobs
from relata.core.tests.matrix import Rule, World, api_rule, form, page

LEAK_MARKERS = ["Quasar"]

SEES = {"admin": 200, "head": 200, "manager1": 403, "manager2": 403, "readonly": 403}
ACTS = {"admin": 302, "head": 302, "manager1": 403, "manager2": 403, "readonly": 403}
API_SEES = SEES
API_STARTS = {"admin": 202, "head": 202, "manager1": 403, "manager2": 403, "readonly": 403}

CSV = "Название;ИНН;Телефон\nQuasar Bricks;7707083893;+7 916 555-11-22\nQuasar Broken;123;\n"


def upload_file(name: str = "quasar.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, CSV.encode(), content_type="text/csv")


def extend_world(world: World) -> None:
    head = world.p.head
    waiting = import_upload(head, kind="company", upload=upload_file("quasar-waiting.csv"))
    done = import_upload(head, kind="company", upload=upload_file("quasar-done.csv"))
    jobs.execute(import_start(head, done.pk).pk)
    world.extra.update(import_waiting=waiting, import_done=done)


def _waiting(w: World) -> dict[str, Any]:
    return {"pk": w.import_waiting.pk}


def _done(w: World) -> dict[str, Any]:
    return {"pk": w.import_done.pk}


def _api_waiting(w: World) -> dict[str, Any]:
    return {"import_id": w.import_waiting.pk}


def _api_done(w: World) -> dict[str, Any]:
    return {"import_id": w.import_done.pk}


PAGES: dict[str, Rule] = {
    "clients:import_list": page("clients.import"),
    "clients:import_start": page("clients.import"),
    "clients:import_report": page("custom", object_route=True, kwargs=_done, expect=SEES),
    "clients:import_mapping": page("custom", object_route=True, kwargs=_waiting, expect=SEES),
    "clients:import_preview": page("custom", object_route=True, kwargs=_waiting, expect=SEES),
    "clients:import_errors": page("custom", object_route=True, kwargs=_done, expect=SEES),
    "clients:import_run": form("custom", lambda w: {}, object_route=True, kwargs=_waiting, expect=ACTS),
    "clients:import_undo": form("custom", lambda w: {}, object_route=True, kwargs=_done, expect=ACTS),
}

PAGE_POSTS: dict[str, Rule] = {
    "clients:import_start": form("clients.import", lambda w: {"kind": "company", "file": upload_file()}),
    "clients:import_mapping": form(
        "custom",
        lambda w: {"col_0": "name", "col_1": "inn", "col_2": "phone", "policy": "create"},
        object_route=True,
        kwargs=_waiting,
        expect=ACTS,
    ),
}

API: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/imports/fields"): api_rule("clients.import"),
    ("GET", "/api/v1/imports"): api_rule("clients.import"),
    ("POST", "/api/v1/imports"): api_rule(
        "clients.import", 201, data=lambda w: {"kind": "company", "file": upload_file()}, multipart=True
    ),
    ("GET", "/api/v1/imports/{import_id}"): api_rule("custom", object_route=True, kwargs=_api_done, expect=API_SEES),
    ("PATCH", "/api/v1/imports/{import_id}"): api_rule(
        "custom", data=lambda w: {"policy": "create"}, object_route=True, kwargs=_api_waiting, expect=API_SEES
    ),
    ("GET", "/api/v1/imports/{import_id}/preview"): api_rule(
        "custom", object_route=True, kwargs=_api_waiting, expect=API_SEES
    ),
    ("POST", "/api/v1/imports/{import_id}/start"): api_rule(
        "custom", data=lambda w: {}, object_route=True, kwargs=_api_waiting, expect=API_STARTS
    ),
    ("GET", "/api/v1/imports/{import_id}/rows"): api_rule(
        "custom", object_route=True, kwargs=_api_done, expect=API_SEES
    ),
    ("GET", "/api/v1/imports/{import_id}/failed-rows"): api_rule(
        "custom", object_route=True, kwargs=_api_done, expect=API_SEES
    ),
    ("POST", "/api/v1/imports/{import_id}/undo"): api_rule(
        "custom", data=lambda w: {}, object_route=True, kwargs=_api_done, expect=API_STARTS
    ),
}
