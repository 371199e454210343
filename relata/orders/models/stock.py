"""Warehouses and the stock ledger.

`StockMovement` rows are the ledger: append-only, one per change of stock, with a signed
quantity whose meaning depends on its kind (see `MovementKind`). `StockLevel` holds the
running figures per (product, warehouse) and is updated in the same transaction as each
movement, under a row lock (`relata.orders.services.stock`).

Why `reserved <= on_hand` is not a constraint: reservations never take more than is
available, but stock can leave without an order — an adjustment after a count finds
fewer bricks than recorded. The reservations made before stay valid promises to clients,
so the level then shows a shortage (available below zero) that a purchase request or a
release resolves; refusing the adjustment would make the books lie about the shelf.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from relata.core.models import WorkspaceModel

QUANTITY_DIGITS = 14
QUANTITY_PLACES = 3


def quantity_field(verbose_name: Any, **kwargs: Any) -> models.DecimalField[Decimal, Decimal]:
    return models.DecimalField(verbose_name, max_digits=QUANTITY_DIGITS, decimal_places=QUANTITY_PLACES, **kwargs)


class Warehouse(WorkspaceModel):
    name = models.CharField(_("name"), max_length=150)
    address = models.CharField(_("address"), max_length=500, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    access_module: ClassVar[str | None] = "catalog"

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint("workspace", Lower("name"), name="orders_warehouse_name_ci")]

    def __str__(self) -> str:
        return self.name


class StockLevel(WorkspaceModel):
    """How much of a product a warehouse holds (`on_hand`) and how much of it is promised
    to orders (`reserved`). Available = on hand − reserved; it may be negative (a
    shortage, see the module docstring)."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="stock_levels", verbose_name=_("product")
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="levels", verbose_name=_("warehouse")
    )
    on_hand = quantity_field(_("on hand"), default=Decimal(0))
    reserved = quantity_field(_("reserved"), default=Decimal(0))

    access_module: ClassVar[str | None] = "catalog"

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        ordering = ["product_id", "warehouse_id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "product", "warehouse"], name="orders_stocklevel_once"),
            models.CheckConstraint(condition=models.Q(on_hand__gte=0), name="orders_stocklevel_on_hand"),
            models.CheckConstraint(condition=models.Q(reserved__gte=0), name="orders_stocklevel_reserved"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.on_hand}/{self.reserved}"

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class MovementKind(models.TextChoices):
    """What a movement does to its level; `quantity` is signed:
    receipt: on hand + q (q > 0); reservation: reserved + q (q > 0); release: reserved + q
    (q < 0); shipment: on hand + q and reserved + q (q < 0, the goods leave);
    adjustment: on hand + q (either sign)."""

    RECEIPT = "receipt", _("Receipt")
    RESERVATION = "reservation", _("Reservation")
    RELEASE = "release", _("Release")
    SHIPMENT = "shipment", _("Shipment write-off")
    ADJUSTMENT = "adjustment", _("Adjustment")


class ImmutableRow(Exception):
    """A ledger row is never changed or deleted once written."""


class StockMovement(WorkspaceModel):
    kind = models.CharField(_("kind"), max_length=12, choices=MovementKind.choices)
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="stock_movements", verbose_name=_("product")
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="movements", verbose_name=_("warehouse")
    )
    quantity = quantity_field(_("quantity"))
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="movements")
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )
    purchase_request = models.ForeignKey(
        "orders.PurchaseRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    access_module: ClassVar[str | None] = "catalog"

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "product", "warehouse"], name="orders_movement_ws_product"),
            models.Index(fields=["workspace", "order"], name="orders_movement_ws_order"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(quantity=0), name="orders_movement_not_zero"),
            models.CheckConstraint(
                condition=~models.Q(kind__in=["receipt", "reservation"]) | models.Q(quantity__gt=0),
                name="orders_movement_positive_kinds",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind__in=["release", "shipment"]) | models.Q(quantity__lt=0),
                name="orders_movement_negative_kinds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableRow("stock movements are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableRow("stock movements are append-only")
