"""Downloads of the deals and leads lists (CSV or Excel) with the filters the list
shows; a refused export (no permission, unknown format) goes back to the list with
the reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from relata.core.decorators import permission_required
from relata.core.errors import ValidationError
from relata.core.models import Membership
from relata.sales.selectors.deals import deals_visible_to
from relata.sales.selectors.leads import leads_visible_to
from relata.sales.services.exports import deals_export, leads_export
from relata.sales.views.deals import DealFilter
from relata.sales.views.leads import LeadFilter


def _filtered(request: HttpRequest, filterset_class: Any, queryset: Any, actor: Membership) -> Any:
    """The list's rows as its filter bar narrows them (bad filter values are ignored, as
    the list itself ignores them)."""
    params = request.GET.copy()
    params.pop("format", None)
    filterset = filterset_class(params or None, queryset=queryset, actor=actor)
    if filterset.is_bound and filterset.is_valid():
        queryset = filterset.qs
    return queryset.order_by("-created_at", "-id")


def _download(request: HttpRequest, make: Callable[[], Any], back: str) -> HttpResponse:
    try:
        response: HttpResponse = make()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return HttpResponseRedirect(reverse(back))
    return response


@permission_required("sales", "export")
@require_GET
def deal_export(request: HttpRequest) -> HttpResponse:
    actor: Membership = request.actor  # type: ignore[attr-defined]
    queryset = _filtered(request, DealFilter, deals_visible_to(actor), actor)
    fmt = request.GET.get("format", "csv")
    return _download(request, lambda: deals_export(actor, queryset, fmt=fmt), "sales:deals")


@permission_required("sales", "export")
@require_GET
def lead_export(request: HttpRequest) -> HttpResponse:
    actor: Membership = request.actor  # type: ignore[attr-defined]
    queryset = _filtered(request, LeadFilter, leads_visible_to(actor), actor)
    fmt = request.GET.get("format", "csv")
    return _download(request, lambda: leads_export(actor, queryset, fmt=fmt), "sales:leads")


urls = [
    path("deals/export/", deal_export, name="deal_export"),
    path("leads/export/", lead_export, name="lead_export"),
]
