"""Permission-matrix entries of the document templates and the seller details: pages and
API alike are the administrators' (`admin.change`).

The world has workspace A's own invoice template and its seller details, both marked
"Garnet", which workspace B's administrator must never see (B reads its own built-in
templates and default details).
"""

from __future__ import annotations

from typing import Any

from relata.core.tests.matrix import Rule, World, api_rule, form, page
from relata.sales.services.document_render import builtin_template
from relata.sales.services.document_settings import document_template_save, seller_details_save

LEAK_MARKERS = ["Garnet"]

SELLER = {
    "legal_name": "ООО «Матрица»",
    "inn": "7707083893",
    "kpp": "773601001",
    "bik": "044525225",
    "account": "40702810938000012345",
    "correspondent_account": "30101810400000000225",
}


def extend_world(world: World) -> None:
    admin = world.p.admin
    document_template_save(admin, "invoice", builtin_template("invoice") + "<!-- Garnet -->")
    seller_details_save(admin, {"legal_name": "ООО «Garnet»", "director": "Garnet Director"})


def _kind(kind: str) -> Any:
    return lambda w: {"kind": kind}


def _body(w: World) -> dict[str, Any]:
    return {"body": "<h1>{{ document.title }} № {{ document.number }}</h1>"}


PAGES: dict[str, Rule] = {
    "sales:document_templates": page("admin.change"),
    "sales:document_template": page("admin.change", kwargs=_kind("invoice")),
    "sales:document_template_reset": form("admin.change", lambda w: {}, kwargs=_kind("invoice")),
    "sales:document_template_preview": page("admin.change", kwargs=_kind("act")),
    "sales:seller_details": page("admin.change"),
}

PAGE_POSTS: dict[str, Rule] = {
    "sales:document_template": form("admin.change", _body, kwargs=_kind("quote")),
    "sales:document_template_preview": form("admin.change", _body, ok=200, kwargs=_kind("quote")),
    "sales:seller_details": form("admin.change", lambda w: dict(SELLER)),
}

_TEMPLATE = "/api/v1/document-templates/{kind}"

API: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/document-templates"): api_rule("admin.change"),
    ("GET", _TEMPLATE): api_rule("admin.change", kwargs=_kind("invoice")),
    ("PUT", _TEMPLATE): api_rule("admin.change", data=_body, kwargs=_kind("contract")),
    ("DELETE", _TEMPLATE): api_rule("admin.change", 204, data=lambda w: {}, kwargs=_kind("invoice")),
    ("GET", "/api/v1/seller-details"): api_rule("admin.change"),
    ("PUT", "/api/v1/seller-details"): api_rule("admin.change", data=lambda w: dict(SELLER)),
}
