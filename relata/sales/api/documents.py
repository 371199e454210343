"""Sales documents through the API: issue one from a deal, list and read them, download
the PDF, change the state, render a draft again, send by e-mail."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.core.access import require
from relata.core.errors import invalid
from relata.sales.models import DocumentKind, DocumentState, SalesDocument, next_states
from relata.sales.selectors.deals import deal_get
from relata.sales.selectors.documents import deal_documents, document_get, documents_visible_to
from relata.sales.services.documents import (
    document_issue,
    document_regenerate,
    document_send,
    document_set_state,
)
from relata.sales.views.documents import pdf_response

router = Router(tags=["sales documents"])


class DocumentOut(Schema):
    id: int
    deal_id: int
    client_id: int
    kind: str = Field(..., description="quote, invoice, contract, act or waybill")
    number: int = Field(..., description="Per workspace and kind, without gaps.")
    date: dt.date
    state: str = Field(..., description="draft, sent, signed or paid")
    next_states: list[str] = Field(..., description="The states it may go to now.")
    currency: str
    total: Decimal
    vat_amount: Decimal
    created_by_id: int
    created_at: dt.datetime
    state_changed_at: dt.datetime | None

    @staticmethod
    def resolve_next_states(document: SalesDocument) -> list[str]:
        return list(next_states(document.kind, document.state))


class DocumentIn(Schema):
    kind: str = Field(..., description="quote, invoice, contract, act or waybill")
    date: dt.date | None = Field(None, description="Default: today.")


class StateIn(Schema):
    state: str = Field(..., description="sent, signed or paid (an invoice is paid, the others are signed)")


class SendIn(Schema):
    to: str = Field(..., description="The recipient's e-mail.")
    subject: str = Field("", description="Default: the document's kind, number and date.")
    message: str = ""


class DocumentFilter(Schema):
    kind: str | None = None
    state: str | None = None
    deal_id: int | None = None
    client_id: int | None = None


@router.get("/documents", response=list[DocumentOut], summary="Sales documents you may see, newest first")
@paginate(PagePagination)
def document_list(request: HttpRequest, filters: Query[DocumentFilter]) -> QuerySet[SalesDocument]:
    actor = actor_of(request)
    require(actor, "sales", "view")
    queryset = documents_visible_to(actor)
    if filters.kind is not None:
        if filters.kind not in DocumentKind.values:
            raise invalid("kind", "Choose quote, invoice, contract, act or waybill.")
        queryset = queryset.filter(kind=filters.kind)
    if filters.state is not None:
        if filters.state not in DocumentState.values:
            raise invalid("state", "Choose draft, sent, signed or paid.")
        queryset = queryset.filter(state=filters.state)
    for name in ("deal_id", "client_id"):
        if getattr(filters, name) is not None:
            queryset = queryset.filter(**{name: getattr(filters, name)})
    return queryset.order_by("-date", "-id")


@router.get("/deals/{deal_id}/documents", response=list[DocumentOut], summary="The deal's documents")
def deal_document_list(request: HttpRequest, deal_id: int) -> list[SalesDocument]:
    actor = actor_of(request)
    return list(deal_documents(actor, deal_get(actor, deal_id)))


@router.post(
    "/deals/{deal_id}/documents",
    response={201: DocumentOut},
    summary="Issue a document for the deal: numbered, rendered to PDF, as a draft",
)
def deal_document_new(request: HttpRequest, deal_id: int, payload: DocumentIn) -> Status[Any]:
    actor = actor_of(request)
    document = document_issue(actor, deal_get(actor, deal_id).pk, kind=payload.kind, date=payload.date)
    return Status(201, document_get(actor, document.pk))


@router.get("/documents/{document_id}", response=DocumentOut, summary="One document")
def document_detail(request: HttpRequest, document_id: int) -> SalesDocument:
    return document_get(actor_of(request), document_id)


@router.get(
    "/documents/{document_id}/pdf",
    response={200: None},
    summary="The document's PDF",
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}, "description": "The PDF"}}},
)
def document_download(request: HttpRequest, document_id: int) -> HttpResponse:
    return pdf_response(document_get(actor_of(request), document_id), download=True)


@router.post("/documents/{document_id}/state", response=DocumentOut, summary="Move the document to its next state")
def document_change_state(request: HttpRequest, document_id: int, payload: StateIn) -> SalesDocument:
    actor = actor_of(request)
    document_set_state(actor, document_get(actor, document_id).pk, state=payload.state)
    return document_get(actor, document_id)


@router.post(
    "/documents/{document_id}/regenerate", response=DocumentOut, summary="Render a draft again from the deal's data"
)
def document_render_again(request: HttpRequest, document_id: int) -> SalesDocument:
    actor = actor_of(request)
    document_regenerate(actor, document_get(actor, document_id).pk)
    return document_get(actor, document_id)


@router.post(
    "/documents/{document_id}/send",
    response=DocumentOut,
    summary="E-mail the PDF (sent after commit by the worker); a draft becomes sent",
)
def document_email(request: HttpRequest, document_id: int, payload: SendIn) -> SalesDocument:
    actor = actor_of(request)
    document_send(
        actor, document_get(actor, document_id).pk, to=payload.to, subject=payload.subject, message=payload.message
    )
    return document_get(actor, document_id)
