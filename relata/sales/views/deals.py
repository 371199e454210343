"""Deal pages: the kanban board of a pipeline, the list, one deal with its stage history,
the create/edit form, the move into a stage that asks for fields, won, lost, reopen.

The board moves cards with SortableJS; a drop posts to the move (or win) view, which
answers JSON for the board's script: done, a page to open (fields the stage requires, the
loss reason), or the refusal to show before the board reloads in its current state.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import django_filters
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relata.clients.lookup import visible_client
from relata.core.access import require
from relata.core.concurrency import StaleVersion
from relata.core.decorators import permission_required
from relata.core.models import Membership
from relata.sales.forms import BoardFilterForm, DealForm, LoseForm, StageFieldsForm
from relata.sales.models import Deal, DealStatus, DocumentKind, Pipeline
from relata.sales.selectors.deals import (
    BoardFilters,
    board,
    deal_contacts,
    deal_get,
    deal_history,
    deal_lines,
    deals_visible_to,
    owner_choices,
    persons_visible_to,
    pipeline_get,
    pipelines_in_use,
    stages_of,
)
from relata.sales.selectors.documents import deal_documents
from relata.sales.services.deals import (
    deal_create,
    deal_delete,
    deal_lose,
    deal_move,
    deal_reopen,
    deal_update,
    deal_win,
    missing_for_stage,
)
from relata.web.editing import render_form, run_action, save_form
from relata.web.lists import Column, build_list, render_list
from relata.web.panels import panels_for

CLOSED_DAYS = 30  # won and lost columns of the board show deals closed this recently


def _actor(request: HttpRequest) -> Membership:
    return request.actor  # type: ignore[attr-defined, no-any-return]


def _filters(actor: Membership, request: HttpRequest) -> tuple[BoardFilterForm, BoardFilters]:
    form = BoardFilterForm(request.GET or None, actor=actor, owners=owner_choices(actor))
    filters = BoardFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters.owner = data.get("owner")
        filters.team = data.get("team")
        filters.q = (data.get("q") or "").strip()
        if data.get("period"):
            filters.created_from = timezone.localdate() - dt.timedelta(days=int(data["period"]))
    return form, filters


def _board_page(request: HttpRequest, pipeline: Pipeline) -> HttpResponse:
    actor = _actor(request)
    form, filters = _filters(actor, request)
    context = {
        "pipeline": pipeline,
        "pipelines": pipelines_in_use(actor),
        "board": board(actor, pipeline, filters, closed_since=timezone.now() - dt.timedelta(days=CLOSED_DAYS)),
        "filter_form": form,
        "closed_days": CLOSED_DAYS,
        "can_move": actor.can("sales", "change"),
    }
    if getattr(request, "htmx", False) and request.htmx.target == "board":  # type: ignore[attr-defined]
        return render(request, "sales/_board.html", context)
    return render(request, "sales/board.html", context)


@permission_required("sales", "view")
@require_GET
def board_default(request: HttpRequest) -> HttpResponse:
    """The board of the first pipeline in use."""
    pipeline = pipelines_in_use(_actor(request)).first()
    if pipeline is None:
        return render(request, "sales/no_pipeline.html")
    return _board_page(request, pipeline)


@permission_required("sales", "view")
@require_GET
def pipeline_board(request: HttpRequest, pk: int) -> HttpResponse:
    return _board_page(request, pipeline_get(_actor(request), pk))


# --- The list ---------------------------------------------------------------------


class DealFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("Title or client"), method="filter_q")
    pipeline = django_filters.ChoiceFilter(label=gettext_lazy("Pipeline"), field_name="pipeline_id")
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=DealStatus.choices)
    owner = django_filters.ChoiceFilter(label=gettext_lazy("Owner"), field_name="owner_id")
    close_from = django_filters.DateFilter(
        label=gettext_lazy("Closes from"), field_name="expected_close_date", lookup_expr="gte"
    )
    close_to = django_filters.DateFilter(
        label=gettext_lazy("Closes until"), field_name="expected_close_date", lookup_expr="lte"
    )

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["pipeline"].extra["choices"] = [(p.pk, p.name) for p in pipelines_in_use(actor)]
        self.filters["owner"].extra["choices"] = owner_choices(actor)

    def filter_q(self, queryset: Any, name: str, value: str) -> Any:
        from django.db.models import Q

        value = value.strip()
        return queryset.filter(Q(title__icontains=value) | Q(client__name__icontains=value)) if value else queryset


DEAL_COLUMNS = [
    Column("title", gettext_lazy("Deal"), sort="title", template="sales/_deal_link.html"),
    Column("client", gettext_lazy("Client"), sort="client__name", template="sales/_deal_client.html"),
    Column("stage", gettext_lazy("Stage"), sort="stage__position", template="sales/_deal_stage.html"),
    Column("amount", gettext_lazy("Amount"), sort="amount", template="sales/_deal_amount.html", css="text-end"),
    Column("probability", gettext_lazy("Probability, %"), sort="probability", css="text-end"),
    Column("expected_close_date", gettext_lazy("Expected close"), sort="expected_close_date"),
    Column("owner", gettext_lazy("Owner"), sort="owner__full_name", value=lambda d: d.owner.full_name),
    Column("created_at", gettext_lazy("Created"), sort="created_at", value=lambda d: d.created_at.date()),
]


@permission_required("sales", "view")
@require_GET
def deal_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    state = build_list(
        request,
        deals_visible_to(actor),
        columns=DEAL_COLUMNS,
        default_sort="-created_at",
        filterset_class=DealFilter,
        filterset_kwargs={"actor": actor},
    )
    return render_list(request, "sales/deals.html", state)


# --- One deal ---------------------------------------------------------------------


@permission_required("sales", "view")
@require_GET
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    deal = deal_get(actor, pk)
    lines = list(deal_lines(deal))
    context = {
        "deal": deal,
        "stages": stages_of(actor, deal.pipeline),
        "contacts": deal_contacts(actor, deal),
        "history": deal_history(deal),
        "lines": lines,
        "vat_total": sum((line.vat_amount for line in lines), Decimal("0.00")),
        "can_change": actor.can("sales", "change"),
        "can_delete": actor.can("sales", "delete"),
        "lose_form": LoseForm(actor=actor, initial={"version": deal.version}),
        "documents": list(deal_documents(actor, deal)),
        "document_kinds": DocumentKind.choices,
        # Other apps' panels (the orders app's "Orders" panel), main column.
        "panels": panels_for(actor, deal),
    }
    return render(request, "sales/deal.html", context)


def _initial(deal: Deal) -> dict[str, Any]:
    return {
        "title": deal.title,
        "client": deal.client_id,
        "contacts": ",".join(str(link.person_id) for link in deal.contact_links.all()),
        "amount": "" if deal.amount is None else str(deal.amount),
        "currency": deal.currency,
        "probability": deal.probability,
        "expected_close_date": deal.expected_close_date,
        "competitors": ", ".join(deal.competitors),
        "description": deal.description,
        "version": deal.version,
    }


def _contact_items(actor: Membership, request: HttpRequest, deal: Deal | None) -> list[dict[str, Any]]:
    """The contact persons the picker starts with: the posted ones after an error."""
    if request.method == "POST":
        ids = [int(pk) for pk in request.POST.get("contacts", "").split(",") if pk.strip().isdigit()]
        people = persons_visible_to(actor, ids)
    else:
        people = deal_contacts(actor, deal) if deal else []
    return [{"id": person.pk, "name": person.name} for person in people]


def _form_page(request: HttpRequest, deal: Deal | None) -> HttpResponse:
    actor = _actor(request)
    initial: dict[str, Any] = _initial(deal) if deal else {"currency": actor.workspace.default_currency}
    if deal is None:
        if request.GET.get("pipeline", "").isdigit():
            initial["pipeline"] = int(request.GET["pipeline"])
        if request.GET.get("client", "").isdigit():
            initial["client"] = int(request.GET["client"])
    form = DealForm(request.POST or None, actor=actor, creating=deal is None, initial=initial)

    def save(_data: dict[str, Any]) -> Deal:
        if deal is None:
            return deal_create(actor, values=form.values())
        return deal_update(actor, deal.pk, version=form.cleaned_data.get("version") or 0, values=form.values())

    outcome = save_form(
        request,
        form,
        save,
        success_url=lambda d: reverse("sales:deal", args=[d.pk]),
        success_message=_("The deal is saved."),
    )
    client_id = request.POST.get("client") if request.method == "POST" else initial.get("client")
    client = None
    if client_id:
        try:
            client = visible_client(actor, client_id)
        except ValidationError:
            client = None
    context = {"deal": deal, "client": client, "contact_items": _contact_items(actor, request, deal)}
    return render_form(request, "sales/deal_form.html", form, outcome, context)


@permission_required("sales", "create")
@require_http_methods(["GET", "POST"])
def deal_new(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@permission_required("sales", "change")
@require_http_methods(["GET", "POST"])
def deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    return _form_page(request, deal_get(actor, pk))


def _back(request: HttpRequest, deal: Deal) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return wanted
    return reverse("sales:deal", args=[deal.pk])


def _board_answer(error: Exception | None = None, redirect: str = "", status: int = 200) -> JsonResponse:
    body: dict[str, Any] = {"ok": error is None and not redirect}
    if redirect:
        body["redirect"] = redirect
    if error is not None:
        messages_ = error.messages if isinstance(error, ValidationError) else [str(error)]
        body["error"] = " ".join(messages_)
    return JsonResponse(body, status=status)


def _version(request: HttpRequest) -> int:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else 0


@permission_required("sales", "change")
@require_http_methods(["GET", "POST"])
def deal_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET ?stage=: the fields the stage asks for; POST from the board: JSON; POST from
    that page: the move with the fields, then back to the board."""
    actor = _actor(request)
    deal = deal_get(actor, pk)
    stage_id = request.POST.get("stage") or request.GET.get("stage") or ""
    stage = next((s for p in pipelines_in_use(actor) for s in stages_of(actor, p) if str(s.pk) == stage_id), None)
    if stage is None:
        if request.POST.get("board"):
            return _board_answer(ValidationError(_("Choose a stage of a pipeline in use.")), status=400)
        messages.error(request, _("Choose a stage of a pipeline in use."))
        return HttpResponseRedirect(reverse("sales:deal", args=[deal.pk]))
    if request.method == "POST" and request.POST.get("board"):
        fields_page = reverse("sales:deal_move", args=[deal.pk]) + f"?stage={stage.pk}&version={_version(request)}"
        if missing_for_stage(deal, stage):
            return _board_answer(redirect=fields_page)
        try:
            deal_move(actor, deal.pk, stage_id=stage.pk, version=_version(request))
        except StaleVersion as stale:
            return _board_answer(stale, status=409)
        except ValidationError as error:
            return _board_answer(error, status=400)
        return _board_answer()
    initial = {**_initial(deal), "version": request.GET.get("version") or deal.version}
    form = StageFieldsForm(request.POST or None, stage=stage, initial=initial)

    def save(_data: dict[str, Any]) -> Deal:
        return deal_move(
            actor,
            deal.pk,
            stage_id=stage.pk,
            version=form.cleaned_data.get("version") or 0,
            values=form.values(list(stage.required_fields)),
        )

    outcome = save_form(
        request,
        form,
        save,
        success_url=lambda d: reverse("sales:pipeline_board", args=[d.pipeline_id]),
        success_message=_("The deal moved to «%(stage)s».") % {"stage": stage.name},
    )
    contact_items = _contact_items(actor, request, deal)
    context = {"deal": deal, "stage": stage, "client": deal.client, "contact_items": contact_items}
    return render_form(request, "sales/deal_move.html", form, outcome, context)


