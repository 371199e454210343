"""A shipment's documents (product §6: shipment writes the goods off and issues the act
and waybill): the waybill of the goods it carried, at the order's prices, and — once per
order — the act of the order's services, rendered from the workspace's sales-document
templates and kept with the deal's documents (a direct order's, with the order only).

Issuing them is part of shipping, so it needs `catalog.change` and the order within the
actor's scope, not the right to change the deal: the storekeeper, who has no `sales`
permission, ships and issues. Documents are addressed to the order's client; a direct
order's documents name the order where a deal's name the deal ("Основание").
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relata.catalog.models import ProductKind
from relata.clients.models import Client
from relata.core.access import get_visible, require
from relata.core.audit import record_event
from relata.core.errors import invalid
from relata.core.models import Membership
from relata.core.money import CENT
from relata.orders.models import Order, OrderLine, Shipment, ShipmentDocument
from relata.sales.models import Deal, DocumentKind, SalesDocument
from relata.sales.services.document_render import DocumentLine, DocumentSubject
from relata.sales.services.documents import issue_for_deal, issue_without_deal


def _document_line(line: OrderLine, quantity: Decimal) -> DocumentLine:
    """`quantity` of the order line, at its price: its share of the line's total."""
    total = line.total if quantity == line.quantity else (line.total * quantity / line.quantity)
    return DocumentLine(
        name=line.name,
        quantity=quantity,
        unit=str(line.product.get_unit_display()),
        price=line.price,
        discount=line.discount,
        vat_rate=line.vat_rate,
        total=total.quantize(CENT, rounding=ROUND_HALF_UP),
    )


def _issue(actor: Membership, order: Order, *, kind: str, date: dt.date, lines: list[DocumentLine]) -> SalesDocument:
    """A document of the order's deal, or — for a direct order — of the order itself."""
    if order.deal_id is not None:
        deal = (
            Deal.objects.select_related("client", "owner", "workspace")
            .prefetch_related("client__addresses")
            .get(pk=order.deal_id)
        )
        return issue_for_deal(actor, deal, kind=kind, date=date, lines=lines)
    client = Client.objects.prefetch_related("addresses").get(pk=order.client_id)
    subject = DocumentSubject(
        pk=order.pk,
        title=_("Order № %(number)s") % {"number": order.number},
        client=client,
        owner=order.owner,
        currency=order.currency,
        amount=order.total,
        workspace=order.workspace,
    )
    return issue_without_deal(actor, subject, kind=kind, date=date, lines=lines)


@transaction.atomic
def shipment_documents_issue(actor: Membership, shipment_id: int) -> list[SalesDocument]:
    """Issue the shipment's waybill and, the first time, the act of the order's services
    (`catalog.change`). Refused for a shipment that has its documents already."""
    require(actor, "catalog", "change")
    shipment = get_visible(actor, Shipment.objects.select_related("order"), shipment_id, for_write=True)
    order = Order.objects.select_for_update().get(pk=shipment.order_id)  # one issue per order at a time
    if ShipmentDocument.objects.filter(shipment=shipment).exists():
        raise invalid("shipment", _("This shipment's documents are issued already."), code="issued")
    date = shipment.date or timezone.localdate()
    goods = [
        _document_line(row.order_line, row.quantity)
        for row in shipment.lines.select_related("order_line__product").order_by("order_line__position", "id")
    ]
    documents = [_issue(actor, order, kind=DocumentKind.WAYBILL, date=date, lines=goods)]
    acted = ShipmentDocument.objects.filter(shipment__order=order, document__kind=DocumentKind.ACT).exists()
    services = [
        _document_line(line, line.quantity)
        for line in order.lines.select_related("product").filter(product__kind=ProductKind.SERVICE)
    ]
    if services and not acted:
        documents.append(_issue(actor, order, kind=DocumentKind.ACT, date=date, lines=services))
    ShipmentDocument.objects.bulk_create(
        [ShipmentDocument(workspace_id=order.workspace_id, shipment=shipment, document=d) for d in documents]
    )
    record_event(
        kind="order.documents_issued",
        workspace=actor.workspace,
        actor=actor.user,
        target=order,
        data={"shipment": shipment.pk, "documents": [[d.kind, d.number] for d in documents]},
    )
    return documents
