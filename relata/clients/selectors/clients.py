from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from relata.clients.models import Client, ClientKind, ClientMergeLink, Employment, LifecycleStatus, Tag
from relata.core.access import get_visible, scope_queryset
from relata.core.models import Membership


def clients_visible_to(actor: Membership, kind: str | None = None) -> QuerySet[Client]:
    """Companies and/or people the actor may see, with what lists show joined in."""
    queryset = scope_queryset(actor, Client.objects.all()).select_related("status", "owner")
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


def client_get(actor: Membership, pk: int | str, kind: str | None = None) -> Client:
    """One visible client; a merged-away id answers with its survivor's record."""
    queryset = clients_visible_to(actor, kind).select_related("parent").prefetch_related("tags")
    try:
        return get_visible(actor, queryset, pk)
    except Http404:
        link = ClientMergeLink.objects.filter(workspace_id=actor.workspace_id, absorbed_id=_int(pk)).first()
        if link is None:
            raise
        return get_visible(actor, queryset, link.survivor_id)


def _int(value: int | str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def staff_of(actor: Membership, company: Client) -> QuerySet[Employment]:
    """The company's contact persons the actor may see."""
    people = scope_queryset(actor, Client.objects.filter(kind=ClientKind.PERSON)).values("pk")
    return (
        Employment.objects.filter(workspace_id=actor.workspace_id, company=company, person__in=people)
        .select_related("person")
        .order_by("-is_primary", "person__name")
    )


def employers_of(actor: Membership, person: Client) -> QuerySet[Employment]:
    companies = scope_queryset(actor, Client.objects.filter(kind=ClientKind.COMPANY)).values("pk")
    return (
        Employment.objects.filter(workspace_id=actor.workspace_id, person=person, company__in=companies)
        .select_related("company")
        .order_by("-is_primary", "company__name")
    )


def subsidiaries_of(actor: Membership, company: Client) -> QuerySet[Client]:
    return clients_visible_to(actor, ClientKind.COMPANY).filter(parent=company).order_by("name")


def statuses_of(actor: Membership, *, active_only: bool = False) -> QuerySet[LifecycleStatus]:
    queryset = scope_queryset(actor, LifecycleStatus.objects.all())
    return queryset.filter(is_active=True) if active_only else queryset


def tags_of(actor: Membership) -> QuerySet[Tag]:
    return scope_queryset(actor, Tag.objects.all())


def client_card(actor: Membership, pk: int | str, kind: str | None = None) -> Client:
    """A visible client with everything its card shows loaded (merged ids resolved)."""
    client = client_get(actor, pk, kind)
    return client_detail_prefetch(clients_visible_to(actor).filter(pk=client.pk)).select_related("parent").get()


def absorbed_ids(actor: Membership, client: Client) -> list[int]:
    """Ids of the clients merged into `client` (their events belong to its timeline)."""
    return list(
        ClientMergeLink.objects.filter(workspace_id=actor.workspace_id, survivor=client).values_list(
            "absorbed_id", flat=True
        )
    )


def client_detail_prefetch(queryset: QuerySet[Client]) -> QuerySet[Client]:
    return queryset.prefetch_related(
        "phones",
        "emails",
        "addresses",
        "messengers",
        "consents",
        Prefetch("tags", queryset=Tag.objects.order_by("name")),
    )
