"""Dashboard widgets: each is one table (with its chart) of a report. Reports register
their widgets here (relata/analytics/registrations.py); a dashboard is a list of widget
keys per role (relata.analytics.models.Dashboard), with defaults per built-in role.

A widget is computed on its own request (the dashboard page loads each one with HTMX),
so a slow widget never holds up the page or the others. It computes only its own table:
a report offers a builder per widget table where its tables do not share their queries
(`table_of` keeps one table of a whole report where they do)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from relata.analytics.reports.filters import ReportFilters
from relata.analytics.reports.table import Table
from relata.core.models import Membership

Builder = Callable[[Membership, ReportFilters], list[Table]]
TableBuilder = Callable[[Membership, ReportFilters], Table]


@dataclass(frozen=True)
class Widget:
    key: str  # also the key of the table it shows
    label: str | Promise
    build: TableBuilder
    report_url: str  # the full report (URL name)
    module: str = "analytics"  # the widget is offered only while the actor can view this module too

    def compute(self, actor: Membership, filters: ReportFilters) -> Table:
        return self.build(actor, filters)


def table_of(report: Builder, key: str) -> TableBuilder:
    """A builder of one table of `report`, computing the whole report (for a report whose
    tables come from the same queries)."""

    def build(actor: Membership, filters: ReportFilters) -> Table:
        return next(t for t in report(actor, filters) if t.key == key)

    return build


WIDGETS: dict[str, Widget] = {}

# Defaults per built-in role key (a role without an entry, or a custom role, gets ANALYST).
ANALYST = [
    "sales_by_month",
    "funnel_stages",
    "forecast",
    "classes_matrix",
    "products_abc_summary",
    "managers_sales",
    "sales_by_month_of_year",
    "classes_rfm",
]
DEFAULT_LAYOUTS: dict[str, list[str]] = {
    "sales_manager": ["funnel_stages", "forecast", "managers_sales", "managers_response", "classes_rfm"],
    "head_of_sales": [
        "sales_by_month",
        "funnel_stages",
        "forecast",
        "managers_sales",
        "managers_activities",
        "managers_response",
        "funnel_losses",
        "classes_matrix",
    ],
    "marketer": ["leads_by_month", "sales_by_month", "classes_rfm", "classes_matrix", "lifetime_summary"],
}


def register_widget(widget: Widget) -> None:
    WIDGETS[widget.key] = widget


def register_default(role_key: str, widget_key: str, position: int | None = None) -> None:
    """Put a widget on a built-in role's default dashboard (reports merged later add theirs)."""
    layout = DEFAULT_LAYOUTS.setdefault(role_key, list(ANALYST))
    if widget_key not in layout:
        layout.insert(len(layout) if position is None else position, widget_key)


def default_layout(role_key: str) -> list[str]:
    return list(DEFAULT_LAYOUTS.get(role_key, ANALYST))
