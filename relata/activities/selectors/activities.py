from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from relata.activities.models import Activity, ActivityContact, Attachment, Outcome
from relata.core.access import get_visible, scope_queryset
from relata.core.models import Membership


def activities_visible_to(actor: Membership) -> QuerySet[Activity]:
    """Activities of the clients the actor may see (a client's history follows it)."""
    return scope_queryset(actor, Activity.objects.all()).select_related("author", "outcome", "client")


def with_details(queryset: QuerySet[Activity]) -> QuerySet[Activity]:
    """Everything an activity's card or timeline entry shows, in a fixed number of queries."""
    return queryset.prefetch_related(
        "participants",
        Prefetch("contact_links", queryset=ActivityContact.objects.select_related("person")),
        Prefetch("attachments", queryset=Attachment.objects.order_by("id")),
    )


def activity_get(actor: Membership, pk: int | str) -> Activity:
    return get_visible(actor, with_details(activities_visible_to(actor)), pk)


def attachment_get(actor: Membership, pk: int | str) -> Attachment:
    """An attachment of an activity the actor may see (404 otherwise)."""
    return get_visible(actor, scope_queryset(actor, Attachment.objects.select_related("activity")), pk)


def outcomes_in_use(actor: Membership) -> QuerySet[Outcome]:
    return Outcome.objects.filter(workspace_id=actor.workspace_id, is_active=True).order_by("position", "id")
