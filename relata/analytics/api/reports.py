"""What every report endpoint shares: the filters as query parameters and the table as
the response (the same rows the page draws and exports)."""

from typing import Any

from ninja import Field, Schema

from relata.analytics.reports.filters import ReportFilters, report_filters
from relata.core.models import Membership


class ReportQuery(Schema):
    date_from: str | None = Field(None, description="First day, YYYY-MM-DD (default: twelve months ago).")
    date_to: str | None = Field(None, description="Last day, YYYY-MM-DD, inclusive (default: today).")
    manager: int | None = Field(None, description="Only what this user (a workspace member's user id) owns.")
    segment: int | None = Field(None, description="Only clients of this segment.")
    channel: str | None = Field(None, description="Only clients of this source.")
    product: int | None = Field(None, description="Only sales of this product.")
    pipeline: int | None = Field(None, description="Only deals of this pipeline.")


class ColumnOut(Schema):
    key: str
    label: str
    kind: str


class TableOut(Schema):
    key: str
    title: str
    note: str
    columns: list[ColumnOut]
    rows: list[dict[str, Any]]
    totals: dict[str, Any] | None


def filters_of(actor: Membership, query: ReportQuery) -> ReportFilters:
    """Checked filters (422 naming the bad parameter, through the service error handler)."""
    return report_filters(actor, query.dict(exclude_none=True))
