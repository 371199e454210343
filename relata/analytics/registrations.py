"""What the analytics app adds to the platform's registries (imported from ready())."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from relata.analytics.models import ClientClass
from relata.analytics.reports import funnel, lifetime, products, sales
from relata.analytics.reports.classes_tables import classes_tables
from relata.analytics.reports.forecast import forecast_report
from relata.analytics.reports.leads import leads_report
from relata.analytics.reports.managers import managers_widget
from relata.analytics.reports.tabs import ReportTab, register_report_tab
from relata.analytics.reports.widgets import Widget, register_widget, table_of
from relata.analytics.selectors.classes import client_classes_panel
from relata.analytics.selectors.segments import analytics_client_filters
from relata.analytics.services import columnar as _columnar  # noqa: F401  (registers the job kind)
from relata.analytics.services import recompute as _recompute  # noqa: F401  (registers the job kind)
from relata.clients.fields import register_client_filters
from relata.clients.relations import register_client_relation
from relata.web.navigation import NavItem, register_nav
from relata.web.panels import Panel, register_panel

register_nav(NavItem("analytics", _("Analytics"), "analytics:dashboard", "analytics", icon="graph-up", order=70))
register_report_tab(ReportTab("dashboard", _("Dashboard"), "analytics:dashboard", order=1))
register_report_tab(ReportTab("classes", _("Client classes"), "analytics:classes", order=10))
register_report_tab(ReportTab("products", _("ABC of products"), "analytics:products", order=15))
register_report_tab(ReportTab("managers", _("Managers"), "analytics:managers", order=50))
register_report_tab(ReportTab("funnel", _("Funnel"), "analytics:funnel", order=20))
register_report_tab(ReportTab("leads", _("Leads"), "analytics:leads", order=25))
register_report_tab(ReportTab("forecast", _("Forecast"), "analytics:forecast", order=60))
register_report_tab(ReportTab("sales", _("Sales"), "analytics:sales", order=30))
register_report_tab(ReportTab("lifetime", _("Lifetime value"), "analytics:lifetime", order=40))
register_panel(
    "clients.client",
    Panel(
        "analytics.classes", "analytics/_client_classes.html", client_classes_panel, "analytics", column="side", order=8
    ),
)


def _drop_absorbed_class(actor: Any, survivor: Any, absorbed: Any) -> int:
    """A merged-away client's classes describe purchases that now belong to the survivor:
    they are dropped, and the survivor's are right again at the next recomputation."""
    deleted, _by_model = ClientClass.objects.filter(client=absorbed).delete()
    return deleted


register_client_relation(ClientClass, "client", merge=_drop_absorbed_class, label=_("Client classes (ABC, XYZ, RFM)"))

# The client's classes in the client filters and segments ("ABC class is A or B").
register_client_filters(analytics_client_filters)

# Dashboard widgets: one table (and its chart) of a report each, computed on its own.
for _widget in (
    Widget(
        "classes_matrix",
        _("Clients per ABC and XYZ class"),
        table_of(classes_tables, "classes_matrix"),
        "analytics:classes",
    ),
    Widget("classes_rfm", _("Clients per RFM segment"), table_of(classes_tables, "classes_rfm"), "analytics:classes"),
    Widget("products_abc_summary", _("Products per ABC class"), products.summary_widget, "analytics:products"),
    Widget("managers_sales", _("Sales by manager"), managers_widget("managers_sales"), "analytics:managers"),
    Widget(
        "managers_activities",
        _("Activities and tasks by manager"),
        managers_widget("managers_activities"),
        "analytics:managers",
    ),
    Widget(
        "managers_response",
        _("First response to new leads"),
        managers_widget("managers_response"),
        "analytics:managers",
        module="sales",
    ),
    Widget("funnel_stages", _("Funnel"), funnel.stages_widget, "analytics:funnel", module="sales"),
    Widget(
        "funnel_losses", _("Where and why deals are lost"), funnel.losses_widget, "analytics:funnel", module="sales"
    ),
    Widget(
        "leads_by_month",
        _("Leads by month"),
        table_of(leads_report, "leads_by_month"),
        "analytics:leads",
        module="sales",
    ),
    Widget("forecast", _("Forecast"), table_of(forecast_report, "forecast"), "analytics:forecast", module="sales"),
    Widget("sales_by_month", _("Sales by month"), sales.month_widget, "analytics:sales"),
    Widget("sales_by_month_of_year", _("Seasonality"), sales.seasonality_widget, "analytics:sales"),
    Widget("sales_by_product", _("Sales by product"), sales.product_widget, "analytics:sales"),
    Widget("lifetime_summary", _("Lifetime value"), lifetime.summary_widget, "analytics:lifetime"),
):
    register_widget(_widget)
from relata.analytics import demo as _demo  # noqa: E402, F401  (registers the demo step)
