"""The funnel, lead statistics and forecast reports through the API: the same tables the
pages draw and export (`TableOut`), each filter a query parameter."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from relata.analytics.api.reports import TableOut
from relata.analytics.reports.filters import report_filters
from relata.analytics.reports.forecast import forecast_report
from relata.analytics.reports.funnel import funnel_report
from relata.analytics.reports.leads import leads_report
from relata.analytics.reports.table import Table
from relata.api.auth import actor_of
from relata.core.access import require

router = Router(tags=["analytics"])


class PeriodQuery(Schema):
    date_from: str | None = Field(None, description="First day, YYYY-MM-DD (default: twelve months ago).")
    date_to: str | None = Field(None, description="Last day, YYYY-MM-DD, inclusive (default: today).")
    manager: int | None = Field(None, description="Only what this user (a workspace member's user id) owns.")


class DealsQuery(PeriodQuery):
    segment: int | None = Field(None, description="Only deals of clients of this segment.")
    channel: str | None = Field(None, description="Only deals of clients of this source.")
    pipeline: int | None = Field(None, description="Only deals of this pipeline.")


def _tables(tables: list[Table]) -> list[dict[str, Any]]:
    return [
        {
            "key": table.key,
            "title": table.title,
            "note": table.note,
            "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in table.columns],
            "rows": table.rows,
            "totals": table.totals,
        }
        for table in tables
    ]


@router.get("/analytics/funnel", response=list[TableOut], summary="The funnel of a pipeline")
def funnel(request: HttpRequest, query: Query[DealsQuery]) -> list[dict[str, Any]]:
    """Deals created in the period: per stage how many reached it (a deal counts in every
    stage up to the furthest it entered), their amount, conversions and average days in
    the stage; lost deals by stage and reason; won and lost by manager, channel and client
    status. Without `pipeline`, the first pipeline you can see (none: empty tables)."""
    actor = actor_of(request)
    require(actor, "analytics", "view")
    return _tables(funnel_report(actor, report_filters(actor, query.dict(exclude_none=True))))


@router.get("/analytics/leads", response=list[TableOut], summary="Lead statistics")
def leads(request: HttpRequest, query: Query[PeriodQuery]) -> list[dict[str, Any]]:
    """Leads received in the period by month, by source and channel, and the reasons of
    the rejected ones."""
    actor = actor_of(request)
    require(actor, "analytics", "view")
    return _tables(leads_report(actor, report_filters(actor, query.dict(exclude_none=True))))


@router.get("/analytics/forecast", response=list[TableOut], summary="Forecast against the sales plan")
def forecast(request: HttpRequest, query: Query[DealsQuery]) -> list[dict[str, Any]]:
    """Open deals by expected close month (this month and the next five, or the period's
    months from this one on when the period ends later): count, amount, amount weighted
    by the deal's probability, the monthly plan and what is won so far; one more row for
    deals overdue or without an expected close date."""
    actor = actor_of(request)
    require(actor, "analytics", "view")
    return _tables(forecast_report(actor, report_filters(actor, query.dict(exclude_none=True))))
