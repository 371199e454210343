"""The funnel, lead statistics and forecast pages: each names its builder and filters;
`report_page` renders the tables with their charts and exports them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from relata.analytics.reports.forecast import forecast_report
from relata.analytics.reports.funnel import funnel_report
from relata.analytics.reports.leads import leads_report
from relata.analytics.views.reports import filter_choices, report_page
from relata.core.decorators import permission_required
from relata.core.models import Membership

TEMPLATE = "analytics/reports/report.html"
DEAL_FILTERS = ("pipeline", "manager", "segment", "channel")


@permission_required("analytics", "view")
@require_GET
def funnel(request: HttpRequest) -> HttpResponse:
    actor: Membership = request.actor  # type: ignore[attr-defined]
    # A funnel is of one pipeline: no "All" choice; without one the first is shown (and
    # selected, being the first option).
    choices = {**filter_choices(actor, DEAL_FILTERS), "pipeline_required": True}
    return report_page(
        request,
        template=TEMPLATE,
        build=funnel_report,
        filters_offered=(),
        context={"title": _("Funnel"), "tab": "funnel", "filter_choices": choices},
    )


@permission_required("analytics", "view")
@require_GET
def leads(request: HttpRequest) -> HttpResponse:
    return report_page(
        request,
        template=TEMPLATE,
        build=leads_report,
        filters_offered=("manager",),
        context={"title": _("Leads"), "tab": "leads"},
    )


@permission_required("analytics", "view")
@require_GET
def forecast(request: HttpRequest) -> HttpResponse:
    return report_page(
        request,
        template=TEMPLATE,
        build=forecast_report,
        filters_offered=DEAL_FILTERS,
        context={"title": _("Forecast"), "tab": "forecast"},
    )


urls = [
    path("funnel/", funnel, name="funnel"),
    path("leads/", leads, name="leads"),
    path("forecast/", forecast, name="forecast"),
]
