"""Amounts of money and currency codes as every app takes them from forms and payloads.

Money is a Decimal with two places in a `DecimalField(max_digits=MONEY_DIGITS,
decimal_places=2)`; a currency is an ISO 4217 alphabetic code (RUB, EUR, USD…).
"""

from __future__ import annotations

import decimal
from typing import Any

from django.utils.translation import gettext as _

from relata.core.errors import invalid

MONEY_DIGITS = 18
MONEY_LIMIT = decimal.Decimal("1e16")  # 16 digits before the point fit MONEY_DIGITS
CENT = decimal.Decimal("0.01")


def parse_decimal(value: Any, field: str) -> decimal.Decimal | None:
    """A number typed the Russian or the English way ("1 234,5", "1234.5"); None if empty."""
    if value in (None, ""):
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        number = decimal.Decimal(str(value).replace("\u00a0", "").replace(" ", "").replace(",", "."))
    except decimal.InvalidOperation:
        raise invalid(field, _("Enter a number.")) from None
    if not number.is_finite():
        raise invalid(field, _("Enter a number."))
    return number


def clean_money(value: Any, field: str = "amount", *, required: bool = False) -> decimal.Decimal | None:
    """An amount of zero or more, rounded to kopecks/cents; None when empty (unless required)."""
    amount = parse_decimal(value, field)
    if amount is None:
        if required:
            raise invalid(field, _("Enter an amount."), code="required")
        return None
    if amount < 0:
        raise invalid(field, _("Enter an amount of zero or more."))
    if amount >= MONEY_LIMIT:
        raise invalid(field, _("The amount is too large."))
    return amount.quantize(CENT, rounding=decimal.ROUND_HALF_UP)


def clean_currency(value: Any, field: str = "currency", *, default: str = "") -> str:
    """A three-letter currency code in capitals; `default` when empty."""
    code = str(value or "").strip().upper()
    if not code:
        return default
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise invalid(field, _("Enter a three-letter currency code, e.g. RUB."))
    return code
