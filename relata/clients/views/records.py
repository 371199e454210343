"""One client: the card with its timeline, the create/edit form, deletion, and the
autocomplete used by pickers."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relata.clients.fields import client_fields
from relata.clients.forms import ROW_CHOICES, ClientForm, rows_from_post, rows_of
from relata.clients.models import Client, ClientKind, ConsentChannel
from relata.clients.selectors.clients import (
    client_card,
    client_get,
    clients_visible_to,
    employers_of,
    staff_of,
    subsidiaries_of,
)
from relata.clients.services.clients import client_create, client_delete, client_update
from relata.clients.services.prepare import ClientContext
from relata.core.access import require
from relata.core.concurrency import StaleVersion
from relata.core.decorators import permission_required
from relata.core.models import Membership
from relata.core.selectors.members import users_of_workspace
from relata.core.timeline import Cursor, timeline_page
from relata.web.editing import run_action
from relata.web.panels import panels_for


@permission_required("clients", "view")
@require_GET
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    client = client_card(actor, pk)
    if client.pk != int(pk):  # a merged-away id: send the browser to the survivor
        return HttpResponseRedirect(reverse("clients:detail", args=[client.pk]))
    fields = client_fields(actor.workspace_id, client.kind)
    profile = [
        f
        for f in fields.values()
        if f.key
        not in (
            "name",
            "status",
            "owner",
            "tags",
            "primary_phone",
            "primary_email",
            "city",
            "region",
            "parent",
            "created_at",
            "updated_at",
            "note",
        )
    ]
    context: dict[str, Any] = {
        "client": client,
        "profile": profile,
        "consent_channels": ConsentChannel.choices,
        "consents": {c.channel: c for c in client.consents.all()},
    }
    if client.kind == ClientKind.COMPANY:
        context["staff"] = staff_of(actor, client)
        context["subsidiaries"] = subsidiaries_of(actor, client)
    else:
        context["employers"] = employers_of(actor, client)
    context.update(_timeline_context(request, actor, client))
    context["panels"] = panels_for(actor, client)
    return render(request, "clients/detail.html", context)


def _timeline_context(request: HttpRequest, actor: Membership, client: Client) -> dict[str, Any]:
    """A page of the client's timeline, filtered by kind and author (query parameters
    `kind`, `author`, `before`)."""
    kind = request.GET.get("kind") or None
    author = int(request.GET["author"]) if request.GET.get("author", "").isdigit() else None
    page = timeline_page(actor, client, before=Cursor.decode(request.GET.get("before")), kind=kind, author_id=author)
    return {
        "timeline": page,
        "timeline_kind": kind or "",
        "timeline_author": author,
        "timeline_more": bool(request.GET.get("before")),
        "timeline_authors": users_of_workspace(actor),
    }


@permission_required("clients", "view")
@require_GET
def client_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """The timeline part of the card: the whole block for a new filter, or the next
    entries for "Older" (`before`)."""
    actor = request.actor  # type: ignore[attr-defined]
    client = client_get(actor, pk)
    template = "clients/_timeline_items.html" if request.GET.get("before") else "clients/_timeline.html"
    return render(request, template, {"client": client, **_timeline_context(request, actor, client)})


def _form_context(
    actor: Membership, form: ClientForm, client: Client | None, post: Any = None, prefill_company: int | None = None
) -> dict[str, Any]:
    groups = {}
    for group in ("phones", "emails", "addresses", "messengers"):
        rows = rows_from_post(post, group) if post is not None else rows_of(client, group)
        groups[group] = rows
    companies = []
    if form.kind == ClientKind.PERSON:
        if post is not None:
            companies = rows_from_post(post, "companies")
            ids = [int(c["company"]) for c in companies if c["company"].isdigit()]
            names = dict(clients_visible_to(actor, ClientKind.COMPANY).filter(pk__in=ids).values_list("pk", "name"))
            for row in companies:
                row["name"] = names.get(int(row["company"]) if row["company"].isdigit() else 0, "")
        elif client is not None:
            companies = [
                {"company": e.company_id, "name": e.company.name, "job_title": e.job_title, "department": e.department}
                for e in client.employments.select_related("company")
            ]
        elif prefill_company:
            # "Add a contact person" from a company's card.
            company = clients_visible_to(actor, ClientKind.COMPANY).filter(pk=prefill_company).first()
            if company is not None:
                companies = [{"company": company.pk, "name": company.name, "job_title": "", "department": ""}]
    return {
        "form": form,
        "client": client,
        "rows_data": json.loads(json.dumps({**groups, "companies": companies}, default=str)),
        "row_choices": {k: [[c, str(label)] for c, label in v] for k, v in ROW_CHOICES.items()},
    }


def _values_from_post(form: ClientForm, request: HttpRequest) -> dict[str, Any]:
    values = form.values()
    for group in ("phones", "emails", "addresses", "messengers"):
        values[group] = rows_from_post(request.POST, group)
    if form.kind == ClientKind.PERSON:
        values["companies"] = [dict(row, company=row["company"]) for row in rows_from_post(request.POST, "companies")]
    return values


def _save(request: HttpRequest, actor: Membership, kind: str, client: Client | None) -> HttpResponse:
    context_data = ClientContext.load(actor)
    initial: dict[str, Any] = {"status": context_data.default_status_id}
    if client is not None:
        initial = {
            "version": client.version,
            "name": client.name,
            "status": client.status_id,
            "owner": client.owner_id,
            "source": client.source,
            "inn": client.inn,
            "note": client.note,
            "tags": ", ".join(t.name for t in client.tags.all()),
            **{
                f: getattr(client, f)
                for f in ClientForm.company_fields + ClientForm.person_fields
                if f != "parent" and hasattr(client, f)
            },
            "parent": client.parent_id,
            **{f"custom_{k}": v for k, v in (client.custom or {}).items()},
        }
    form = ClientForm(
        request.POST or None,
        actor=actor,
        kind=kind,
        client=client,
        initial=initial,
        custom=context_data.custom.get(kind, []),
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        values = _values_from_post(form, request)
        try:
            if client is None:
                saved = client_create(actor, kind=kind, values=values, context=context_data)
                messages.success(request, _("“%(name)s” has been created.") % {"name": saved.name})
            else:
                saved = client_update(
                    actor, client.pk, version=form.cleaned_data["version"] or 0, values=values, context=context_data
                )
                messages.success(request, _("The changes have been saved."))
            return HttpResponseRedirect(reverse("clients:detail", args=[saved.pk]))
        except StaleVersion as stale:
            conflict = stale
            form.add_service_error(stale)
        except ValidationError as error:
            _attach(form, error)
    prefill = int(request.GET["company"]) if request.GET.get("company", "").isdigit() else None
    context = _form_context(actor, form, client, request.POST if request.method == "POST" else None, prefill)
    context.update({"kind": kind, "conflict": conflict, "row_errors": _row_errors(form)})
    status = 409 if conflict else (400 if form.errors or getattr(form, "row_error_dict", None) else 200)
    return render(request, "clients/form.html", context, status=status)


def _attach(form: ClientForm, error: ValidationError) -> None:
    """Service errors: named fields to the form; list rows ("phones.0") kept aside for
    the row they belong to; custom fields ("custom.key") to their inputs."""
    form.row_error_dict = {}  # type: ignore[attr-defined]
    for name, errors in error.message_dict.items():
        if name.startswith("custom."):
            target = f"custom_{name.split('.', 1)[1]}"
            form.add_error(target if target in form.fields else None, errors)
        elif "." in name or name in ("phones", "emails", "addresses", "messengers", "companies", "consents"):
            form.row_error_dict[name] = errors  # type: ignore[attr-defined]
        else:
            form.add_error(name if name in form.fields else None, errors)


def _row_errors(form: ClientForm) -> dict[str, list[str]]:
    return dict(getattr(form, "row_error_dict", {}))


@permission_required("clients", "create")
@require_http_methods(["GET", "POST"])
def company_new(request: HttpRequest) -> HttpResponse:
    return _save(request, request.actor, ClientKind.COMPANY, None)  # type: ignore[attr-defined]


@permission_required("clients", "create")
@require_http_methods(["GET", "POST"])
def person_new(request: HttpRequest) -> HttpResponse:
    return _save(request, request.actor, ClientKind.PERSON, None)  # type: ignore[attr-defined]


@permission_required("clients", "change")
@require_http_methods(["GET", "POST"])
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    client = client_get(actor, pk)
    require(actor, "clients", "change")
    return _save(request, actor, client.kind, client)


@permission_required("clients", "delete")
@require_POST
def client_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    client = client_get(actor, pk)
    deleted = run_action(
        request,
        lambda: client_delete(actor, client.pk),
        success_message=_("“%(name)s” has been deleted.") % {"name": client.name},
    )
    if not deleted:  # other records (deals…) keep the client: the message says which
        return HttpResponseRedirect(reverse("clients:detail", args=[client.pk]))
    return HttpResponseRedirect(reverse("clients:companies" if client.kind == ClientKind.COMPANY else "clients:people"))


urls = [
    path("companies/new/", company_new, name="company_new"),
    path("people/new/", person_new, name="person_new"),
    path("<int:pk>/", client_detail, name="detail"),
    path("<int:pk>/timeline/", client_timeline, name="timeline"),
    path("<int:pk>/edit/", client_edit, name="edit"),
    path("<int:pk>/delete/", client_delete_view, name="delete"),
]
