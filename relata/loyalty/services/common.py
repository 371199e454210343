"""Parsing of the values the loyalty services take from forms and payloads."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from relata.core.errors import ValidationError, invalid
from relata.core.money import parse_decimal

MAX_NOTE = 500
MAX_POINTS = 1_000_000_000


def collect(errors: dict[str, list[ValidationError]], error: ValidationError) -> None:
    for name, messages in error.error_dict.items():
        errors.setdefault(name, []).extend(messages)


def clean_number(
    value: Any, field: str, *, low: Decimal, high: Decimal, places: int = 2, required: bool = True, above: bool = False
) -> Decimal | None:
    """A number within [low, high] (above `low` with `above`) with at most `places` decimals."""
    number = parse_decimal(value, field)
    if number is None:
        if required:
            raise invalid(field, _("Enter a number."), code="required")
        return None
    if (number <= low if above else number < low) or number > high:
        if above:
            message = _("Enter a number above %(low)s and at most %(high)s.")
        else:
            message = _("Enter a number from %(low)s to %(high)s.")
        raise invalid(field, message % {"low": low, "high": high})
    quantum = Decimal(1).scaleb(-places)
    if number != number.quantize(quantum):
        raise invalid(field, _("Enter a number with at most %(places)d decimal places.") % {"places": places})
    return number.quantize(quantum)


def clean_points(value: Any, field: str = "points", *, signed: bool = False) -> int:
    """A whole number of points above zero (or, `signed`, other than zero)."""
    if isinstance(value, bool) or value in (None, ""):
        raise invalid(field, _("Enter a number of points."), code="required")
    try:
        number = Decimal(str(value).strip().replace(" ", "").replace("\u00a0", ""))
    except ArithmeticError:
        raise invalid(field, _("Enter a whole number of points.")) from None
    if not number.is_finite() or number != number.to_integral_value():
        raise invalid(field, _("Enter a whole number of points."))
    points = int(number)
    if signed and points == 0:
        raise invalid(field, _("Enter a number of points other than zero."))
    if not signed and points <= 0:
        raise invalid(field, _("Enter a number of points above zero."))
    if abs(points) > MAX_POINTS:
        raise invalid(field, _("Enter at most %(limit)d points.") % {"limit": MAX_POINTS})
    return points


def clean_note(value: Any, field: str = "note", *, required: bool = False) -> str:
    note = str(value or "").strip()
    if required and not note:
        raise invalid(field, _("Say why (the note is kept in the card's ledger)."), code="required")
    if len(note) > MAX_NOTE:
        raise invalid(field, _("At most %(limit)d characters.") % {"limit": MAX_NOTE})
    return note
