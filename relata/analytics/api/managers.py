"""Manager performance through the API: the report's tables as JSON."""

from django.http import HttpRequest
from ninja import Query, Router

from relata.analytics.api.reports import ReportQuery, TableOut, filters_of
from relata.analytics.reports.managers import managers_report
from relata.analytics.reports.table import Table
from relata.api.auth import actor_of
from relata.core.access import require

router = Router(tags=["analytics"])


@router.get("/analytics/managers", response=list[TableOut], summary="Manager performance")
def managers(request: HttpRequest, query: Query[ReportQuery]) -> list[Table]:
    """Per manager within your scope: deals won and lost, revenue and plan
    (`managers_sales`), activities and tasks (`managers_activities`), first response to
    new leads (`managers_response`). The `product` filter is not used by this report."""
    actor = actor_of(request)
    require(actor, "analytics", "view")
    return managers_report(actor, filters_of(actor, query))
