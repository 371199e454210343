"""Custom fields: definitions (administrators) and validation of values by type."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from relata.clients.models import ClientKind, CustomField, CustomFieldType
from relata.core.access import get_visible, require
from relata.core.audit import diff, record_event, snapshot
from relata.core.concurrency import save_versioned
from relata.core.errors import invalid
from relata.core.models import Membership

DEFINITION_FIELDS = ["label", "choices", "required", "help_text", "position", "is_active"]
MAX_TEXT = 2000
MAX_CHOICES = 200
TRUE_WORDS = {"1", "true", "yes", "y", "on", "да", "д", "+"}
FALSE_WORDS = {"0", "false", "no", "n", "off", "нет", "н", "-"}


def _clean_choices(field_type: str, choices: list[str]) -> list[str]:
    if field_type not in (CustomFieldType.CHOICE, CustomFieldType.MULTI_CHOICE):
        return []
    cleaned = list(dict.fromkeys(str(c).strip() for c in choices if str(c).strip()))
    if not cleaned:
        raise invalid("choices", _("List the choices, one per line."))
    if len(cleaned) > MAX_CHOICES:
        raise invalid("choices", _("At most %(n)d choices.") % {"n": MAX_CHOICES})
    return cleaned


@transaction.atomic
def custom_field_create(
    actor: Membership,
    *,
    entity: str,
    label: str,
    field_type: str,
    key: str = "",
    choices: list[str] | None = None,
    required: bool = False,
    help_text: str = "",
) -> CustomField:
    require(actor, "admin", "change")
    if entity not in ClientKind.values:
        raise invalid("entity", _("Choose companies or people."))
    if field_type not in CustomFieldType.values:
        raise invalid("field_type", _("Choose a type from the list."))
    label = label.strip()
    if not label:
        raise invalid("label", _("Enter the field's label."))
    key = slugify(key or label, allow_unicode=False).replace("-", "_")[:40] or "field"
    if not key[0].isalpha():
        key = f"f_{key}"[:40]
    base, n = key, 1
    while CustomField.objects.filter(workspace_id=actor.workspace_id, entity=entity, key=key).exists():
        n += 1
        key = f"{base[:36]}_{n}"
    last = CustomField.objects.filter(workspace_id=actor.workspace_id, entity=entity).aggregate(m=Max("position"))["m"]
    definition = CustomField.objects.create(
        workspace_id=actor.workspace_id,
        entity=entity,
        key=key,
        label=label,
        field_type=field_type,
        choices=_clean_choices(field_type, choices or []),
        required=required,
        help_text=help_text.strip(),
        position=(last or 0) + 10,
    )
    record_event(
        kind="custom_field.created",
        workspace=actor.workspace,
        actor=actor.user,
        target=definition,
        changes=diff({}, snapshot(definition, ["entity", "key", "field_type", *DEFINITION_FIELDS])),
    )
    return definition


@transaction.atomic
def custom_field_update(
    actor: Membership,
    field_id: int,
    *,
    version: int,
    label: str,
    choices: list[str] | None = None,
    required: bool = False,
    help_text: str = "",
    position: int = 0,
    is_active: bool = True,
) -> CustomField:
    """The type and key of a field never change (stored values and integrations rely on them)."""
    require(actor, "admin", "change")
    definition = get_visible(actor, CustomField, field_id)
    before = snapshot(definition, DEFINITION_FIELDS)
    definition.label = label.strip()
    if not definition.label:
        raise invalid("label", _("Enter the field's label."))
    definition.choices = _clean_choices(definition.field_type, choices or [])
    definition.required, definition.help_text = required, help_text.strip()
    definition.position, definition.is_active = position, is_active
    save_versioned(definition, expected_version=version, fields=DEFINITION_FIELDS)
    changes = diff(before, snapshot(definition, DEFINITION_FIELDS))
    if changes:
        record_event(
            kind="custom_field.changed", workspace=actor.workspace, actor=actor.user, target=definition, changes=changes
        )
    return definition


# --- Values ---------------------------------------------------------------------------


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def clean_custom_value(definition: CustomField, value: Any, *, member_ids: set[int] | None = None) -> Any:
    """The stored (JSON) form of a value typed for this field; ValueError with the reason."""
    kind = definition.field_type
    if _is_blank(value):
        return None
    if kind == CustomFieldType.TEXT:
        text = str(value).strip()
        if len(text) > MAX_TEXT:
            raise ValueError(_("At most %(n)d characters.") % {"n": MAX_TEXT})
        return text or None
    if kind in (CustomFieldType.NUMBER, CustomFieldType.MONEY):
        if isinstance(value, bool):
            raise ValueError(_("“%(value)s” is not a number.") % {"value": value})
        try:
            number = Decimal(str(value).replace("\u00a0", "").replace(" ", "").replace(",", "."))
        except InvalidOperation as exc:
            raise ValueError(_("“%(value)s” is not a number.") % {"value": value}) from exc
        if not number.is_finite():
            raise ValueError(_("“%(value)s” is not a number.") % {"value": value})
        if kind == CustomFieldType.MONEY:
            number = number.quantize(Decimal("0.01"))
        return int(number) if number == number.to_integral_value() and kind == CustomFieldType.NUMBER else float(number)
    if kind == CustomFieldType.DATE:
        if isinstance(value, dt.date):
            return value.isoformat()
        text = str(value).strip()
        for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(text[:10], fmt).date().isoformat()  # noqa: DTZ007  (a date, no time)
            except ValueError:
                continue
        raise ValueError(_("“%(value)s” is not a date (e.g. 31.12.2025 or 2025-12-31).") % {"value": value})
    if kind == CustomFieldType.CHOICE:
        text = str(value).strip()
        match = next((c for c in definition.choices if c.lower() == text.lower()), None)
        if match is None:
            raise ValueError(_("“%(value)s” is not one of the choices.") % {"value": value})
        return match
    if kind == CustomFieldType.MULTI_CHOICE:
        items = value if isinstance(value, list) else [v for v in str(value).replace(";", ",").split(",")]
        chosen = []
        for item in items:
            text = str(item).strip()
            if not text:
                continue
            match = next((c for c in definition.choices if c.lower() == text.lower()), None)
            if match is None:
                raise ValueError(_("“%(value)s” is not one of the choices.") % {"value": item})
            chosen.append(match)
        return list(dict.fromkeys(chosen)) or None
    if kind == CustomFieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise ValueError(_("“%(value)s” is not yes or no.") % {"value": value})
    if kind == CustomFieldType.USER:
        try:
            user_id = int(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(_("Choose a colleague.")) from exc
        if member_ids is not None and user_id not in member_ids:
            raise ValueError(_("Choose a colleague of this workspace."))
        return user_id
    raise ValueError(_("Unknown field type."))


def clean_custom_values(
    definitions: list[CustomField],
    raw: dict[str, Any],
    *,
    current: dict[str, Any] | None = None,
    member_ids: set[int] | None = None,
    creating: bool = True,
) -> dict[str, Any]:
    """The full custom-values object to store: `current` updated with the typed values in
    `raw`. Raises ValidationError keyed "custom.<key>" for each bad value."""
    by_key = {d.key: d for d in definitions}
    errors: dict[str, list[str]] = {}
    result = dict(current or {})
    for key, value in raw.items():
        definition = by_key.get(key)
        if definition is None:
            errors[f"custom.{key}"] = [_("There is no custom field “%(key)s”.") % {"key": key}]
            continue
        try:
            cleaned = clean_custom_value(definition, value, member_ids=member_ids)
        except ValueError as exc:
            errors[f"custom.{key}"] = [str(exc)]
            continue
        if cleaned is None:
            result.pop(key, None)
        else:
            result[key] = cleaned
    for definition in definitions:
        missing = definition.required and definition.is_active and _is_blank(result.get(definition.key))
        if missing and (creating or definition.key in raw):
            errors.setdefault(f"custom.{definition.key}", [_("This field is required.")])
    if errors:
        raise ValidationError(errors)
    return result
