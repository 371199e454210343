"""Deals on a client's timeline (core.timeline): each entry into a stage and each deal
won or lost, within the actor's scope (the deals' owners)."""

from __future__ import annotations

from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from relata.core.access import scope_queryset
from relata.core.models import Membership
from relata.core.timeline import Cursor, TimelineItem, keyset
from relata.sales.models import Deal, Lead, SalesDocument, StageVisit


class ClientDealStages:
    key = "deals"
    rank = 30

    def filters(self, actor: Membership) -> list[tuple[str, str | Promise]]:
        return [(self.key, _("Deals: stages"))] if actor.can("sales", "view") else []

    def fetch(
        self,
        actor: Membership,
        record: Model,
        *,
        before: Cursor | None,
        limit: int,
        kind: str | None,
        author_id: int | None,
    ) -> list[TimelineItem]:
        queryset = scope_queryset(actor, StageVisit.objects.filter(deal__client_id=record.pk))
        if author_id is not None:
            queryset = queryset.filter(entered_by_id=author_id)
        rows = keyset(queryset.select_related("deal", "stage", "entered_by"), "entered_at", self.rank, before)[:limit]
        return [TimelineItem(v.entered_at, self.rank, v.pk, self.key, "sales/_timeline_stage.html", v) for v in rows]


class ClientDealsClosed:
    key = "deals_closed"
    rank = 31

    def filters(self, actor: Membership) -> list[tuple[str, str | Promise]]:
        return [(self.key, _("Deals won and lost"))] if actor.can("sales", "view") else []

    def fetch(
        self,
        actor: Membership,
        record: Model,
        *,
        before: Cursor | None,
        limit: int,
        kind: str | None,
        author_id: int | None,
    ) -> list[TimelineItem]:
        queryset = scope_queryset(actor, Deal.objects.filter(client_id=record.pk, closed_at__isnull=False))
        if author_id is not None:
            queryset = queryset.filter(owner_id=author_id)
        rows = keyset(queryset.select_related("stage", "owner", "loss_reason"), "closed_at", self.rank, before)[:limit]
        return [TimelineItem(d.closed_at, self.rank, d.pk, self.key, "sales/_timeline_closed.html", d) for d in rows]


class ClientDocuments:
    """Documents issued to the client (through its deals)."""

    key = "sales_documents"
    rank = 32

    def filters(self, actor: Membership) -> list[tuple[str, str | Promise]]:
        return [(self.key, _("Sales documents"))] if actor.can("sales", "view") else []

    def fetch(
        self,
        actor: Membership,
        record: Model,
        *,
        before: Cursor | None,
        limit: int,
        kind: str | None,
        author_id: int | None,
    ) -> list[TimelineItem]:
        queryset = scope_queryset(actor, SalesDocument.objects.filter(client_id=record.pk))
        if author_id is not None:
            queryset = queryset.filter(created_by_id=author_id)
        rows = keyset(queryset.select_related("deal", "created_by"), "created_at", self.rank, before)[:limit]
        return [
            TimelineItem(d.created_at, self.rank, d.pk, self.key, "sales/documents/_timeline_document.html", d)
            for d in rows
        ]


class ClientLeads:
    """Leads that came from the client (linked by phone, e-mail or INN, or qualified into it)."""

    key = "leads"
    rank = 29

    def filters(self, actor: Membership) -> list[tuple[str, str | Promise]]:
        return [(self.key, _("Leads"))] if actor.can("sales", "view") else []

    def fetch(
        self,
        actor: Membership,
        record: Model,
        *,
        before: Cursor | None,
        limit: int,
        kind: str | None,
        author_id: int | None,
    ) -> list[TimelineItem]:
        queryset = scope_queryset(actor, Lead.objects.filter(client_id=record.pk))
        if author_id is not None:
            queryset = queryset.filter(owner_id=author_id)
        rows = keyset(queryset.select_related("owner", "web_form"), "created_at", self.rank, before)[:limit]
        return [
            TimelineItem(x.created_at, self.rank, x.pk, self.key, "sales/leads/_timeline_lead.html", x) for x in rows
        ]
