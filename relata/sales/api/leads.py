"""Leads through the API: list, create, change, delete, qualify into a client and a deal,
reject with a reason; web forms' administration (`admin.change`)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.core.access import require, require_module
from relata.core.errors import invalid
from relata.core.models import Membership
from relata.sales.models import Lead, LeadSource, LeadStatus, WebForm
from relata.sales.selectors.leads import (
    client_visible,
    filter_leads,
    lead_get,
    leads_visible_to,
    webform_get,
    webforms_visible_to,
    with_client_seen,
)
from relata.sales.services.exports import leads_export
from relata.sales.services.file_import import leads_import_upload, report_errors
from relata.sales.services.leads import lead_create, lead_delete, lead_qualify, lead_reject, lead_update
from relata.sales.services.webforms import webform_create, webform_delete, webform_regenerate_key, webform_update

router = Router(tags=["leads"])


class LeadOut(Schema):
    id: int
    contact_name: str
    company_name: str
    phone: str = Field(..., description="E.164, e.g. +79161234567.")
    email: str
    inn: str
    message: str
    source: str = Field(..., description="web_form, email, phone_call, messenger, import, manual or api")
    channel: str
    campaign: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_term: str
    utm_content: str
    status: str = Field(..., description="new, in_work, qualified or rejected")
    rejection_reason: str
    client_id: int | None = Field(..., description="The known client (only when you may see it).")
    deal_id: int | None
    web_form_id: int | None
    owner_id: int
    created_by_id: int | None
    closed_at: dt.datetime | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_client_id(lead: Lead) -> int | None:
        # Lists annotate whether the caller may see the client; single leads clear it.
        return lead.client_id if getattr(lead, "client_seen", True) else None


class LeadFields(Schema):
    contact_name: str | None = Field(None, max_length=200)
    company_name: str | None = Field(None, max_length=255)
    phone: str | None = Field(None, description="Any usual format; stored in E.164.")
    email: str | None = None
    inn: str | None = None
    message: str | None = None
    source: str | None = Field(None, description="Default: api.")
    channel: str | None = Field(None, max_length=100)
    campaign: str | None = Field(None, max_length=150)
    utm_source: str | None = Field(None, max_length=200)
    utm_medium: str | None = Field(None, max_length=200)
    utm_campaign: str | None = Field(None, max_length=200)
    utm_term: str | None = Field(None, max_length=200)
    utm_content: str | None = Field(None, max_length=200)
    owner_id: int | None = Field(None, description="Default: you. Someone else needs the assign permission.")


class LeadPatch(LeadFields):
    version: int = Field(..., ge=1)
    status: str | None = Field(None, description="new or in_work")


class QualifyIn(Schema):
    version: int = Field(..., ge=1)
    pipeline_id: int | None = Field(None, description="Default: the first pipeline in use.")
    stage_id: int | None = Field(None, description="Default: the pipeline's first stage.")
    title: str | None = Field(None, max_length=200, description="Default: the client's name.")
    amount: Decimal | None = Field(None, ge=0)
    currency: str | None = None


class RejectIn(Schema):
    version: int = Field(..., ge=1)
    reason: str = Field(..., max_length=300)


class LeadFilter(Schema):
    status: str | None = Field(None, description="new, in_work, qualified or rejected")
    source: str | None = None
    owner_id: int | None = None
    q: str | None = Field(None, description="A fragment of the name, company, e-mail, phone or INN.")


class WebFormOut(Schema):
    id: int
    name: str
    key: str = Field(..., description="The public key: POST /sales/f/{key}/")
    fields: list[str]
    default_source: str
    default_channel: str
    default_campaign: str
    default_owner_id: int
    is_active: bool
    allowed_origins: list[str]
    rate_limit: int
    redirect_url: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class WebFormFields(Schema):
    name: str | None = Field(None, max_length=150)
    fields: list[str] | None = Field(None, description="contact_name, company_name, phone, email, inn, message")
    default_source: str | None = None
    default_channel: str | None = Field(None, max_length=100)
    default_campaign: str | None = Field(None, max_length=150)
    default_owner_id: int | None = Field(None, description="Default: you.")
    is_active: bool | None = None
    allowed_origins: list[str] | None = Field(None, description="Sites allowed to post; empty: any.")
    rate_limit: int | None = Field(None, ge=1, le=1000, description="Posts per minute from one address.")
    redirect_url: str | None = Field(None, max_length=500)


class WebFormIn(WebFormFields):
    name: str = Field(..., max_length=150)  # type: ignore[assignment]


class WebFormPatch(WebFormFields):
    version: int = Field(..., ge=1)


class VersionIn(Schema):
    version: int = Field(..., ge=1)


def _values(payload: Schema, renames: dict[str, str]) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    data.pop("version", None)
    return {renames.get(key, key): value for key, value in data.items()}


def _out(request: HttpRequest, lead: Lead) -> Lead:
    """The lead as the caller may see it: a known client outside their scope is not named."""
    if lead.client_id is not None and not client_visible(actor_of(request), lead.client):
        lead.client_id = None
    return lead


@router.get("/leads", response=list[LeadOut], summary="Leads you may see (yours, your team's…), newest first")
@paginate(PagePagination)
def lead_list(request: HttpRequest, filters: Query[LeadFilter]) -> QuerySet[Lead]:
    actor = actor_of(request)
    require(actor, "sales", "view")
    return with_client_seen(actor, _filtered(actor, filters)).order_by("-created_at", "-id")


def _filtered(actor: Membership, filters: LeadFilter) -> QuerySet[Lead]:
    if filters.status is not None and filters.status not in LeadStatus.values:
        raise invalid("status", "Choose new, in_work, qualified or rejected.")
    if filters.source is not None and filters.source not in LeadSource.values:
        raise invalid("source", "Choose a source from the list.")
    return filter_leads(
        leads_visible_to(actor),
        status=filters.status,
        source=filters.source,
        owner=filters.owner_id,
        q=filters.q or "",
    )


@router.get(
    "/leads/export",
    response={200: None},
    summary="The leads list as CSV or Excel (`format`), with the list's filters; needs sales.export",
    openapi_extra={"responses": {200: {"description": "The file", "content": {"text/csv": {}}}}},
)
def lead_export(request: HttpRequest, filters: Query[LeadFilter], format: str = "csv") -> HttpResponse:  # noqa: A002
    actor = actor_of(request)
    require(actor, "sales", "export")
    return leads_export(actor, _filtered(actor, filters).order_by("-created_at", "-id"), fmt=format)


class LeadImportOut(Schema):
    rows: int = Field(..., description="Data rows in the file.")
    created: int
    columns: dict[str, str] = Field(..., description="The file's headers that were recognised → lead fields.")


@router.post(
    "/leads/import",
    response={201: LeadImportOut},
    summary="Create leads from a CSV or Excel file (multipart `file`); all rows or none",
)
def lead_import(request: HttpRequest, file: File[UploadedFile]) -> Status[Any]:
    """Every row is checked first. If any is wrong the answer is 422 with the errors as
    `rows.<number>.<field>` and nothing is created."""
    report = leads_import_upload(actor_of(request), file)
    report_errors(report)
    return Status(201, {"rows": report.rows, "created": report.created, "columns": report.mapping})


@router.post("/leads", response={201: LeadOut}, summary="Create a lead; it is linked to a known client")
def lead_new(request: HttpRequest, payload: LeadFields) -> Status[Any]:
    actor = actor_of(request)
    values = _values(payload, {"owner_id": "owner"})
    values.setdefault("source", LeadSource.API)
    lead = lead_create(actor, values=values)
    return Status(201, _out(request, lead_get(actor, lead.pk)))


@router.get("/leads/{lead_id}", response=LeadOut, summary="One lead")
def lead_detail(request: HttpRequest, lead_id: int) -> Lead:
    return _out(request, lead_get(actor_of(request), lead_id))


@router.patch("/leads/{lead_id}", response=LeadOut, summary="Change an open lead (optimistic locking)")
def lead_change(request: HttpRequest, lead_id: int, payload: LeadPatch) -> Lead:
    actor = actor_of(request)
    lead_update(actor, lead_id, version=payload.version, values=_values(payload, {"owner_id": "owner"}))
    return _out(request, lead_get(actor, lead_id))


@router.delete("/leads/{lead_id}", response={204: None}, summary="Delete a lead")
def lead_remove(request: HttpRequest, lead_id: int) -> Status[None]:
    actor = actor_of(request)
    require(actor, "sales", "delete")
    lead_delete(actor, lead_get(actor, lead_id).pk)
    return Status(204, None)


@router.post(
    "/leads/{lead_id}/qualify",
    response=LeadOut,
    summary="Qualify a lead: the client (reused when known) and a deal, in one step",
)
def lead_to_deal(request: HttpRequest, lead_id: int, payload: QualifyIn) -> Lead:
    actor = actor_of(request)
    values = _values(payload, {"pipeline_id": "pipeline", "stage_id": "stage"})
    lead_qualify(actor, lead_id, version=payload.version, values=values)
    return _out(request, lead_get(actor, lead_id))


@router.post("/leads/{lead_id}/reject", response=LeadOut, summary="Reject a lead with a reason")
def lead_rejected(request: HttpRequest, lead_id: int, payload: RejectIn) -> Lead:
    actor = actor_of(request)
    lead_reject(actor, lead_id, version=payload.version, reason=payload.reason)
    return _out(request, lead_get(actor, lead_id))


# --- Web forms ----------------------------------------------------------------------------

WEBFORM_RENAMES = {"default_owner_id": "default_owner"}


def _admin(request: HttpRequest) -> Any:
    actor = actor_of(request)
    require_module(actor, "sales")
    require(actor, "admin", "change")
    return actor


@router.get("/web-forms", response=list[WebFormOut], summary="Web forms (administrators)")
def webform_list(request: HttpRequest) -> list[WebForm]:
    return list(webforms_visible_to(_admin(request)))


@router.post("/web-forms", response={201: WebFormOut}, summary="Create a web form with a new public key")
def webform_new(request: HttpRequest, payload: WebFormIn) -> Status[Any]:
    actor = _admin(request)
    form = webform_create(actor, values=_values(payload, WEBFORM_RENAMES))
    return Status(201, form)


@router.get("/web-forms/{form_id}", response=WebFormOut, summary="One web form")
def webform_detail(request: HttpRequest, form_id: int) -> WebForm:
    return webform_get(_admin(request), form_id)


@router.patch("/web-forms/{form_id}", response=WebFormOut, summary="Change a web form (optimistic locking)")
def webform_change(request: HttpRequest, form_id: int, payload: WebFormPatch) -> WebForm:
    actor = _admin(request)
    return webform_update(actor, form_id, version=payload.version, values=_values(payload, WEBFORM_RENAMES))


@router.post("/web-forms/{form_id}/regenerate-key", response=WebFormOut, summary="Give a web form a new key")
def webform_new_key(request: HttpRequest, form_id: int, payload: VersionIn) -> WebForm:
    return webform_regenerate_key(_admin(request), form_id, version=payload.version)


@router.delete("/web-forms/{form_id}", response={204: None}, summary="Delete a web form (its leads stay)")
def webform_remove(request: HttpRequest, form_id: int) -> Status[None]:
    webform_delete(_admin(request), form_id)
    return Status(204, None)
