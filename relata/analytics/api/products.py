"""The products' ABC through the API: the same tables as the page."""

from django.http import HttpRequest
from ninja import Query, Router

from relata.analytics.api.reports import ReportQuery, TableOut, filters_of
from relata.analytics.reports.products import product_abc
from relata.analytics.reports.table import Table
from relata.api.auth import actor_of
from relata.core.access import require

router = Router(tags=["analytics"])


@router.get("/analytics/products", response=list[TableOut], summary="ABC and XYZ of products by revenue")
def products(request: HttpRequest, query: Query[ReportQuery]) -> list[Table]:
    """Products ranked by revenue in the period with their ABC class, share, cumulative
    share and XYZ class; and the count and revenue per class. `product` and `pipeline`
    do not apply."""
    actor = actor_of(request)
    require(actor, "analytics", "view")
    return product_abc(actor, filters_of(actor, query))
