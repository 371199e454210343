from __future__ import annotations

from django.db.models import QuerySet

from relata.core.access import scope_queryset
from relata.core.models import Job, Membership


def jobs_visible_to(actor: Membership) -> QuerySet[Job]:
    """The jobs the actor started; administrators see every job of the workspace.

    Jobs carry their author's parameters (file names, filters), so the role's record
    scope does not widen this: a head of sales does not read the team's imports."""
    queryset = scope_queryset(actor, Job.objects.all()).select_related("created_by")
    if actor.can("admin", "view"):
        return queryset
    return queryset.filter(created_by_id=actor.user_id)
