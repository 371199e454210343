"""Sales on a client's timeline (core.timeline): leads from the client, each entry of its
deals into a stage, deals won or lost, and documents issued to it — each within the
actor's scope (the records' owners)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from relata.core.access import scope_queryset
from relata.core.models import Membership
from relata.core.timeline import Cursor, TimelineItem, keyset
from relata.sales.models import Deal, Lead, SalesDocument, StageVisit


class _ClientSalesRecords:
    """One kind of sales record of a client, newest first by `time_field`; the author
    filter matches `author_field`. Subclasses say which rows and how they look."""

    key: str
    rank: int
    label: Promise
    template: str
    time_field: str
    author_field: str
    related: tuple[str, ...] = ()

    def rows(self, client_id: Any) -> QuerySet[Any]:
        raise NotImplementedError

    def filters(self, actor: Membership) -> list[tuple[str, str | Promise]]:
        return [(self.key, self.label)] if actor.can("sales", "view") else []

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
        queryset = scope_queryset(actor, self.rows(record.pk))
        if author_id is not None:
            queryset = queryset.filter(**{self.author_field: author_id})
        rows = keyset(queryset.select_related(*self.related), self.time_field, self.rank, before)[:limit]
        return [
            TimelineItem(getattr(row, self.time_field), self.rank, row.pk, self.key, self.template, row) for row in rows
        ]


class ClientLeads(_ClientSalesRecords):
    """Leads that came from the client (linked by phone, e-mail or INN, or qualified into it)."""

    key, rank, label = "leads", 29, _("Leads")
    template, time_field, author_field = "sales/leads/_timeline_lead.html", "created_at", "owner_id"
    related = ("owner", "web_form")

    def rows(self, client_id: Any) -> QuerySet[Lead]:
        return Lead.objects.filter(client_id=client_id)


class ClientDealStages(_ClientSalesRecords):
    key, rank, label = "deals", 30, _("Deals: stages")
    template, time_field, author_field = "sales/_timeline_stage.html", "entered_at", "entered_by_id"
    related = ("deal", "stage", "entered_by")

    def rows(self, client_id: Any) -> QuerySet[StageVisit]:
        return StageVisit.objects.filter(deal__client_id=client_id)


class ClientDealsClosed(_ClientSalesRecords):
    key, rank, label = "deals_closed", 31, _("Deals won and lost")
    template, time_field, author_field = "sales/_timeline_closed.html", "closed_at", "owner_id"
    related = ("stage", "owner", "loss_reason")

    def rows(self, client_id: Any) -> QuerySet[Deal]:
        return Deal.objects.filter(client_id=client_id, closed_at__isnull=False)


class ClientDocuments(_ClientSalesRecords):
    """Documents issued to the client (through its deals)."""

    key, rank, label = "sales_documents", 32, _("Sales documents")
    template, time_field, author_field = "sales/documents/_timeline_document.html", "created_at", "created_by_id"
    related = ("deal", "created_by")

    def rows(self, client_id: Any) -> QuerySet[SalesDocument]:
        return SalesDocument.objects.filter(client_id=client_id)
