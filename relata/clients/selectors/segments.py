from __future__ import annotations

from django.db.models import Q, QuerySet

from relata.clients.models import SavedView, Segment
from relata.core.access import scope_queryset
from relata.core.models import Membership


def segments_visible_to(actor: Membership, entity: str | None = None) -> QuerySet[Segment]:
    """Shared segments and the actor's own ones."""
    queryset = scope_queryset(actor, Segment.objects.all()).filter(Q(is_shared=True) | Q(owner_id=actor.user_id))
    if entity:
        queryset = queryset.filter(entity=entity)
    return queryset.select_related("owner")


def saved_views_of(actor: Membership, entity: str) -> QuerySet[SavedView]:
    return (
        scope_queryset(actor, SavedView.objects.all())
        .filter(entity=entity)
        .filter(Q(user_id=actor.user_id) | Q(is_shared=True))
        .order_by("name")
    )
