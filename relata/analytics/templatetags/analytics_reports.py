"""Template helpers of the report tables."""

from __future__ import annotations

from typing import Any

from django import template

from relata.analytics.reports.table import Column, Table

register = template.Library()


@register.filter
def report_cells(row: dict[str, Any], table: Table) -> list[tuple[Column, Any]]:
    """The row's cells in the table's column order, each with its column (for formatting)."""
    return [(column, row.get(column.key)) for column in table.columns]


@register.inclusion_tag("analytics/reports/_tabs.html")
def analytics_tabs(current: str) -> dict[str, Any]:
    """The analytics section's tabs, `current` highlighted."""
    from relata.analytics.reports.tabs import report_tabs

    return {"tabs": report_tabs(), "current": current}
