"""Orders on a client's timeline (core.timeline): orders made, payments received and
goods shipped — each within the actor's scope over the orders (`catalog.view` and the
role's scope on the order's owner)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from relata.core.timeline import RecordRows
from relata.orders.models import Order, Payment, Shipment


class _ClientOrderRecords(RecordRows):
    module = "catalog"


class ClientOrders(_ClientOrderRecords):
    key, rank, label = "orders", 40, _("Orders")
    template, time_field, author_field = "orders/_timeline_order.html", "created_at", "created_by_id"
    related = ("created_by", "deal")

    def rows(self, client_id: Any) -> QuerySet[Order]:
        return Order.objects.filter(client_id=client_id)


class ClientPayments(_ClientOrderRecords):
    key, rank, label = "order_payments", 41, _("Payments of orders")
    template, time_field, author_field = "orders/_timeline_payment.html", "created_at", "author_id"
    related = ("order", "author")

    def rows(self, client_id: Any) -> QuerySet[Payment]:
        return Payment.objects.filter(order__client_id=client_id)


class ClientShipments(_ClientOrderRecords):
    key, rank, label = "order_shipments", 42, _("Shipments of orders")
    template, time_field, author_field = "orders/_timeline_shipment.html", "created_at", "author_id"
    related = ("order", "author")

    def rows(self, client_id: Any) -> QuerySet[Shipment]:
        return Shipment.objects.filter(order__client_id=client_id).prefetch_related("lines__order_line")
