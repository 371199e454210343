"""Analytics through the API: the stored client classes, one client's class, the ABC×XYZ
matrix and the recomputation (a job)."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from relata.analytics.api.schemas import ClassFilter, ClientClassOut, MatrixOut, RecomputeIn, SettingsIn, SettingsOut
from relata.analytics.models import AnalyticsSettings, ClientClass
from relata.analytics.selectors.classes import Matrix, abc_xyz_matrix, classes_visible_to, client_class_for
from relata.analytics.services.recompute import analytics_settings_update, classes_recompute_start, settings_of
from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.core.access import require
from relata.core.api.schemas import JobOut

router = Router(tags=["analytics"])


@router.get("/analytics/classes", response=list[ClientClassOut], summary="Client classes, highest revenue first")
@paginate(PagePagination)
def class_list(request: HttpRequest, filters: Query[ClassFilter]) -> QuerySet[ClientClass]:
    actor = actor_of(request)
    require(actor, "analytics", "view")
    return classes_visible_to(actor, abc=filters.abc, xyz=filters.xyz, segment=filters.segment)


@router.get("/analytics/classes/{client_id}", response=ClientClassOut, summary="A client's classes")
def class_detail(request: HttpRequest, client_id: int) -> ClientClass:
    """404 when the client is not visible to you or has no purchases in the period."""
    return client_class_for(actor_of(request), client_id)


@router.get("/analytics/matrix", response=MatrixOut, summary="The ABC×XYZ matrix of the clients you can see")
def matrix(request: HttpRequest) -> Matrix:
    actor = actor_of(request)
    require(actor, "analytics", "view")
    return abc_xyz_matrix(actor)


@router.post("/analytics/recompute", response={202: JobOut}, summary="Recompute the client classes (a job)")
def recompute(request: HttpRequest, payload: RecomputeIn) -> Status:
    """Needs `analytics.change`; follow the returned job for its progress and figures."""
    job = classes_recompute_start(actor_of(request), values=payload.dict(exclude_unset=True))
    job.refresh_from_db()
    return Status(202, job)


@router.get("/analytics/settings", response=SettingsOut, summary="The thresholds of the client classes")
def settings_read(request: HttpRequest) -> AnalyticsSettings:
    actor = actor_of(request)
    require(actor, "analytics", "view")
    return settings_of(actor.workspace)


@router.patch("/analytics/settings", response=SettingsOut, summary="Change the thresholds of the client classes")
def settings_change(request: HttpRequest, payload: SettingsIn) -> AnalyticsSettings:
    """Needs `analytics.change`. A + B below 100 %, X ≤ Y, 1–36 months; the stored classes
    change at the next recomputation."""
    return analytics_settings_update(actor_of(request), values=payload.dict(exclude_unset=True))
