"""The demo workspace's sales documents: the company's requisites as a seller, paid
invoices for its latest won deals and a commercial offer for an open one, so that the
documents list and the deals' pages have real PDFs to show. Runs after the deals;
idempotent (a workspace with documents is left alone)."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction

from relata.core.demo import register_demo_step
from relata.core.models import Membership, Workspace
from relata.sales.models import Deal, DealStatus, DocumentState, SalesDocument
from relata.sales.services.document_settings import seller_details_save
from relata.sales.services.documents import document_issue, document_set_state

log = logging.getLogger(__name__)

ORDER = 26  # right after the deals (25)
SELLER = {
    "legal_name": "ООО «Кирпичный двор»",
    "inn": "7701234560",
    "kpp": "770101001",
    "ogrn": "1027700123450",
    "address": "125009, г. Москва, ул. Кирпичная, д. 7, офис 12",
    "phone": "+7 495 123-45-67",
    "email": "info@kirpich-dvor.example",
    "bank_name": "ПАО «Демо Банк», г. Москва",
    "bik": "044525225",
    "account": "40702810200000012345",
    "correspondent_account": "30101810400000000225",
    "director": "Соколова А. В.",
    "accountant": "Лебедева Н. П.",
}


def documents_demo(workspace: Workspace) -> None:
    if SalesDocument.objects.filter(workspace=workspace).exists():
        return
    try:
        _issue(workspace)
    except ValidationError as error:  # a server without Pango: the demo goes on without PDFs
        if "pdf" not in getattr(error, "error_dict", {}):
            raise
        log.warning("demo documents skipped: %s", "; ".join(error.messages))


@transaction.atomic
def _issue(workspace: Workspace) -> None:
    members = {
        m.user_id: m
        for m in Membership.objects.filter(workspace=workspace, is_active=True).select_related("role", "workspace")
    }
    admin = next((m for m in members.values() if m.role.key == "administrator"), None)
    if admin is None:
        return
    seller_details_save(admin, SELLER)  # through the checks an administrator's save goes through
    deals = Deal.objects.filter(workspace=workspace, client__isnull=False, amount__isnull=False)
    won = list(deals.filter(status=DealStatus.WON).order_by("-closed_at")[:3])
    open_ = list(deals.filter(status=DealStatus.OPEN).order_by("-created_at")[:1])
    for deal in won:
        owner = members.get(deal.owner_id)
        if owner is None:
            continue
        invoice = document_issue(owner, deal.pk, kind="invoice", date=deal.closed_at.date() if deal.closed_at else None)
        document_set_state(owner, invoice.pk, state=DocumentState.PAID)
    for deal in open_:
        owner = members.get(deal.owner_id)
        if owner is not None:
            document_issue(owner, deal.pk, kind="quote")


register_demo_step(documents_demo, order=ORDER)
