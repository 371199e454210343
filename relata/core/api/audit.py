"""The audit log (administrators)."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.core.access import require
from relata.core.api.schemas import EventFilter, EventOut
from relata.core.models import Event
from relata.core.selectors.events import events_visible_to

router = Router(tags=["audit"])


@router.get("/events", response=list[EventOut], summary="Audit events, newest first")
@paginate(PagePagination)
def event_list(request: HttpRequest, filters: Query[EventFilter]) -> QuerySet[Event]:
    actor = actor_of(request)
    require(actor, "admin", "view")
    queryset = events_visible_to(actor)
    if filters.actor_id is not None:
        queryset = queryset.filter(actor_id=filters.actor_id)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.target_type:
        app_label, _, model = filters.target_type.partition(".")
        queryset = queryset.filter(target_type__app_label=app_label, target_type__model=model)
    if filters.target_id is not None:
        queryset = queryset.filter(target_id=filters.target_id)
    if filters.since:
        queryset = queryset.filter(occurred_at__gte=filters.since)
    if filters.until:
        queryset = queryset.filter(occurred_at__lt=filters.until)
    return queryset.order_by("-occurred_at", "-id")
