"""Price lists: the prices of products in one currency, for every client (a base list)
or for the clients of a segment (a wholesale list, a dealers' list…)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from relata.core.models import WorkspaceModel
from relata.core.money import MONEY_DIGITS


class PriceList(WorkspaceModel):
    """Without a segment, the base list of its currency (at most one active per currency);
    with one, it applies to the segment's clients, the highest priority winning when a
    client is in several (relata.catalog.services.pricing)."""

    name = models.CharField(_("name"), max_length=150)
    currency = models.CharField(_("currency"), max_length=3)
    segment = models.ForeignKey(
        "clients.Segment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("segment"),
        help_text=_("Empty: the base list, for every client."),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=0, help_text=_("When a client is in several segments, the higher priority wins.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    access_module: ClassVar[str | None] = "catalog"

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["currency", "-priority", "name", "id"]
        indexes = [models.Index(fields=["workspace", "currency", "is_active"], name="catalog_pricelist_ws_currency")]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "currency"],
                condition=models.Q(segment__isnull=True, is_active=True),
                name="catalog_pricelist_one_active_base",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"

    @property
    def is_base(self) -> bool:
        return self.segment_id is None


class PriceListItem(WorkspaceModel):
    """One product's price in one list."""

    price_list = models.ForeignKey(
        PriceList, on_delete=models.CASCADE, related_name="items", verbose_name=_("price list")
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="prices", verbose_name=_("product")
    )
    price = models.DecimalField(_("price"), max_digits=MONEY_DIGITS, decimal_places=2)

    access_module: ClassVar[str | None] = "catalog"

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        ordering = ["id"]
        indexes = [models.Index(fields=["workspace", "product"], name="catalog_price_ws_product")]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "price_list", "product"], name="catalog_price_once"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="catalog_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.price_list_id}:{self.product_id} = {self.price}"
