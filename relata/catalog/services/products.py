"""Products and services of the catalog: create, change (optimistic locking), take out
of use and back. Products are never deleted: deal lines and orders refer to them."""

from __future__ import annotations

import decimal
from typing import Any

from django.db import transaction
from django.db.models.lookups import Exact
from django.utils.translation import gettext as _

from relata.catalog.models import DEFAULT_VAT_RATE, VAT_RATES, Category, Product, ProductKind, Unit
from relata.core.access import get_visible, require, scope_queryset
from relata.core.audit import diff, record_event, snapshot
from relata.core.concurrency import save_versioned
from relata.core.db import Casefold
from relata.core.errors import invalid
from relata.core.inputs import as_id, save_unique, text, unknown_fields
from relata.core.models import Membership
from relata.core.money import parse_decimal

FIELDS = ["kind", "name", "sku", "category", "unit", "vat_rate", "description"]
MAX_NAME = 300
MAX_SKU = 64
MAX_DESCRIPTION = 10_000


def vat_rates_text() -> str:
    return ", ".join(f"{rate:.0f}" for rate in VAT_RATES)


def clean_vat_rate(value: Any) -> decimal.Decimal | None:
    """A VAT rate of VAT_RATES ("22", "22%", 22, Decimal("22.00")); None (empty) is
    "without VAT"."""
    if isinstance(value, str):
        value = value.strip().removesuffix("%").strip()
    rate = parse_decimal(value, "vat_rate")
    if rate is None:
        return None
    if rate not in VAT_RATES:
        raise invalid(
            "vat_rate",
            _("Choose a VAT rate of %(rates)s per cent, or none (without VAT).") % {"rates": vat_rates_text()},
        )
    return rate.quantize(decimal.Decimal("0.01"))


def _category(actor: Membership, value: Any) -> Category | None:
    if value in (None, ""):
        return None
    pk = as_id(value)
    category = scope_queryset(actor, Category.objects.all()).filter(pk=pk).first() if pk is not None else None
    if category is None:
        raise invalid("category", _("Choose a category of the catalog."))
    return category


def _check_sku_free(actor: Membership, product: Product) -> None:
    if not product.sku:
        return
    # Casefolded on both sides: Unicode-aware on SQLite too ("АБ-1" and "аб-1" are one SKU).
    taken = Product.objects.filter(workspace_id=actor.workspace_id).filter(
        Exact(Casefold("sku"), product.sku.casefold())
    )
    if product.pk is not None:
        taken = taken.exclude(pk=product.pk)
    other = taken.first()
    if other is not None:
        raise invalid("sku", _("The SKU is already used by “%(name)s”.") % {"name": other.name})


def _apply(actor: Membership, product: Product, values: dict[str, Any], *, creating: bool) -> None:
    """Validate `values` (only the keys given; every field when creating) onto `product`."""
    unknown_fields(values, FIELDS)
    if creating or "kind" in values:
        kind = str(values.get("kind") or ProductKind.PRODUCT)
        if kind not in ProductKind.values:
            raise invalid("kind", _("Choose a product or a service."))
        product.kind = kind
    if creating or "name" in values:
        product.name = text(values, "name", MAX_NAME, required=_("Name the product."))
    if creating or "sku" in values:
        product.sku = text(values, "sku", MAX_SKU)
    if creating or "category" in values:
        product.category = _category(actor, values.get("category"))
    if creating or "unit" in values:
        default = Unit.SERVICE if product.kind == ProductKind.SERVICE else Unit.PIECE
        unit = str(values.get("unit") or default)
        if unit not in Unit.values:
            raise invalid("unit", _("Choose a unit from the list."))
        product.unit = unit
    if "vat_rate" in values:
        product.vat_rate = clean_vat_rate(values["vat_rate"])
    elif creating:
        product.vat_rate = clean_vat_rate(DEFAULT_VAT_RATE)
    if creating or "description" in values:
        product.description = text(values, "description", MAX_DESCRIPTION)
    _check_sku_free(actor, product)


@transaction.atomic
def product_create(actor: Membership, *, values: dict[str, Any]) -> Product:
    """Add a product or a service. `vat_rate` left out is the standard rate (22%); given
    as None it is "without VAT"."""
    require(actor, "catalog", "create")
    product = Product(workspace_id=actor.workspace_id)
    _apply(actor, product, values, creating=True)
    save_unique(product.save, "sku", _("The SKU is already used by another product."))
    record_event(
        kind="product.created",
        workspace=actor.workspace,
        actor=actor.user,
        target=product,
        changes=diff({}, snapshot(product, FIELDS)),
    )
    return product


@transaction.atomic
def product_update(actor: Membership, *, product_id: int, version: int, values: dict[str, Any]) -> Product:
    """Change a product (only the keys given). Based on a stale `version`: StaleVersion
    with the other user's values, and nothing is written."""
    product = get_visible(actor, Product, product_id, for_write=True)
    before = snapshot(product, FIELDS)
    _apply(actor, product, values, creating=False)
    save_unique(
        lambda: save_versioned(product, expected_version=version, fields=FIELDS),
        "sku",
        _("The SKU is already used by another product."),
    )
    changes = diff(before, snapshot(product, FIELDS))
    if changes:
        record_event(
            kind="product.changed", workspace=actor.workspace, actor=actor.user, target=product, changes=changes
        )
    return product


def _set_in_use(actor: Membership, product: Product, in_use: bool, kind: str) -> Product:
    if product.is_active == in_use:
        return product  # idempotent: archiving an archived product changes nothing
    Product.objects.filter(pk=product.pk).update(is_active=in_use)
    product.is_active = in_use
    record_event(
        kind=kind,
        workspace=actor.workspace,
        actor=actor.user,
        target=product,
        changes={"is_active": [not in_use, in_use]},
    )
    return product


@transaction.atomic
def product_archive(actor: Membership, *, product_id: int) -> Product:
    """Take a product out of use (`catalog.delete`, as it stands for deleting): it stays
    on the deals and orders that have it and keeps its prices, but pickers and pricing no
    longer offer it."""
    product = get_visible(actor, Product, product_id, for_write=True, action="delete")
    return _set_in_use(actor, product, False, "product.archived")


@transaction.atomic
def product_restore(actor: Membership, *, product_id: int) -> Product:
    """Put a product back in use (`catalog.change`)."""
    product = get_visible(actor, Product, product_id, for_write=True)
    return _set_in_use(actor, product, True, "product.restored")
