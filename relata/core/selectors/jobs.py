from __future__ import annotations

from django.db.models import QuerySet

from relata.core.access import scope_queryset
from relata.core.models import Job, Membership


def jobs_visible_to(actor: Membership) -> QuerySet[Job]:
    """Jobs the actor started, and, by the role's scope, those of their team or of all."""
    return scope_queryset(actor, Job.objects.all()).select_related("created_by")
