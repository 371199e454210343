"""What the workspace sells: categories (a tree) and products and services with their
unit, VAT rate and SKU. Products are never deleted once made: one that is no longer sold
is taken out of use (deal lines and orders keep pointing at it)."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from relata.core.models import VersionedModel, WorkspaceModel

# The VAT rates a Russian company may charge: 22% is the standard rate from 2026 (20%
# before), 10% for some foods and children's goods, 5% and 7% for sellers on the
# simplified tax system, 0% for exports. "Without VAT" (exempt) is a different thing from
# 0% on documents, so it is stored as None, not as 0.
VAT_RATES: tuple[Decimal, ...] = tuple(Decimal(rate) for rate in ("0", "5", "7", "10", "20", "22"))
DEFAULT_VAT_RATE = Decimal("22")


class ProductKind(models.TextChoices):
    PRODUCT = "product", _("Product")
    SERVICE = "service", _("Service")


class Unit(models.TextChoices):
    """Units a building-materials or equipment supplier sells in (OKEI names)."""

    PIECE = "piece", _("pcs")
    THOUSAND = "thousand", _("thousand pcs")
    KG = "kg", _("kg")
    TONNE = "tonne", _("t")
    METRE = "metre", _("m")
    SQUARE_METRE = "m2", _("m²")
    CUBIC_METRE = "m3", _("m³")
    LITRE = "litre", _("l")
    HOUR = "hour", _("h")
    SERVICE = "service", _("service")
    PALLET = "pallet", _("pallet")
    WAGON = "wagon", _("wagon")


class Category(WorkspaceModel):
    """A group of products; categories nest (a parent) and are ordered by position."""

    name = models.CharField(_("name"), max_length=150)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    access_module: ClassVar[str | None] = "catalog"

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name", "id"]
        indexes = [models.Index(fields=["workspace", "parent"], name="catalog_category_ws_parent")]
        constraints = [
            # One name per level, in any case (NULL parents never collide in SQL: the top
            # level has a constraint of its own).
            models.UniqueConstraint(
                "workspace",
                "parent",
                Lower("name"),
                condition=models.Q(parent__isnull=False),
                name="catalog_category_name_ci",
            ),
            models.UniqueConstraint(
                "workspace", Lower("name"), condition=models.Q(parent__isnull=True), name="catalog_category_top_name_ci"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Product(WorkspaceModel, VersionedModel):
    """A product or a service of the catalog. Its prices are in price lists."""

    kind = models.CharField(_("kind"), max_length=10, choices=ProductKind.choices, default=ProductKind.PRODUCT)
    name = models.CharField(_("name"), max_length=300)
    sku = models.CharField(_("SKU"), max_length=64, blank=True, help_text=_("The article number, unique if given."))
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("category"),
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.PIECE)
    vat_rate = models.DecimalField(
        _("VAT rate, %"), max_digits=4, decimal_places=2, null=True, blank=True, help_text=_("Empty: without VAT.")
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(
        _("in use"), default=True, help_text=_("Out of use: kept where it was sold, no longer offered.")
    )

    access_module: ClassVar[str | None] = "catalog"

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["workspace", "is_active", "name"], name="catalog_product_ws_active_name"),
            models.Index(fields=["workspace", "category"], name="catalog_product_ws_category"),
        ]
        constraints = [
            models.UniqueConstraint(
                "workspace", Lower("sku"), condition=~models.Q(sku=""), name="catalog_product_sku_ci"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k for k, _label in ProductKind.choices]), name="catalog_product_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(vat_rate__isnull=True) | models.Q(vat_rate__in=VAT_RATES),
                name="catalog_product_vat_rate_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})" if self.sku else self.name
