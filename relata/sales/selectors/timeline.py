"""Sales on a client's timeline (core.timeline): leads from the client, each entry of its
deals into a stage, deals won or lost, and documents issued to it — each within the
actor's scope (the records' owners)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from relata.core.timeline import RecordRows
from relata.sales.models import Deal, Lead, SalesDocument, StageVisit


class _ClientSalesRecords(RecordRows):
    """A kind of sales record of a client, shown to those who may view sales."""

    module = "sales"


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
        return SalesDocument.objects.filter(client_id=client_id, deal__isnull=False)  # direct orders': their shipments
