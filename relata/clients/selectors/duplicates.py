"""Reads of the duplicate finder's results and of the scans that produce them."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from relata.clients.models import ClientKind, DuplicatePair
from relata.clients.models.duplicates import DuplicateStatus
from relata.clients.services.duplicates import JOB_KIND
from relata.core.access import owner_filter, scope_queryset
from relata.core.models import Job, Membership
from relata.core.selectors.jobs import jobs_visible_to


def duplicate_pairs_visible_to(
    actor: Membership,
    *,
    kind: str | None = None,
    status: str | None = None,
    min_score: int | None = None,
    client_id: int | None = None,
) -> QuerySet[DuplicatePair]:
    """Pairs whose *both* clients the actor may see (a pair names two clients: it must
    reveal neither to someone who may not see it), best first, with both clients loaded."""
    queryset = (
        scope_queryset(actor, DuplicatePair.objects.all())
        .filter(**owner_filter(actor, "client_b__owner"))
        .select_related(
            "client_a", "client_b", "client_a__owner", "client_b__owner", "client_a__status", "client_b__status"
        )
        .order_by("-score", "pk")
    )
    if kind in ClientKind.values:
        queryset = queryset.filter(client_a__kind=kind)
    if status in DuplicateStatus.values:
        queryset = queryset.filter(status=status)
    if min_score is not None:
        queryset = queryset.filter(score__gte=min_score)
    if client_id is not None:
        queryset = queryset.filter(Q(client_a_id=client_id) | Q(client_b_id=client_id))
    return queryset


def duplicate_pair_between(actor: Membership, first_id: int, second_id: int) -> DuplicatePair | None:
    """The stored pair of two clients (in either order), if the actor may see it."""
    a, b = sorted((first_id, second_id))
    return duplicate_pairs_visible_to(actor).filter(client_a_id=a, client_b_id=b).first()


def last_scan(actor: Membership) -> Job | None:
    """The actor's latest duplicate scan (running or finished), for the list's header."""
    return jobs_visible_to(actor).filter(kind=JOB_KIND, created_by_id=actor.user_id).order_by("-pk").first()
