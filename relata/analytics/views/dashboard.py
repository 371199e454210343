"""The analytics dashboard (/analytics/): the widgets of the actor's role, each loaded on
its own request with the dashboard's filters; and the page where analysts choose each
role's widgets."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relata.analytics.reports.export import report_export
from relata.analytics.reports.filters import ReportFilters, default_period, report_filters
from relata.analytics.reports.widgets import WIDGETS
from relata.analytics.selectors.copies import copy_status
from relata.analytics.services.columnar import columnar_refresh_start
from relata.analytics.services.dashboards import (
    dashboard_save,
    dashboard_widgets,
    layout_of,
    role_for_dashboard,
    widget_get,
)
from relata.analytics.views.reports import filter_choices
from relata.core.concurrency import StaleVersion
from relata.core.decorators import permission_required
from relata.core.models import Membership
from relata.core.selectors.members import roles_visible_to

FILTERS = ["manager", "segment", "channel", "product"]


def _actor(request: HttpRequest) -> Membership:
    return request.actor  # type: ignore[attr-defined,no-any-return]


def _filters(actor: Membership, request: HttpRequest) -> tuple[ReportFilters, dict[str, str]]:
    try:
        return report_filters(actor, request.GET), {}
    except ValidationError as error:
        errors = {field: " ".join(messages) for field, messages in error.message_dict.items()}
        return ReportFilters(*default_period()), errors


@permission_required("analytics", "view")
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    filters, errors = _filters(actor, request)
    context = {
        "title": _("Dashboard"),
        "tab": "dashboard",
        "widgets": dashboard_widgets(actor),
        "filters": filters,
        "errors": errors,
        "filter_choices": filter_choices(actor, FILTERS),
        "query": urlencode(filters.as_params()),
        "can_edit": actor.can("analytics", "change"),
        "copy": copy_status(actor),
        "copy_refresh_minutes": settings.ANALYTICS_COPY_REFRESH // 60,
    }
    return render(request, "analytics/dashboard.html", context, status=400 if errors else 200)


@permission_required("analytics", "change")
@require_POST
def copy_refresh(request: HttpRequest) -> HttpResponse:
    """Rebuild the analytics copy now (a job); back to the dashboard with what happened."""
    try:
        columnar_refresh_start(_actor(request))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.info(
            request, _("The analytics copy is being rebuilt: the widgets show the new figures once it is done.")
        )
    return HttpResponseRedirect(reverse("analytics:dashboard"))


@permission_required("analytics", "view")
@require_GET
def widget(request: HttpRequest, key: str) -> HttpResponse:
    """One widget's table and chart (an HTMX fragment), or its export (?fmt=csv|xlsx)."""
    actor = _actor(request)
    item = widget_get(actor, key)
    filters, errors = _filters(actor, request)
    table = item.compute(actor, filters)
    if request.GET.get("fmt") and not errors:
        return report_export(actor, [table], key=table.key, fmt=request.GET["fmt"], filters=filters)
    context = {
        "table": table,
        "widget": item,
        "errors": errors,
        "export_base": reverse("analytics:widget", args=[key]),
        "export_params": urlencode(filters.as_params()),
        "can_export": actor.can("analytics", "export"),
        "report_query": urlencode(filters.as_params()),
    }
    return render(request, "analytics/_widget.html", context)


@permission_required("analytics", "change")
@require_http_methods(["GET", "POST"])
def dashboard_edit(request: HttpRequest) -> HttpResponse:
    """Choose the widgets of a role's dashboard and their order."""
    actor = _actor(request)
    roles = list(roles_visible_to(actor).order_by("name", "key"))
    role = role_for_dashboard(actor, request.GET.get("role") or request.POST.get("role") or roles[0].pk)
    keys, version = layout_of(role)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        chosen = [key for key in WIDGETS if request.POST.get(f"use_{key}")]
        chosen.sort(key=lambda k: (_position(request.POST.get(f"position_{k}")), list(WIDGETS).index(k)))
        try:
            dashboard_save(actor, role.pk, widgets=chosen, version=request.POST.get("version"))
        except StaleVersion as stale:
            errors, status = [str(stale)], 409
        except ValidationError as error:
            errors, status = error.messages, 400
        else:
            return HttpResponseRedirect(f"{reverse('analytics:dashboard_edit')}?role={role.pk}")
        keys = chosen
    rows = [
        {"widget": WIDGETS[k], "used": True, "position": n} for n, k in enumerate(keys, start=1) if k in WIDGETS
    ] + [{"widget": w, "used": False, "position": ""} for k, w in WIDGETS.items() if k not in keys]
    context = {"roles": roles, "role": role, "rows": rows, "version": version or "", "form_errors": errors}
    return render(request, "analytics/dashboard_edit.html", context, status=status)


def _position(raw: str | None) -> int:
    try:
        return int(raw or "")
    except ValueError:
        return 999


urls = [
    path("", dashboard, name="dashboard"),
    path("widgets/<slug:key>/", widget, name="widget"),
    path("dashboards/", dashboard_edit, name="dashboard_edit"),
    path("copy/refresh/", copy_refresh, name="copy_refresh"),
]
