"""The lines of a deal: what is sold, how many, at what price, discount and VAT.

Prices include VAT, as Russian price lists and invoices usually state them ("в т.ч.
НДС"): a line's total is quantity × price less the discount, and the VAT in it is
total × rate / (100 + rate).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from relata.core.models import WorkspaceModel
from relata.core.money import CENT, MONEY_DIGITS
from relata.sales.models.deals import Deal


class DealLine(WorkspaceModel):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deal_lines",
        verbose_name=_("product"),
    )
    name = models.CharField(_("name"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    price = models.DecimalField(_("price"), max_digits=MONEY_DIGITS, decimal_places=2)
    discount = models.DecimalField(_("discount, %"), max_digits=5, decimal_places=2, default=Decimal(0))
    vat_rate = models.DecimalField(_("VAT, %"), max_digits=5, decimal_places=2, null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    access_module: ClassVar[str | None] = "sales"
    owner_field: ClassVar[str | None] = "deal__owner"

    class Meta:
        verbose_name = _("deal line")
        verbose_name_plural = _("deal lines")
        ordering = ["deal", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="sales_dealline_quantity"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="sales_dealline_price"),
            models.CheckConstraint(
                condition=models.Q(discount__gte=0, discount__lte=100), name="sales_dealline_discount"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def total(self) -> Decimal:
        gross = self.quantity * self.price * (Decimal(100) - self.discount) / Decimal(100)
        return gross.quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def vat_amount(self) -> Decimal:
        if not self.vat_rate:
            return Decimal("0.00")
        return (self.total * self.vat_rate / (Decimal(100) + self.vat_rate)).quantize(CENT, rounding=ROUND_HALF_UP)
