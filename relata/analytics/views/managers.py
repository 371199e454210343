"""The manager performance page (/analytics/managers/): sales, plan, activities, tasks
and first response to leads per manager, within the actor's scope."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from relata.analytics.reports.managers import managers_report
from relata.analytics.views.reports import report_page
from relata.core.decorators import permission_required

FILTERS = ["manager", "segment", "channel", "pipeline"]


@permission_required("analytics", "view")
@require_GET
def managers(request: HttpRequest) -> HttpResponse:
    return report_page(
        request,
        template="analytics/reports/report.html",
        build=managers_report,
        filters_offered=FILTERS,
        context={"title": _("Manager performance"), "tab": "managers"},
    )


urls = [path("managers/", managers, name="managers")]
