"""Gapless per-workspace numbering (orders, documents…): a counter row raised with
`UPDATE … SET last_number = last_number + 1` in the transaction that creates the record.
Concurrent creations queue on that row; a rolled-back creation gives its number back."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import F


def raise_counter(model: type[models.Model], **key: Any) -> int:
    """The next number of the counter row of `model` matching `key` (created at 0 when
    missing). Call inside the transaction that creates the numbered record: the UPDATE
    keeps the row locked until it ends."""
    counters = model._default_manager.filter(**key)
    if not counters.exists():
        try:
            with transaction.atomic():  # a savepoint: another transaction may create it first
                model._default_manager.create(**key)
        except IntegrityError:
            pass
    counters.update(last_number=F("last_number") + 1)
    return int(counters.values_list("last_number", flat=True).get())
