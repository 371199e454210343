"""Pages of the client base: possible duplicates, their search, and the merge of two
records (reached from the list, or for any two clients with `?a=<id>&b=<id>`)."""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from relata.clients.models import Client, ClientKind, DuplicatePair
from relata.clients.models.duplicates import DuplicateStatus
from relata.clients.selectors.clients import client_get
from relata.clients.selectors.duplicates import duplicate_pair_between, duplicate_pairs_visible_to, last_scan
from relata.clients.services.duplicates import (
    duplicate_dismiss,
    duplicate_reopen,
    duplicates_scan_start,
    reason_labels,
)
from relata.clients.services.merge import ABSORBED, SURVIVOR, MergePlan, client_merge, merge_plan
from relata.core.concurrency import StaleVersion
from relata.core.decorators import permission_required
from relata.core.models import Membership
from relata.web.editing import run_action
from relata.web.forms import StyledForm
from relata.web.lists import Column, build_list, render_list
from relata.web.navigation import NavItem, register_nav

register_nav(
    NavItem("duplicates", gettext_lazy("Duplicates"), "clients:duplicates", "clients", icon="intersect", order=40)
)

ALL = "all"
KINDS = [(ClientKind.COMPANY.value, gettext_lazy("Companies")), (ClientKind.PERSON.value, gettext_lazy("People"))]


class DuplicateFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Of"),
        choices=KINDS,
        method="filter_kind",
        empty_label=gettext_lazy("Companies and people"),
    )
    # Applied by the view (empty means "to review"); here for the filter bar.
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=[(DuplicateStatus.DISMISSED.value, DuplicateStatus.DISMISSED.label), (ALL, gettext_lazy("All"))],
        method="keep",
        empty_label=DuplicateStatus.OPEN.label,
    )
    min_score = django_filters.NumberFilter(
        label=gettext_lazy("Score from"),
        method="filter_score",
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"step": 1, "min": 0, "max": 100}),
    )

    class Meta:
        model = DuplicatePair
        fields = ["kind", "status", "min_score"]
        form = StyledForm

    def filter_kind(self, queryset: QuerySet[DuplicatePair], name: str, value: str) -> QuerySet[DuplicatePair]:
        return queryset.filter(client_a__kind=value)

    def filter_score(self, queryset: QuerySet[DuplicatePair], name: str, value: Any) -> QuerySet[DuplicatePair]:
        return queryset.filter(score__gte=int(value))

    def keep(self, queryset: QuerySet[DuplicatePair], name: str, value: str) -> QuerySet[DuplicatePair]:
        return queryset


COLUMNS = [
    Column("score", gettext_lazy("Score"), sort="score", template="clients/duplicates_score.html"),
    Column("client_a", gettext_lazy("Client"), template="clients/duplicates_client_a.html"),
    Column("client_b", gettext_lazy("Looks like"), template="clients/duplicates_client_b.html"),
    Column("reasons", gettext_lazy("Why"), template="clients/duplicates_reasons.html"),
    Column("actions", "", template="clients/duplicates_actions.html", css="text-end text-nowrap"),
]


def _visible_client(actor: Membership, pk: int | None) -> Client | None:
    """The client `pk` if the actor may see it (a merged-away id: its survivor), else None."""
    if pk is None:
        return None
    try:
        return client_get(actor, pk)
    except Http404:
        return None


def _status(request: HttpRequest) -> str | None:
    status = request.GET.get("status") or DuplicateStatus.OPEN
    return None if status == ALL else status


@permission_required("clients", "view")
@require_http_methods(["GET"])
def duplicate_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    # ?client=<id>: the pairs of one client (linked from its card).
    client = _visible_client(actor, _int(request.GET.get("client")))
    state = build_list(
        request,
        duplicate_pairs_visible_to(actor, status=_status(request), client_id=client.pk if client else None),
        columns=COLUMNS,
        default_sort="-score",
        filterset_class=DuplicateFilter,
    )
    for pair in state.page.object_list:
        pair.reason_labels = reason_labels(pair.reasons)
    context = {"scan": last_scan(actor), "kinds": KINDS, "client": client}
    return render_list(request, "clients/duplicates.html", state, context)


@permission_required("clients", "view")
@require_http_methods(["GET", "POST"])
def duplicate_scan(request: HttpRequest) -> HttpResponse:
    """POST starts a search (clients.change); GET is the search's state, polled by the
    list while it runs: once it has finished, the list reloads itself."""
    actor = request.actor  # type: ignore[attr-defined]
    if request.method == "POST":
        kind = request.POST.get("kind") or None
        try:
            duplicates_scan_start(actor, kind=kind)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.info(request, _("The search for duplicates has started; the list refreshes when it is done."))
        return HttpResponseRedirect(reverse("clients:duplicates"))
    scan = last_scan(actor)
    response = render(request, "clients/duplicates_scan.html", {"scan": scan})
    if request.GET.get("running") and (scan is None or scan.is_finished):
        response["HX-Refresh"] = "true"
    return response


def _back(request: HttpRequest) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    return HttpResponseRedirect(target if target and safe else reverse("clients:duplicates"))


@permission_required("clients", "change")
@require_POST
def duplicate_dismiss_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    run_action(
        request,
        lambda: duplicate_dismiss(actor, pk),
        success_message=_("Marked as not duplicates: later searches will not suggest them again."),
    )
    return _back(request)


