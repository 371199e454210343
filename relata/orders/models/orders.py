"""Orders: what a client buys (from a won deal or directly), its lines with their
reserved and shipped quantities, payments, shipments, suppliers and purchase requests.

Partial payment and shipment are amounts: `Order.paid_amount` against `Order.total`, and
per line `reserved` + `shipped` ≤ `quantity`. The status is derived from them by the
services (`Order.derived_status`)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from relata.core.models import OwnedModel, VersionedModel, WorkspaceModel
from relata.core.money import CENT, MONEY_DIGITS
from relata.orders.models.stock import Warehouse, quantity_field


class OrderStatus(models.TextChoices):
    RESERVED = "reserved", pgettext_lazy("order status", "Reserved")
    PAID = "paid", pgettext_lazy("order status", "Paid")
    SHIPPED = "shipped", pgettext_lazy("order status", "Shipped")
    CLOSED = "closed", pgettext_lazy("order status", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("order status", "Cancelled")


class OrderCounter(WorkspaceModel):
    """The last order number of the workspace, raised in the transaction that creates the
    order (the pattern of sales.DocumentCounter): no gaps, no repeats."""

    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("order counter")
        verbose_name_plural = _("order counters")
        constraints = [models.UniqueConstraint(fields=["workspace"], name="orders_ordercounter_once")]

    def __str__(self) -> str:
        return str(self.last_number)


class Order(OwnedModel, VersionedModel):
    number = models.PositiveIntegerField(_("number"))
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="orders", verbose_name=_("client")
    )
    deal = models.ForeignKey(
        "sales.Deal", on_delete=models.PROTECT, null=True, blank=True, related_name="orders", verbose_name=_("deal")
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="orders", verbose_name=_("warehouse")
    )
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.RESERVED)
    total = models.DecimalField(_("total"), max_digits=MONEY_DIGITS, decimal_places=2, default=Decimal("0.00"))
    paid_amount = models.DecimalField(_("paid"), max_digits=MONEY_DIGITS, decimal_places=2, default=Decimal("0.00"))
    # The date of the payment that completed the total (the latest payment date): the
    # purchase date of analytics. Set once by the payment service; none until paid in full.
    paid_on = models.DateField(_("paid in full on"), null=True, blank=True, editable=False)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )

    access_module: ClassVar[str | None] = "catalog"

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "owner"], name="orders_order_ws_owner"),
            models.Index(fields=["workspace", "status"], name="orders_order_ws_status"),
            models.Index(fields=["workspace", "client"], name="orders_order_ws_client"),
            # The purchases of a period (analytics): only orders paid in full are in it.
            models.Index(
                fields=["workspace", "paid_on"],
                name="orders_order_ws_paid_on",
                condition=models.Q(paid_on__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="orders_order_number_once"),
            models.CheckConstraint(condition=models.Q(total__gte=0), name="orders_order_total"),
            models.CheckConstraint(
                condition=models.Q(paid_amount__gte=0, paid_amount__lte=models.F("total")), name="orders_order_paid"
            ),
        ]

    def __str__(self) -> str:
        return f"№ {self.number}"

    @property
    def due(self) -> Decimal:
        return self.total - self.paid_amount

    def derived_status(self, *, fully_shipped: bool) -> str:
        """The status the amounts give (a cancelled order stays cancelled)."""
        if self.status == OrderStatus.CANCELLED:
            return OrderStatus.CANCELLED
        paid = self.paid_amount >= self.total
        if fully_shipped and paid:
            return OrderStatus.CLOSED
        if fully_shipped:
            return OrderStatus.SHIPPED
        if paid:
            return OrderStatus.PAID
        return OrderStatus.RESERVED


class OrderLine(WorkspaceModel):
    """A product sold: quantity at a unit price including VAT (as deal lines store it),
    its total, and how much of it is reserved in the order's warehouse and shipped."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="order_lines", verbose_name=_("product")
    )
    name = models.CharField(_("name"), max_length=300)
    quantity = quantity_field(_("quantity"))
    price = models.DecimalField(_("price"), max_digits=MONEY_DIGITS, decimal_places=2)
    discount = models.DecimalField(_("discount, %"), max_digits=5, decimal_places=2, default=Decimal(0))
    vat_rate = models.DecimalField(_("VAT, %"), max_digits=5, decimal_places=2, null=True, blank=True)
    total = models.DecimalField(_("total"), max_digits=MONEY_DIGITS, decimal_places=2)
    reserved = quantity_field(_("reserved"), default=Decimal(0))
    shipped = quantity_field(_("shipped"), default=Decimal(0))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    access_module: ClassVar[str | None] = "catalog"
    owner_field: ClassVar[str | None] = "order__owner"

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="orders_orderline_quantity"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="orders_orderline_price"),
            models.CheckConstraint(
                condition=models.Q(reserved__gte=0, shipped__gte=0), name="orders_orderline_reserved_shipped"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=models.F("reserved") + models.F("shipped")),
                name="orders_orderline_not_over",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def vat_amount(self) -> Decimal:
        if not self.vat_rate:
            return Decimal("0.00")
        return (self.total * self.vat_rate / (Decimal(100) + self.vat_rate)).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def missing(self) -> Decimal:
        """What is neither reserved nor shipped yet."""
        return self.quantity - self.reserved - self.shipped


