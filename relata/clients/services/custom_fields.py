"""Custom fields: definitions (administrators) and validation of values by type.

A definition's key and type never change once created: stored values, saved filters,
segments, imports, exports and API clients all refer to the field by its key, and the
stored values were validated for its type.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from relata.clients.models import ClientKind, CustomField, CustomFieldType
from relata.core.access import get_visible, require, scope_queryset
from relata.core.audit import diff, record_event, snapshot
from relata.core.concurrency import save_versioned
from relata.core.errors import invalid
from relata.core.models import Membership

DEFINITION_FIELDS = ["label", "choices", "required", "help_text", "position", "is_active"]
MAX_TEXT = 2000
MAX_CHOICES = 200
MAX_CHOICE_LENGTH = 100
MAX_LABEL = 100
MAX_HINT = 200
MAX_KEY = 40
MAX_POSITION = 32767  # a PositiveSmallIntegerField
MAX_NUMBER = Decimal(10) ** 15  # beyond this a JSON number loses digits (and "1e400" is infinite as a float)
TRUE_WORDS = {"1", "true", "yes", "y", "on", "да", "д", "+"}
FALSE_WORDS = {"0", "false", "no", "n", "off", "нет", "н", "-"}
CHOICE_TYPES = (CustomFieldType.CHOICE, CustomFieldType.MULTI_CHOICE)
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
# Keys are Latin (they go into URLs, JSON and spreadsheet headers); Russian labels give
# readable keys ("Регион" → "region") instead of "field", "field_2"…
LATIN = "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya"
CYRILLIC = {
    cyrillic: latin.strip("-")  # "-" marks the signs that are dropped (ъ, ь)
    for cyrillic, latin in zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", LATIN.split(" "), strict=True)
}


def custom_fields_visible_to(actor: Membership, entity: str | None = None) -> QuerySet[CustomField]:
    """The workspace's custom-field definitions (every member of the client base may read
    them: they name the fields of forms, lists and the API), in their order."""
    queryset = scope_queryset(actor, CustomField.objects.all())
    if entity:
        queryset = queryset.filter(entity=entity)
    return queryset.order_by("entity", "position", "id")


def _transliterate(text: str) -> str:
    return "".join(CYRILLIC.get(ch.lower(), ch) for ch in text)


def _key_from_label(label: str) -> str:
    key = slugify(_transliterate(label), allow_unicode=False).replace("-", "_").strip("_")
    key = re.sub(r"_+", "_", key)[:MAX_KEY].strip("_") or "field"
    if not key[0].isalpha():
        key = f"f_{key}"[:MAX_KEY]
    return key


def _clean_key(key: str) -> str:
    key = key.strip().lower()
    if len(key) > MAX_KEY or not KEY_PATTERN.match(key):
        raise invalid(
            "key",
            _("A key is up to %(n)d Latin letters, digits and “_”, starting with a letter (e.g. “region”).")
            % {"n": MAX_KEY},
        )
    return key


def _clean_choices(field_type: str, choices: list[str]) -> list[str]:
    if field_type not in CHOICE_TYPES:
        return []
    cleaned = list(dict.fromkeys(str(c).strip() for c in choices if str(c).strip()))
    if not cleaned:
        raise invalid("choices", _("List the choices, one per line."))
    if len(cleaned) > MAX_CHOICES:
        raise invalid("choices", _("At most %(n)d choices.") % {"n": MAX_CHOICES})
    too_long = next((c for c in cleaned if len(c) > MAX_CHOICE_LENGTH), None)
    if too_long is not None:
        raise invalid(
            "choices",
            _("“%(choice)s”: a choice is at most %(n)d characters.") % {"choice": too_long, "n": MAX_CHOICE_LENGTH},
        )
    if field_type == CustomFieldType.MULTI_CHOICE and any("," in c or ";" in c for c in cleaned):
        # Imports and exports write several choices as "a, b": a comma inside one would split it.
        raise invalid("choices", _("Choices of a several-choice field cannot contain “,” or “;”."))
    return cleaned


def _clean_label(label: str) -> str:
    label = (label or "").strip()
    if not label:
        raise invalid("label", _("Enter the field's label."))
    if len(label) > MAX_LABEL:
        raise invalid("label", _("At most %(n)d characters.") % {"n": MAX_LABEL})
    return label


def _clean_hint(help_text: str) -> str:
    help_text = (help_text or "").strip()
    if len(help_text) > MAX_HINT:
        raise invalid("help_text", _("At most %(n)d characters.") % {"n": MAX_HINT})
    return help_text


def _clean_position(position: int) -> int:
    if not 0 <= position <= MAX_POSITION:
        raise invalid("position", _("Enter a number from 0 to %(max)d.") % {"max": MAX_POSITION})
    return position


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
    """A new field of companies or people, placed last. Without `key`, one is made from
    the label (transliterated, made unique); a `key` given explicitly must be free."""
    require(actor, "admin", "change")
    if entity not in ClientKind.values:
        raise invalid("entity", _("Choose companies or people."))
    if field_type not in CustomFieldType.values:
        raise invalid("field_type", _("Choose a type from the list."))
    label = _clean_label(label)
    cleaned_choices = _clean_choices(field_type, choices or [])
    help_text = _clean_hint(help_text)
    taken = CustomField.objects.filter(workspace_id=actor.workspace_id, entity=entity)
    if key.strip():
        key = _clean_key(key)
        if taken.filter(key=key).exists():
            raise invalid("key", _("Another field of this kind already has the key “%(key)s”.") % {"key": key})
    else:
        base = key = _key_from_label(label)
        n = 1
        while taken.filter(key=key).exists():
            n += 1
            key = f"{base[: MAX_KEY - 1 - len(str(n))]}_{n}"
    last = taken.aggregate(m=Max("position"))["m"]
    definition = CustomField(
        workspace_id=actor.workspace_id,
        entity=entity,
        key=key,
        label=label,
        field_type=field_type,
        choices=cleaned_choices,
        required=required,
        help_text=help_text,
        position=min((last or 0) + 10, MAX_POSITION),
    )
    try:
        with transaction.atomic():
            definition.save()
    except IntegrityError as exc:  # the same key created concurrently
        raise invalid("key", _("Another field of this kind already has the key “%(key)s”.") % {"key": key}) from exc
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
    definition.label = _clean_label(label)
    definition.choices = _clean_choices(definition.field_type, choices or [])
    definition.required, definition.help_text = required, _clean_hint(help_text)
    definition.position, definition.is_active = _clean_position(position), is_active
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
        if abs(number) >= MAX_NUMBER:
            raise ValueError(_("The number is too large."))
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