@permission_required("clients", "change")
@require_POST
def duplicate_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    run_action(request, lambda: duplicate_reopen(actor, pk), success_message=_("The pair is back on the list."))
    return _back(request)


# --- Merge ----------------------------------------------------------------------------


class MergePickForm(StyledForm):
    a = forms.CharField(
        label=gettext_lazy("Record to keep"),
        max_length=300,
        help_text=gettext_lazy("The client's number or the address of its page."),
    )
    b = forms.CharField(
        label=gettext_lazy("Record to merge into it"),
        max_length=300,
        help_text=gettext_lazy("It is deleted; its id keeps leading to the kept record."),
    )

    def clean_a(self) -> int:
        return _client_id(self.cleaned_data["a"])

    def clean_b(self) -> int:
        return _client_id(self.cleaned_data["b"])


def _client_id(text: str) -> int:
    """A client's id typed as a number or pasted as its page's address."""
    numbers = re.findall(r"\d+", text or "")
    if not numbers:
        raise ValidationError(_("Enter the client's number or the address of its page."))
    return int(numbers[-1])


def _pick_page(
    request: HttpRequest,
    form: MergePickForm | None = None,
    *,
    kept: Client | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form or MergePickForm(),
        "kept": kept,
        "errors": errors or [],
        "pick_kinds": [(ClientKind.COMPANY, _("Two companies")), (ClientKind.PERSON, _("Two people"))],
        "pick_sides": [("a", _("Record to keep")), ("b", _("Record to merge into it (it is deleted)"))],
    }
    return render(request, "clients/merge_pick.html", context, status=status)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _merge_page(
    request: HttpRequest,
    actor: Membership,
    plan: MergePlan,
    *,
    errors: list[str] | None = None,
    sides: dict[str, str] | None = None,
    conflict: bool = False,
    status: int = 200,
) -> HttpResponse:
    pair = duplicate_pair_between(actor, plan.survivor.pk, plan.absorbed.pk)
    chosen = {f.key: (sides or {}).get(f.key) or f.default for f in plan.fields}
    context = {
        "plan": plan,
        "pair": pair,
        "chosen": chosen,
        "errors": errors or [],
        "conflict": conflict,
        "SURVIVOR": SURVIVOR,
        "ABSORBED": ABSORBED,
    }
    return render(request, "clients/merge.html", context, status=status)


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{message}" for messages_ in error.message_dict.values() for message in messages_]
    return list(error.messages)


@permission_required("clients", "change")
@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest) -> HttpResponse:
    """GET: the two records side by side (or a form to name them); POST: merge them."""
    actor = request.actor  # type: ignore[attr-defined]
    if request.method == "POST":
        return _merge_post(request, actor)
    if not request.GET.get("b"):  # ?a=<id> from a client's card: the other one is still to choose
        return _pick_page(request, kept=_visible_client(actor, _int(request.GET.get("a"))))
    form = MergePickForm(request.GET)
    if not form.is_valid():
        return _pick_page(request, form, status=400)
    try:
        plan = merge_plan(actor, survivor_id=form.cleaned_data["a"], absorbed_id=form.cleaned_data["b"])
    except ValidationError as error:
        form.add_error(None, _messages_of(error))
        return _pick_page(request, form, status=400)
    return _merge_page(request, actor, plan)


def _merge_post(request: HttpRequest, actor: Membership) -> HttpResponse:
    survivor_id, absorbed_id = _int(request.POST.get("survivor")), _int(request.POST.get("absorbed"))
    if survivor_id is None or absorbed_id is None:
        return _pick_page(request, errors=[_("Choose the two records to merge.")], status=400)
    sides = {
        key.removeprefix("choice_"): value
        for key, value in request.POST.items()
        if key.startswith("choice_") and value in (SURVIVOR, ABSORBED)
    }
    try:
        survivor = client_merge(
            actor,
            survivor_id=survivor_id,
            absorbed_id=absorbed_id,
            choices=sides,
            version=_int(request.POST.get("version")) or 0,
            absorbed_version=_int(request.POST.get("absorbed_version")),
        )
    except StaleVersion:
        plan = merge_plan(actor, survivor_id=survivor_id, absorbed_id=absorbed_id)
        message = _("One of the records changed while you were comparing them. Check the values again and merge.")
        return _merge_page(request, actor, plan, errors=[message], sides=sides, conflict=True, status=409)
    except ValidationError as error:
        try:
            plan = merge_plan(actor, survivor_id=survivor_id, absorbed_id=absorbed_id)
        except ValidationError as pair_error:
            return _pick_page(request, errors=_messages_of(pair_error), status=400)
        return _merge_page(request, actor, plan, errors=_messages_of(error), sides=sides, status=400)
    messages.success(request, _("The records have been merged into “%(name)s”.") % {"name": survivor.name})
    return HttpResponseRedirect(reverse("clients:detail", args=[survivor.pk]))


urls = [
    path("duplicates/", duplicate_list, name="duplicates"),
    path("duplicates/scan/", duplicate_scan, name="duplicates_scan"),
    path("duplicates/<int:pk>/dismiss/", duplicate_dismiss_view, name="duplicate_dismiss"),
    path("duplicates/<int:pk>/reopen/", duplicate_reopen_view, name="duplicate_reopen"),
    path("merge/", merge, name="merge"),
]
