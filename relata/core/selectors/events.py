from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from relata.core.access import scope_queryset
from relata.core.models import Event, Membership


def events_visible_to(actor: Membership) -> QuerySet[Event]:
    """The audit log of the actor's workspace, for members who may administer it."""
    return scope_queryset(actor, Event.objects.all()).select_related("actor", "target_type")


def record_events(
    actor: Membership, record: Model, *, extra_ids: list[int] | None = None, kind: str | None = None
) -> QuerySet[Event]:
    """The timeline of one record, newest first: its events (and those of records merged
    into it). The caller has already fetched `record` through the access mechanism, so
    seeing the record is the permission; this reads only that record's events."""
    content_type = ContentType.objects.get_for_model(record, for_concrete_model=True)
    queryset = Event.objects.filter(
        workspace_id=actor.workspace_id, target_type=content_type, target_id__in=[record.pk, *(extra_ids or [])]
    ).select_related("actor")
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("-occurred_at", "-id")