@permission_required("sales", "change")
@require_POST
def deal_win_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    deal = deal_get(actor, pk)
    if request.POST.get("board"):
        try:
            deal_win(actor, deal.pk, version=_version(request))
        except StaleVersion as stale:
            return _board_answer(stale, status=409)
        except ValidationError as error:
            return _board_answer(error, status=400)
        return _board_answer()
    try:
        run_action(
            request,
            lambda: deal_win(actor, deal.pk, version=_version(request)),
            success_message=_("The deal is won."),
        )
    except StaleVersion as stale:
        messages.error(request, str(stale))
    return HttpResponseRedirect(_back(request, deal))


@permission_required("sales", "change")
@require_http_methods(["GET", "POST"])
def deal_lose_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    deal = deal_get(actor, pk)
    form = LoseForm(request.POST or None, actor=actor, initial={"version": request.GET.get("version") or deal.version})

    def save(data: dict[str, Any]) -> Deal:
        return deal_lose(actor, deal.pk, version=data["version"], reason=data["loss_reason"], note=data["loss_note"])

    outcome = save_form(
        request,
        form,
        save,
        success_url=lambda d: _back(request, d),
        success_message=_("The deal is closed as lost."),
    )
    return render_form(request, "sales/deal_lose.html", form, outcome, {"deal": deal})


