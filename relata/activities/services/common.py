"""Checks the activity and task services share: members, clients, times, amounts (the
general ones live in relata/core/inputs.py and relata/clients/lookup.py)."""

from __future__ import annotations

import decimal
from typing import Any

from django.utils.translation import gettext as _

from relata.clients.lookup import member_sees_client, visible_client
from relata.core.errors import invalid
from relata.core.inputs import active_member, as_int, aware, text
from relata.core.money import clean_money

__all__ = [
    "MAX_REMIND_BEFORE",
    "active_member",
    "as_int",
    "aware",
    "member_sees_client",
    "money",
    "remind_minutes",
    "text",
    "visible_client",
]


def money(value: Any, field: str = "amount") -> decimal.Decimal | None:
    return clean_money(value, field)


MAX_REMIND_BEFORE = 30 * 24 * 60  # minutes


def remind_minutes(value: Any) -> int | None:
    """Minutes before the due time a reminder comes (None: no reminder), as tasks, rules
    and mass plans take it."""
    if value in (None, ""):
        return None
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        raise invalid("remind_before", _("Enter the number of minutes before the due time.")) from None
    if minutes < 0 or minutes > MAX_REMIND_BEFORE:
        raise invalid("remind_before", _("A reminder can come at most 30 days before the due time."))
    return minutes
