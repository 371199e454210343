"""Lead pages: the list with filters, one lead with its known client, the create/edit
form, qualification into a client and a deal, rejection with a reason."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from relata.core.decorators import permission_required
from relata.core.models import Membership
from relata.sales.forms_leads import LeadForm, QualifyForm, RejectForm
from relata.sales.models import Lead, LeadSource, LeadStatus
from relata.sales.models.leads import UTM_FIELDS
from relata.sales.selectors.deals import owner_choices
from relata.sales.selectors.leads import client_visible, filter_leads, lead_get, leads_visible_to
from relata.sales.services.leads import lead_create, lead_qualify, lead_reject, lead_update
from relata.web.editing import render_form, save_form
from relata.web.lists import Column, build_list, render_list


def _actor(request: HttpRequest) -> Membership:
    return request.actor  # type: ignore[attr-defined, no-any-return]


class LeadFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("Name, company, phone or e-mail"), method="filter_q")
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=LeadStatus.choices)
    source = django_filters.ChoiceFilter(label=gettext_lazy("Source"), choices=LeadSource.choices)
    owner = django_filters.ChoiceFilter(label=gettext_lazy("Owner"), field_name="owner_id")

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["owner"].extra["choices"] = owner_choices(actor)

    def filter_q(self, queryset: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        return filter_leads(queryset, q=value)


LEAD_COLUMNS = [
    Column("name", gettext_lazy("Lead"), sort="contact_name", template="sales/leads/_lead_link.html"),
    Column("company_name", gettext_lazy("Company"), sort="company_name"),
    Column("phone", gettext_lazy("Phone"), value=lambda lead: lead.phone_display),
    Column("email", gettext_lazy("E-mail"), sort="email"),
    Column("source", gettext_lazy("Source"), sort="source", value=lambda lead: lead.get_source_display()),
    Column("status", gettext_lazy("Status"), sort="status", template="sales/leads/_lead_status.html"),
    Column("owner", gettext_lazy("Owner"), sort="owner__full_name", value=lambda lead: lead.owner.full_name),
    Column("created_at", gettext_lazy("Created"), sort="created_at", value=lambda lead: lead.created_at.date()),
]


@permission_required("sales", "view")
@require_GET
def lead_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    state = build_list(
        request,
        leads_visible_to(actor),
        columns=LEAD_COLUMNS,
        default_sort="-created_at",
        filterset_class=LeadFilter,
        filterset_kwargs={"actor": actor},
    )
    return render_list(request, "sales/leads/leads.html", state)


@permission_required("sales", "view")
@require_GET
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    lead = lead_get(actor, pk)
    context = {
        "lead": lead,
        "utm": [(name, getattr(lead, name)) for name in UTM_FIELDS if getattr(lead, name)],
        # A known client the actor may not see is mentioned, never named.
        "client_visible": client_visible(actor, lead.client),
        "can_change": actor.can("sales", "change"),
        "can_qualify": actor.can("sales", "change") and actor.can("sales", "create"),
        "qualify_form": QualifyForm(actor=actor, initial={"version": lead.version, "title": _default_title(lead)}),
        "reject_form": RejectForm(initial={"version": lead.version}),
        "reasons": RejectForm.suggestions(),
    }
    return render(request, "sales/leads/lead.html", context)


def _default_title(lead: Lead) -> str:
    return lead.company_name or lead.contact_name


def _initial(lead: Lead) -> dict[str, Any]:
    names = ["contact_name", "company_name", "email", "inn", "message", "source", "channel", "campaign", *UTM_FIELDS]
    initial = {name: getattr(lead, name) for name in names}
    initial.update(phone=lead.phone_display, status=lead.status, version=lead.version)
    return initial


def _form_page(request: HttpRequest, lead: Lead | None) -> HttpResponse:
    actor = _actor(request)
    form = LeadForm(request.POST or None, actor=actor, creating=lead is None, initial=_initial(lead) if lead else None)

    def save(_data: dict[str, Any]) -> Lead:
        if lead is None:
            return lead_create(actor, values=form.values())
        return lead_update(actor, lead.pk, version=form.cleaned_data.get("version") or 0, values=form.values())

    outcome = save_form(
        request,
        form,
        save,
        success_url=lambda saved: reverse("sales:lead", args=[saved.pk]),
        success_message=_("The lead is saved."),
    )
    return render_form(request, "sales/leads/lead_form.html", form, outcome, {"lead": lead})


@permission_required("sales", "create")
@require_http_methods(["GET", "POST"])
def lead_new(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@permission_required("sales", "change")
@require_http_methods(["GET", "POST"])
def lead_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(request, lead_get(_actor(request), pk))


@permission_required("sales", "change")
@require_http_methods(["GET", "POST"])
def lead_qualify_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    lead = lead_get(actor, pk)
    initial = {"version": request.GET.get("version") or lead.version, "title": _default_title(lead)}
    form = QualifyForm(request.POST or None, actor=actor, initial=initial)
    outcome = save_form(
        request,
        form,
        lambda data: lead_qualify(actor, lead.pk, version=data["version"], values=form.values()),
        success_url=lambda saved: reverse("sales:deal", args=[saved.deal_id]),
        success_message=_("The lead is qualified: the client and the deal are ready."),
    )
    context = {"lead": lead, "client_visible": client_visible(actor, lead.client)}
    return render_form(request, "sales/leads/lead_qualify.html", form, outcome, context)


@permission_required("sales", "change")
@require_http_methods(["GET", "POST"])
def lead_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    lead = lead_get(actor, pk)
    form = RejectForm(request.POST or None, initial={"version": request.GET.get("version") or lead.version})
    outcome = save_form(
        request,
        form,
        lambda data: lead_reject(actor, lead.pk, version=data["version"], reason=data.get("reason")),
        success_url=lambda saved: reverse("sales:lead", args=[saved.pk]),
        success_message=_("The lead is rejected."),
    )
    context = {"lead": lead, "reasons": RejectForm.suggestions()}
    return render_form(request, "sales/leads/lead_reject.html", form, outcome, context)


urls = [
    path("leads/", lead_list, name="leads"),
    path("leads/new/", lead_new, name="lead_new"),
    path("leads/<int:pk>/", lead_detail, name="lead"),
    path("leads/<int:pk>/edit/", lead_edit, name="lead_edit"),
    path("leads/<int:pk>/qualify/", lead_qualify_view, name="lead_qualify"),
    path("leads/<int:pk>/reject/", lead_reject_view, name="lead_reject"),
]