@permission_required("sales", "change")
@require_POST
def deal_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    deal = deal_get(actor, pk)
    try:
        run_action(
            request,
            lambda: deal_reopen(actor, deal.pk, version=_version(request)),
            success_message=_("The deal is open again."),
        )
    except StaleVersion as stale:
        messages.error(request, str(stale))
    return HttpResponseRedirect(_back(request, deal))


@permission_required("sales", "delete")
@require_POST
def deal_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    deal = deal_get(actor, pk)
    require(actor, "sales", "delete")
    pipeline_id = deal.pipeline_id
    if run_action(request, lambda: deal_delete(actor, deal.pk), success_message=_("The deal is deleted.")):
        return HttpResponseRedirect(reverse("sales:pipeline_board", args=[pipeline_id]))
    return HttpResponseRedirect(reverse("sales:deal", args=[deal.pk]))


urls = [
    path("", board_default, name="board"),
    path("pipelines/<int:pk>/board/", pipeline_board, name="pipeline_board"),
    path("deals/", deal_list, name="deals"),
    path("deals/new/", deal_new, name="deal_new"),
    path("deals/<int:pk>/", deal_detail, name="deal"),
    path("deals/<int:pk>/edit/", deal_edit, name="deal_edit"),
    path("deals/<int:pk>/move/", deal_move_view, name="deal_move"),
    path("deals/<int:pk>/win/", deal_win_view, name="deal_win"),
    path("deals/<int:pk>/lose/", deal_lose_view, name="deal_lose"),
    path("deals/<int:pk>/reopen/", deal_reopen_view, name="deal_reopen"),
    path("deals/<int:pk>/delete/", deal_delete_view, name="deal_delete"),
]
