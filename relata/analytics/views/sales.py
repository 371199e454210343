"""The sales analysis and lifetime value pages (the shared report page: filters, tables
with their charts, export)."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _

from relata.analytics.reports.lifetime import lifetime_report
from relata.analytics.reports.sales import sales_report
from relata.analytics.views.reports import report_view

sales = report_view(
    sales_report, title=_("Sales analysis"), tab="sales", filters=("manager", "segment", "channel", "product")
)
lifetime = report_view(
    lifetime_report,
    title=_("Lifetime value"),
    tab="lifetime",
    filters=("manager", "segment", "channel"),
    period_start=False,
)

urls = [
    path("sales/", sales, name="sales"),
    path("lifetime/", lifetime, name="lifetime"),
]
