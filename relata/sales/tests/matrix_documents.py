"""Permission-matrix entries of sales documents.

The document is an invoice of manager 1's deal "Wombat deal" (client "Wombat Ltd"):
the head of sales and the administrator see and change it, the read-only user only
sees it, manager 2 (scope own, another team) and workspace B must not learn it exists.
The world's document carries a stand-in PDF: rendering one for every matrix case would
cost minutes, and the routes that render (issue, regenerate) do so in their own case.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from relata.clients.services.clients import client_create
from relata.core.tests.matrix import Rule, World, api_rule, form, page
from relata.sales.models import Pipeline, SalesDocument
from relata.sales.services.deals import deal_create
from relata.sales.services.documents import next_number

LEAK_MARKERS = ["Wombat"]

SEES = {"admin": 200, "head": 200, "manager1": 200, "readonly": 200}  # manager2 and workspace B: 404
CHANGES = {"admin": 200, "head": 200, "manager1": 200, "readonly": 403}
CHANGE_POSTS = {"admin": 302, "head": 302, "manager1": 302, "readonly": 403}
ISSUES = {"admin": 201, "head": 201, "manager1": 201, "readonly": 403}


def extend_world(world: World) -> None:
    p = world.p
    pipeline = Pipeline.objects.filter(workspace_id=p.admin.workspace_id).order_by("position", "id").first()
    assert pipeline is not None
    client = client_create(p.manager1, kind="company", values={"name": "Wombat Ltd"})
    deal = deal_create(
        p.manager1, values={"title": "Wombat deal", "pipeline": pipeline.pk, "client": client.pk, "amount": "100"}
    )
    document = SalesDocument(
        workspace_id=deal.workspace_id,
        deal=deal,
        client=client,
        kind="invoice",
        number=next_number(deal.workspace_id, "invoice"),
        date=timezone.localdate(),
        currency="RUB",
        total=Decimal("100.00"),
        vat_amount=Decimal("0.00"),
        created_by=p.manager1.user,
    )
    document.pdf.save("matrix.pdf", ContentFile(b"%PDF-1.4 matrix stand-in"), save=False)
    document.save()
    world.extra.update(document_deal=deal, document=document)


def _obj(name: str, key: str = "pk") -> Any:
    return lambda w: {key: getattr(w, name).pk}


def _document_page(expect: dict[str, int]) -> Rule:
    return page("custom", object_route=True, kwargs=_obj("document"), expect=expect)


def _document_post(data: Any) -> Rule:
    return form("custom", data, object_route=True, kwargs=_obj("document"), expect=CHANGE_POSTS)


PAGES: dict[str, Rule] = {
    "sales:documents": page("sales.view"),
    "sales:document_new": form(
        "custom", lambda w: {"kind": "quote"}, object_route=True, kwargs=_obj("document_deal"), expect=CHANGE_POSTS
    ),
    "sales:document": _document_page(SEES),
    "sales:document_pdf": _document_page(SEES),
    "sales:document_state": _document_post(lambda w: {"state": "sent"}),
    "sales:document_regenerate": _document_post(lambda w: {}),
    "sales:document_send": _document_page(CHANGES),
}

PAGE_POSTS: dict[str, Rule] = {
    "sales:document_send": _document_post(lambda w: {"to": "buyer@wombat.test"}),
}


def _document_api(data: Any) -> Rule:
    return api_rule("custom", data=data, object_route=True, kwargs=_obj("document", "document_id"), expect=CHANGES)


API: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/documents"): api_rule("sales.view"),
    ("GET", "/api/v1/deals/{deal_id}/documents"): api_rule(
        "custom", object_route=True, kwargs=_obj("document_deal", "deal_id"), expect=SEES
    ),
    ("POST", "/api/v1/deals/{deal_id}/documents"): api_rule(
        "custom",
        201,
        data=lambda w: {"kind": "quote"},
        object_route=True,
        kwargs=_obj("document_deal", "deal_id"),
        expect=ISSUES,
    ),
    ("GET", "/api/v1/documents/{document_id}"): api_rule(
        "custom", object_route=True, kwargs=_obj("document", "document_id"), expect=SEES
    ),
    ("GET", "/api/v1/documents/{document_id}/pdf"): api_rule(
        "custom", object_route=True, kwargs=_obj("document", "document_id"), expect=SEES
    ),
    ("POST", "/api/v1/documents/{document_id}/state"): _document_api(lambda w: {"state": "sent"}),
    ("POST", "/api/v1/documents/{document_id}/regenerate"): _document_api(lambda w: {}),
    ("POST", "/api/v1/documents/{document_id}/send"): _document_api(lambda w: {"to": "buyer@wombat.test"}),
}
