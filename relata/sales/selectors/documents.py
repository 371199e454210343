"""Sales documents as the actor may see them: those of the deals within their scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from relata.core.access import get_visible, scope_queryset
from relata.core.models import Membership
from relata.sales.models import Deal, DocumentTemplate, SalesDocument


def documents_visible_to(actor: Membership) -> QuerySet[SalesDocument]:
    """Documents of deals (a direct order's documents are read through its order)."""
    queryset = scope_queryset(actor, SalesDocument.objects.filter(deal__isnull=False))
    return queryset.select_related("deal", "client", "created_by")


def document_get(actor: Membership, pk: Any) -> SalesDocument:
    return get_visible(actor, documents_visible_to(actor), pk)


def deal_documents(actor: Membership, deal: Deal) -> QuerySet[SalesDocument]:
    return documents_visible_to(actor).filter(deal=deal).order_by("-date", "-id")


def own_templates(actor: Membership) -> dict[str, DocumentTemplate]:
    """The workspace's edited templates by kind (kinds without one use the built-in)."""
    return {t.kind: t for t in scope_queryset(actor, DocumentTemplate.objects.select_related("changed_by"))}
