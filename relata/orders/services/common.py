"""Parsing of the values the orders services take from forms and payloads."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from relata.catalog.models import Product
from relata.core.access import scope_queryset
from relata.core.errors import invalid
from relata.core.inputs import as_id
from relata.core.models import Membership
from relata.core.money import parse_decimal
from relata.orders.models import Warehouse

MAX_QUANTITY = Decimal("1e10")
MAX_NOTE = 500


def clean_quantity(value: Any, field: str = "quantity", *, signed: bool = False) -> Decimal:
    """A quantity above zero (or, `signed`, not zero) with at most three decimal places."""
    number = parse_decimal(value, field)
    if number is None:
        raise invalid(field, _("Enter the quantity."), code="required")
    if signed and number == 0:
        raise invalid(field, _("Enter a quantity other than zero."))
    if not signed and number <= 0:
        raise invalid(field, _("Enter a quantity above zero."))
    if abs(number) >= MAX_QUANTITY or number != number.quantize(Decimal("0.001")):
        raise invalid(field, _("Enter a quantity with at most three decimal places."))
    return number.quantize(Decimal("0.001"))


def clean_note(value: Any, field: str = "note") -> str:
    note = str(value or "").strip()
    if len(note) > MAX_NOTE:
        raise invalid(field, _("At most %(limit)d characters.") % {"limit": MAX_NOTE})
    return note


def warehouse_of(actor: Membership, value: Any, field: str = "warehouse") -> Warehouse:
    """A warehouse in use of the actor's workspace; anything else is a field error."""
    pk = as_id(value)
    warehouse = scope_queryset(actor, Warehouse.objects.all()).filter(pk=pk).first() if pk else None
    if warehouse is None:
        raise invalid(field, _("Choose a warehouse of the workspace."), code="required" if pk is None else "invalid")
    if not warehouse.is_active:
        raise invalid(field, _("This warehouse is out of use."))
    return warehouse


def product_of(actor: Membership, value: Any, field: str = "product") -> Product:
    """A product of the actor's catalog; anything else is a field error."""
    pk = as_id(value)
    product = scope_queryset(actor, Product.objects.all()).filter(pk=pk).first() if pk else None
    if product is None:
        raise invalid(field, _("Choose a product of the catalog."), code="required" if pk is None else "invalid")
    return product


def quantity_text(quantity: Decimal) -> str:
    """3.000 → "3", 2.500 → "2.5" (for messages)."""
    text = format(quantity.normalize(), "f")
    return text
