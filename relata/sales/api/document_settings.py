"""Document templates and the seller's details through the API (administrators,
`admin.change`, with the sales module on).

A kind without the workspace's own template reads as the built-in one (`is_builtin`);
PUT makes the body sent the workspace's own, DELETE goes back to the built-in one. A
template that does not parse or fails on a sample document is refused with 422 and the
engine's message on `body`.

No `from __future__ import annotations` here: Django Ninja reads the annotations of the
schemas and operations at import time.
"""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from relata.api.auth import actor_of
from relata.core.access import require, require_module
from relata.core.models import Membership
from relata.sales.models import DocumentKind, SellerDetails
from relata.sales.selectors.documents import own_templates
from relata.sales.services.document_render import builtin_template, seller_details
from relata.sales.services.document_settings import (
    SELLER_FIELDS,
    document_template_reset,
    document_template_save,
    seller_details_save,
)

router = Router(tags=["document settings"])


class DocumentTemplateOut(Schema):
    kind: str = Field(..., description="quote, invoice, contract, act or waybill.")
    label: str = Field(..., description="The kind's name in the user's language.")
    is_builtin: bool = Field(..., description="True while the workspace uses the built-in template of this kind.")
    body: str = Field(..., description="The template in use: HTML in Django's template language.")
    changed_by_id: int | None = Field(..., description="Who saved the workspace's own template; null when built-in.")
    updated_at: dt.datetime | None = Field(..., description="When it was saved; null when built-in.")


class DocumentTemplateIn(Schema):
    body: str = Field(..., description="HTML in Django's template language; checked on a sample document.")


class SellerDetailsOut(Schema):
    is_saved: bool = Field(
        ..., description="False until an administrator saves them: only legal_name (the workspace's name) is set."
    )
    legal_name: str
    inn: str
    kpp: str
    ogrn: str
    address: str
    phone: str
    email: str
    bank_name: str
    bik: str
    account: str = Field(..., description="Settlement account, 20 digits.")
    correspondent_account: str
    director: str
    accountant: str


class SellerDetailsIn(Schema):
    """All the details: a field left out is saved empty."""

    legal_name: str
    inn: str = ""
    kpp: str = ""
    ogrn: str = Field("", description="13 digits (OGRN) or 15 (OGRNIP).")
    address: str = ""
    phone: str = ""
    email: str = ""
    bank_name: str = ""
    bik: str = Field("", description="9 digits; the accounts are checked against it.")
    account: str = ""
    correspondent_account: str = ""
    director: str = ""
    accountant: str = ""


def _admin(request: HttpRequest) -> Membership:
    actor = actor_of(request)
    require(actor, "admin", "change")  # the permission first: nothing is looked up without it
    require_module(actor, "sales")
    return actor


def _kind(kind: str) -> str:
    if kind not in DocumentKind.values:
        raise Http404(kind)
    return kind


def _template_out(actor: Membership, kind: str) -> dict[str, Any]:
    own = own_templates(actor).get(kind)
    return {
        "kind": kind,
        "label": str(DocumentKind(kind).label),
        "is_builtin": own is None,
        "body": own.body if own is not None else builtin_template(kind),
        "changed_by_id": own.changed_by_id if own is not None else None,
        "updated_at": own.updated_at if own is not None else None,
    }


def _seller_out(details: SellerDetails) -> dict[str, Any]:
    return {"is_saved": details.pk is not None, **{name: getattr(details, name) for name in SELLER_FIELDS}}


@router.get("/document-templates", response=list[DocumentTemplateOut], summary="The template of each kind of document")
def document_template_list(request: HttpRequest) -> list[dict[str, Any]]:
    actor = _admin(request)
    return [_template_out(actor, kind) for kind in DocumentKind.values]


@router.get("/document-templates/{kind}", response=DocumentTemplateOut, summary="The template of one kind")
def document_template_detail(request: HttpRequest, kind: str) -> dict[str, Any]:
    actor = _admin(request)
    return _template_out(actor, _kind(kind))


@router.put(
    "/document-templates/{kind}",
    response=DocumentTemplateOut,
    summary="Make a template the workspace's own (administrators)",
)
def document_template_put(request: HttpRequest, kind: str, payload: DocumentTemplateIn) -> dict[str, Any]:
    actor = _admin(request)
    document_template_save(actor, _kind(kind), payload.body)
    return _template_out(actor, kind)


@router.delete(
    "/document-templates/{kind}",
    response={204: None},
    summary="Use the built-in template of a kind again (administrators)",
)
def document_template_delete(request: HttpRequest, kind: str) -> Status:
    actor = _admin(request)
    document_template_reset(actor, _kind(kind))
    return Status(204, None)


@router.get("/seller-details", response=SellerDetailsOut, summary="The seller details printed on documents")
def seller_details_get(request: HttpRequest) -> dict[str, Any]:
    actor = _admin(request)
    return _seller_out(seller_details(actor.workspace))


@router.put("/seller-details", response=SellerDetailsOut, summary="Save the seller details (administrators)")
def seller_details_put(request: HttpRequest, payload: SellerDetailsIn) -> dict[str, Any]:
    actor = _admin(request)
    return _seller_out(seller_details_save(actor, payload.dict()))
