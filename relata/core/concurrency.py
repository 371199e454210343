"""Optimistic locking for records users edit (product §11: the second save is refused
with the other user's change shown, never silently overwritten)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from relata.core.audit import json_value


class StaleVersion(Exception):
    """The record changed since the user loaded it.

    `current` holds the record's present values of the fields the user edited, and
    `theirs` the subset that differs from what this user tried to save.
    """

    def __init__(self, obj: Model, current: dict[str, Any], theirs: dict[str, Any], current_version: int) -> None:
        self.obj = obj
        self.current = current
        self.theirs = theirs
        self.current_version = current_version
        super().__init__(
            _("Someone else changed this record while you were editing it. Review their changes and save again.")
        )


def save_versioned(obj: Model, *, expected_version: int, fields: list[str]) -> None:
    """Write `fields` of `obj` only if the stored version is still `expected_version`.

    One conditional UPDATE: two concurrent saves based on the same version cannot both
    succeed. On success `obj.version` is the new version; otherwise StaleVersion.
    """
    model = type(obj)
    values: dict[str, Any] = {}
    for name in fields:
        field = model._meta.get_field(name)
        values[getattr(field, "attname", name)] = getattr(obj, getattr(field, "attname", name))
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        values["updated_at"] = timezone.now()
    updated = model._default_manager.filter(pk=obj.pk, version=expected_version).update(
        version=F("version") + 1, **values
    )
    if updated:
        obj.version = expected_version + 1  # type: ignore[attr-defined]
        return
    fresh = model._default_manager.get(pk=obj.pk)
    current = {}
    theirs = {}
    for name in fields:
        field = model._meta.get_field(name)
        attname = getattr(field, "attname", name)
        current[name] = json_value(getattr(fresh, attname))
        if current[name] != json_value(getattr(obj, attname)):
            theirs[name] = current[name]
    raise StaleVersion(fresh, current, theirs, fresh.version)  # type: ignore[attr-defined]
