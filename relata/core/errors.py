"""Errors services raise. Views turn them into form errors, the API into its JSON shape.

Validation problems use Django's ValidationError (with a field → messages dict), so a
form can attach them to its fields and the API can name the fields.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from relata.core.concurrency import StaleVersion

__all__ = ["StaleVersion", "ValidationError", "invalid"]


def invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    """A ValidationError naming one field."""
    return ValidationError({field: [ValidationError(message, code=code)]})
