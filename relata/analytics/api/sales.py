"""The sales analysis and lifetime value reports through the API: the same tables the
pages draw and export (rows keyed by the columns' keys)."""

from django.http import HttpRequest
from ninja import Query, Router

from relata.analytics.api.reports import ReportQuery, TableOut, filters_of
from relata.analytics.reports.lifetime import lifetime_report
from relata.analytics.reports.sales import sales_report
from relata.analytics.reports.table import Table
from relata.api.auth import actor_of
from relata.core.access import require

router = Router(tags=["analytics"])


@router.get("/analytics/sales", response=list[TableOut], summary="Sales analysis")
def sales(request: HttpRequest, query: Query[ReportQuery]) -> list[Table]:
    """Revenue by month (with the year before, the 3-month moving average and the trend in
    the note), by month of the year, weekday, product, manager (the order's owner), region,
    client status and ABC class. Filters: the period, manager, segment, channel, product;
    422 names a bad one."""
    actor = actor_of(request)
    require(actor, "analytics", "view")
    return sales_report(actor, filters_of(actor, query))


@router.get("/analytics/lifetime", response=list[TableOut], summary="Lifetime value of clients and holdings")
def lifetime(request: HttpRequest, query: Query[ReportQuery]) -> list[Table]:
    """All purchases up to `date_to` (`date_from` is not used): the summary, the top 100
    clients and the holdings. Filters: manager (the client's owner), segment, channel;
    `product` and `pipeline` do not apply."""
    actor = actor_of(request)
    require(actor, "analytics", "view")
    return lifetime_report(actor, filters_of(actor, query))
