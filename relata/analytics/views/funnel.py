"""The funnel, lead statistics and forecast pages: each names its builder and filters;
`report_page` renders the tables with their charts and exports them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from relata.analytics.reports.forecast import forecast_report
from relata.analytics.reports.funnel import funnel_report
from relata.analytics.reports.leads import leads_report
from relata.analytics.views.reports import TEMPLATE, filter_choices, report_page, report_view
from relata.core.decorators import permission_required
from relata.core.models import Membership

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


leads = report_view(leads_report, title=_("Leads"), tab="leads", filters=("manager",))
forecast = report_view(forecast_report, title=_("Forecast"), tab="forecast", filters=DEAL_FILTERS)


urls = [
    path("funnel/", funnel, name="funnel"),
    path("leads/", leads, name="leads"),
    path("forecast/", forecast, name="forecast"),
]