class Payment(WorkspaceModel):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount"), max_digits=MONEY_DIGITS, decimal_places=2)
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    access_module: ClassVar[str | None] = "catalog"
    owner_field: ClassVar[str | None] = "order__owner"

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["date", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="orders_payment_amount")]

    def __str__(self) -> str:
        return str(self.amount)


class Shipment(WorkspaceModel):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="shipments")
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    access_module: ClassVar[str | None] = "catalog"
    owner_field: ClassVar[str | None] = "order__owner"

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.pk}"


class ShipmentLine(WorkspaceModel):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="shipment_lines")
    quantity = quantity_field(_("quantity"))

    access_module: ClassVar[str | None] = "catalog"
    owner_field: ClassVar[str | None] = "shipment__order__owner"

    class Meta:
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="orders_shipmentline_quantity")]

    def __str__(self) -> str:
        return str(self.quantity)


class ShipmentDocument(WorkspaceModel):
    """A sales document issued for a shipment: its waybill (the goods it carried) or the
    act of the order's services. The document itself lives with the deal's documents."""

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="documents")
    document = models.OneToOneField(
        "sales.SalesDocument", on_delete=models.PROTECT, related_name="shipment_link", verbose_name=_("document")
    )

    access_module: ClassVar[str | None] = "catalog"
    owner_field: ClassVar[str | None] = "shipment__order__owner"

    class Meta:
        verbose_name = _("shipment document")
        verbose_name_plural = _("shipment documents")

    def __str__(self) -> str:
        return str(self.document_id)


class Supplier(WorkspaceModel):
    """A company of the client base the workspace buys from. Kept here, not as a flag on
    the client: it is catalog-and-stock data, which storekeepers (who may only read
    clients) maintain, and it disappears with the module."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="supplier_roles", verbose_name=_("company")
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    access_module: ClassVar[str | None] = "catalog"

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "client"], name="orders_supplier_once")]

    def __str__(self) -> str:
        return str(self.client_id)


class PurchaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("purchase request", "Open")
    RECEIVED = "received", pgettext_lazy("purchase request", "Received")


class PurchaseRequest(WorkspaceModel):
    """Goods to buy from a supplier into a warehouse, often for an order's shortage."""

    supplier = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="purchase_requests",
        verbose_name=_("supplier"),
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="purchase_requests", verbose_name=_("product")
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="purchase_requests", verbose_name=_("warehouse")
    )
    quantity = quantity_field(_("quantity"))
    order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="purchase_requests",
        verbose_name=_("order"),
    )
    status = models.CharField(_("status"), max_length=10, choices=PurchaseStatus.choices, default=PurchaseStatus.OPEN)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    access_module: ClassVar[str | None] = "catalog"

    class Meta:
        verbose_name = _("purchase request")
        verbose_name_plural = _("purchase requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "status"], name="orders_purchase_ws_status")]
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="orders_purchase_quantity")]

    def __str__(self) -> str:
        return f"{self.product_id} × {self.quantity}"
