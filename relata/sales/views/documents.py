"""Sales documents on the pages: issue one from a deal, look at it, download its PDF,
move it through its states, render a draft again, send it by e-mail; and the list of
all documents the member may see."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relata.core.decorators import permission_required
from relata.core.models import Membership
from relata.sales.models import DocumentKind, DocumentState, SalesDocument, next_states
from relata.sales.selectors.deals import deal_get
from relata.sales.selectors.documents import document_get, documents_visible_to
from relata.sales.services.documents import (
    default_subject,
    document_issue,
    document_regenerate,
    document_send,
    document_set_state,
)
from relata.web.editing import render_form, run_action, save_form
from relata.web.forms import StyledForm


def _actor(request: HttpRequest) -> Membership:
    return request.actor  # type: ignore[attr-defined, no-any-return]


class SendForm(StyledForm):
    to = forms.CharField(label=gettext_lazy("To"), max_length=254)
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=300, required=False)
    message = forms.CharField(label=gettext_lazy("Message"), widget=forms.Textarea(attrs={"rows": 6}), required=False)


def pdf_response(document: SalesDocument, *, download: bool) -> FileResponse:
    response = FileResponse(
        document.pdf.open("rb"), as_attachment=download, filename=document.file_name, content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@permission_required("sales", "view")
@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    queryset = documents_visible_to(_actor(request))
    kind, state = request.GET.get("kind", ""), request.GET.get("state", "")
    if kind in DocumentKind.values:
        queryset = queryset.filter(kind=kind)
    if state in DocumentState.values:
        queryset = queryset.filter(state=state)
    page = Paginator(queryset.order_by("-date", "-id"), 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "kinds": DocumentKind.choices,
        "states": DocumentState.choices,
        "kind": kind,
        "state": state,
    }
    return render(request, "sales/documents/documents.html", context)


@permission_required("sales", "change")
@require_POST
def document_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    deal = deal_get(actor, pk)
    issued: list[SalesDocument] = []

    def issue() -> SalesDocument:
        document = document_issue(actor, deal.pk, kind=request.POST.get("kind"), date=request.POST.get("date"))
        issued.append(document)
        return document

    if run_action(request, issue, success_message=lambda d: _("%(document)s is issued as a draft.") % {"document": d}):
        return HttpResponseRedirect(reverse("sales:document", args=[issued[0].pk]))
    return HttpResponseRedirect(reverse("sales:deal", args=[deal.pk]))


@permission_required("sales", "view")
@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    document = document_get(actor, pk)
    context = {
        "document": document,
        "next_states": [(s, DocumentState(s).label) for s in next_states(document.kind, document.state)],
        "can_change": actor.can("sales", "change"),
    }
    return render(request, "sales/documents/document.html", context)


@permission_required("sales", "view")
@require_GET
def document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    document = document_get(_actor(request), pk)
    return pdf_response(document, download=request.GET.get("inline") != "1")


@permission_required("sales", "change")
@require_POST
def document_state(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    document = document_get(actor, pk)
    run_action(
        request,
        lambda: document_set_state(actor, document.pk, state=request.POST.get("state")),
        success_message=lambda d: (
            _("%(document)s is now: %(state)s.") % {"document": d, "state": d.get_state_display().lower()}
        ),
    )
    return HttpResponseRedirect(reverse("sales:document", args=[document.pk]))


@permission_required("sales", "change")
@require_POST
def document_regenerate_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    document = document_get(actor, pk)
    run_action(
        request,
        lambda: document_regenerate(actor, document.pk),
        success_message=_("The draft is rendered again from the deal's current data."),
    )
    return HttpResponseRedirect(reverse("sales:document", args=[document.pk]))


@permission_required("sales", "change")
@require_http_methods(["GET", "POST"])
def document_send_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    document = document_get(actor, pk)
    initial = {"to": document.client.primary_email, "subject": default_subject(document)}
    form = SendForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> SalesDocument:
        return document_send(actor, document.pk, to=data["to"], subject=data["subject"], message=data["message"])

    outcome = save_form(
        request,
        form,
        save,
        success_url=reverse("sales:document", args=[document.pk]),
        success_message=lambda d: _("%(document)s is on its way to %(to)s.") % {"document": d, "to": form.data["to"]},
    )
    return render_form(request, "sales/documents/document_send.html", form, outcome, {"document": document})


urls = [
    path("documents/", document_list, name="documents"),
    path("deals/<int:pk>/documents/new/", document_new, name="document_new"),
    path("documents/<int:pk>/", document_detail, name="document"),
    path("documents/<int:pk>/pdf/", document_pdf, name="document_pdf"),
    path("documents/<int:pk>/state/", document_state, name="document_state"),
    path("documents/<int:pk>/regenerate/", document_regenerate_view, name="document_regenerate"),
    path("documents/<int:pk>/send/", document_send_view, name="document_send"),
]
