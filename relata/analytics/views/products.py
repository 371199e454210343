"""The products' ABC page (a report page: filters, tables, charts, export)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from relata.analytics.reports.products import product_abc
from relata.analytics.views.reports import report_page
from relata.core.decorators import permission_required


@permission_required("analytics", "view")
@require_GET
def products(request: HttpRequest) -> HttpResponse:
    return report_page(
        request,
        template="analytics/reports/report.html",
        build=product_abc,
        filters_offered=["manager", "segment", "channel"],
        context={"title": _("ABC of products"), "tab": "products"},
    )


urls = [path("products/", products, name="products")]
