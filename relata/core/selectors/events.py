from __future__ import annotations

from django.db.models import QuerySet

from relata.core.access import scope_queryset
from relata.core.models import Event, Membership


def events_visible_to(actor: Membership) -> QuerySet[Event]:
    """The audit log of the actor's workspace, for members who may administer it."""
    return scope_queryset(actor, Event.objects.all()).select_related("actor", "target_type")
