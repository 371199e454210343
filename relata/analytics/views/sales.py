"""The sales analysis and lifetime value pages (the shared report page: filters, tables
with their charts, export)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from relata.analytics.reports.lifetime import lifetime_report
from relata.analytics.reports.sales import sales_report
from relata.analytics.views.reports import report_page
from relata.core.decorators import permission_required

TEMPLATE = "analytics/reports/report.html"


@permission_required("analytics", "view")
@require_GET
def sales(request: HttpRequest) -> HttpResponse:
    return report_page(
        request,
        template=TEMPLATE,
        build=sales_report,
        filters_offered=("manager", "segment", "channel", "product"),
        context={"title": _("Sales analysis"), "tab": "sales"},
    )


@permission_required("analytics", "view")
@require_GET
def lifetime(request: HttpRequest) -> HttpResponse:
    return report_page(
        request,
        template=TEMPLATE,
        build=lifetime_report,
        filters_offered=("manager", "segment", "channel"),
        context={"title": _("Lifetime value"), "tab": "lifetime"},
    )


urls = [
    path("sales/", sales, name="sales"),
    path("lifetime/", lifetime, name="lifetime"),
]
