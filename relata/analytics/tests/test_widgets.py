"""A dashboard widget computes only its own table, with fewer queries than its whole
report, and shows the same figures as that table of the report: checked on the demo
workspace (orders, deals through a pipeline, leads, activities, plans), for an
administrator and for managers with scope "own" and "team", with and without filters."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relata.analytics.reports.classes_tables import classes_tables
from relata.analytics.reports.filters import ReportFilters, default_period
from relata.analytics.reports.forecast import forecast_report
from relata.analytics.reports.funnel import funnel_report
from relata.analytics.reports.leads import leads_report
from relata.analytics.reports.lifetime import lifetime_report
from relata.analytics.reports.managers import managers_report
from relata.analytics.reports.products import product_abc
from relata.analytics.reports.sales import sales_report
from relata.analytics.reports.table import Table
from relata.analytics.reports.widgets import WIDGETS
from relata.catalog.models import Product
from relata.core.demo import create_demo_workspace
from relata.core.models import Membership
from relata.sales.services.leads import lead_create

pytestmark = pytest.mark.django_db

REPORTS: dict[str, Callable[..., list[Table]]] = {
    "analytics:classes": classes_tables,
    "analytics:products": product_abc,
    "analytics:managers": managers_report,
    "analytics:funnel": funnel_report,
    "analytics:leads": leads_report,
    "analytics:forecast": forecast_report,
    "analytics:sales": sales_report,
    "analytics:lifetime": lifetime_report,
}


def _figures(row: dict[str, object]) -> list[object]:
    return [value for value in row.values() if isinstance(value, int | Decimal)]


def _same(widget: Table, report: Table, key: str) -> None:
    assert (widget.key, widget.title, widget.columns, widget.chart, widget.note) == (
        report.key,
        report.title,
        report.columns,
        report.chart,
        report.note,
    ), key
    if key.startswith("managers_"):
        # The widget lists the members with a figure in its own table; the report also
        # lists, with zeros, the members who have figures only in its other tables.
        assert all(row in report.rows for row in widget.rows), key
        assert all(not any(_figures(row)) for row in report.rows if row not in widget.rows), key
        assert widget.totals == report.totals, key
    else:
        assert (widget.rows, widget.totals) == (report.rows, report.totals), key


def test_each_widget_shows_its_reports_table_with_fewer_queries():
    workspace = create_demo_workspace()
    members = Membership.objects.filter(workspace=workspace, is_active=True).select_related("role", "workspace")
    roles = {member.role.key: member for member in members}
    readers = [roles["administrator"], roles["head_of_sales"], roles["sales_manager"]]
    assert [reader.scope for reader in readers] == ["all", "team", "own"]  # not vacuous: three scopes
    for n, reader in enumerate(readers):  # the demo has no leads
        lead_create(reader, values={"contact_name": f"Lead {n}", "phone": f"+7916123{n:04d}", "source": "web_form"})
    start, end = default_period()
    product = Product.objects.filter(workspace=workspace).order_by("pk").first()
    assert product is not None
    variants = [
        ReportFilters(start, end),
        ReportFilters(start, end, product=product.pk),
        ReportFilters(start, end, manager=readers[-1].user_id),
    ]
    saved = 0
    non_empty = set()
    for reader in readers:
        for filters in variants:
            for key, widget in WIDGETS.items():
                with CaptureQueriesContext(connection) as whole:
                    report = next(t for t in REPORTS[widget.report_url](reader, filters) if t.key == key)
                with CaptureQueriesContext(connection) as alone:
                    table = widget.compute(reader, filters)
                _same(table, report, key)
                assert len(alone) <= len(whole), key
                saved += len(whole) - len(alone)
                if table.rows:
                    non_empty.add(key)
    assert non_empty == set(WIDGETS)  # every widget was compared on figures, not on empty tables
    assert saved > 0
