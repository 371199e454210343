"""Filter definitions: the one format behind list filters, saved views, dynamic segments,
exports, bulk actions and assignment rules.

A definition is JSON:

    {"conditions": [{"field": "status", "op": "in", "value": [3, 4]},
                    {"field": "custom.region", "op": "eq", "value": "77"}],
     "text": "кирпич"}

All conditions must hold. `text` is the search box's fragment. Field keys come from
`relata.clients.fields`; values are checked against the field's type, and a bad
condition is refused with a message naming it.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.lookups import Contains, Exact, StartsWith
from django.utils import timezone
from django.utils.translation import gettext as _

from relata.clients.fields import (
    BOOLEAN,
    CHOICE,
    CLIENT,
    DATE,
    DATETIME,
    EMAIL,
    MONEY,
    MULTI,
    NUMBER,
    PHONE,
    RELATED,
    STATUS,
    TAGS,
    TEXT,
    USER,
    ClientField,
    filter_fields,
)
from relata.clients.models import Client, ClientPhone
from relata.core.db import Casefold, ensure_sqlite_functions, register_sqlite_function

MAX_CONDITIONS = 30


def _problem(field: ClientField | None, key: str, message: str) -> ValidationError:
    label = str(field.label) if field else key
    return ValidationError({"conditions": [_("%(field)s: %(problem)s") % {"field": label, "problem": message}]})


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if value in (None, ""):
        return []
    return [value]


def _number(field: ClientField, value: Any) -> Decimal:
    try:
        return Decimal(str(value).replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise _problem(field, field.key, _("“%(value)s” is not a number.") % {"value": value}) from exc


def _date(field: ClientField, value: Any) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise _problem(field, field.key, _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}) from exc


def _ids(field: ClientField, value: Any) -> list[int]:
    try:
        return [int(v) for v in _as_list(value)]
    except (TypeError, ValueError) as exc:
        raise _problem(field, field.key, _("Choose from the list.")) from exc


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _empty_q(field: ClientField) -> Q:
    path = field.path
    if field.type in (USER, CLIENT):
        return Q(**{f"{path}__isnull": True})
    if field.type in (TAGS,):
        return Q(tags__isnull=True)
    if field.custom is not None:
        return Q(**{f"{path}__isnull": True}) | Q(**{path: ""}) | Q(**{path: []})
    if field.type in (NUMBER, MONEY, DATE):
        return Q(**{f"{path}__isnull": True})
    return Q(**{path: ""})


def condition_q(field: ClientField, op: str, value: Any) -> Q:
    """The Q of one condition; ValidationError naming the field if it makes no sense."""
    if op not in field.operators:
        raise _problem(field, field.key, _("the comparison “%(op)s” does not apply to this field.") % {"op": op})
    path = field.path
    if op == "empty":
        return _empty_q(field)
    if op == "not_empty":
        return ~_empty_q(field)
    kind = field.type
    if kind == RELATED and field.condition is not None:
        ids = _ids(field, value)
        if not ids:
            raise _problem(field, field.key, _("choose at least one value."))
        # An id no longer among the choices (a deleted stage) matches nothing: a saved
        # segment still opens.
        related = field.condition(ids)
        return ~related if op == "none" else related
    if kind in (TEXT, EMAIL):
        text = str(value or "").strip()
        if not text:
            raise _problem(field, field.key, _("enter a value."))
        # Casefolded on both sides: Unicode-aware on PostgreSQL and SQLite alike.
        target = KeyTextTransform(field.custom.key, "custom") if field.custom is not None else F(path)
        lookup = {"contains": Contains, "eq": Exact, "startswith": StartsWith}[op]
        return Q(lookup(Casefold(target), text.casefold()))
    if kind == PHONE:
        digits = "".join(ch for ch in str(value or "") if ch.isdigit())
        if not digits:
            raise _problem(field, field.key, _("enter some digits of the number."))
        phones = ClientPhone.objects.filter(client_id=OuterRef("pk"), number__contains=digits)
        return Q(Exists(phones))
    if kind in (NUMBER, MONEY):
        # JSON numbers (custom fields) are compared as numbers: pass floats, not Decimals.
        as_value = float if field.custom is not None else (lambda n: n)
        if op == "between":
            low, high = (_as_list(value) + [None, None])[:2]
            return Q(**{f"{path}__gte": as_value(_number(field, low)), f"{path}__lte": as_value(_number(field, high))})
        number = as_value(_number(field, value))
        return Q(**{f"{path}__{ {'eq': 'exact'}.get(op, op) }": number})
    if kind in (DATE, DATETIME):
        is_json = field.custom is not None
        convert = (lambda d: d.isoformat()) if is_json else (_start_of if kind == DATETIME else (lambda d: d))
        if op == "last_days":
            days = int(_number(field, value))
            since = timezone.localdate() - dt.timedelta(days=days)
            return Q(**{f"{path}__gte": convert(since)})
        if op == "between":
            low, high = (_as_list(value) + [None, None])[:2]
            end = _date(field, high) + dt.timedelta(days=1)
            return Q(**{f"{path}__gte": convert(_date(field, low)), f"{path}__lt": convert(end)})
        day = _date(field, value)
        if op == "eq":
            return Q(**{path: convert(day)})
        if op == "before":
            return Q(**{f"{path}__lt": convert(day)})
        return Q(**{f"{path}__gte": convert(day + dt.timedelta(days=1)) if kind == DATE else convert(day)})
    if kind in (STATUS, USER, CLIENT) or (kind == CHOICE and field.custom is None):
        values = _ids(field, value) if kind != CHOICE else [str(v) for v in _as_list(value)]
        if not values:
            raise _problem(field, field.key, _("choose at least one value."))
        if kind == CHOICE and field.choices and not set(values) <= {str(c[0]) for c in field.choices}:
            raise _problem(field, field.key, _("choose from the list."))
        q = Q(**{f"{path}__in": values})
        return ~q if op == "not_in" else q
    if kind == CHOICE:  # custom choice: a JSON string
        values = [str(v) for v in _as_list(value)]
        if not values:
            raise _problem(field, field.key, _("choose at least one value."))
        q = Q(**{f"{path}__in": values})
        # "None of" also keeps the clients with no value (SQL's NOT IN would drop them).
        return (~q | Q(**{f"{path}__isnull": True})) if op == "not_in" else q
    if kind == BOOLEAN:
        wanted = str(value).lower() in ("1", "true", "yes", "on")
        return Q(**{path: wanted}) if wanted else (~Q(**{path: True}) | Q(**{f"{path}__isnull": True}))
    if kind in (TAGS, MULTI):
        values = [str(v) for v in _as_list(value)]
        if not values:
            raise _problem(field, field.key, _("choose at least one value."))
        if kind == TAGS:
            ids = _ids(field, values)
            any_q = Q(Exists(Client.tags.through.objects.filter(client_id=OuterRef("pk"), tag_id__in=ids)))
            if op == "any":
                return any_q
            if op == "none":
                return ~any_q
            q = Q()
            for tag_id in ids:
                q &= Q(Exists(Client.tags.through.objects.filter(client_id=OuterRef("pk"), tag_id=tag_id)))
            return q
        # Custom multi-choice: a JSON list; membership per value.
        parts = [_json_list_has(field, v) for v in values]
        if op == "all":
            q = Q()
            for part in parts:
                q &= part
            return q
        any_q = Q()
        for part in parts:
            any_q |= part
        return (~any_q | Q(**{f"{path}__isnull": True})) if op == "none" else any_q
    raise _problem(field, field.key, _("this field cannot be filtered."))


def _json_list_has(field: ClientField, value: str) -> Q:
    """Whether the client's custom list field contains `value`. PostgreSQL answers with
    jsonb containment; SQLite has no JSON containment, so a registered function checks."""
    key = field.custom.key if field.custom is not None else field.key
    if connection.vendor == "postgresql":
        return Q(**{f"{field.path}__contains": [value]})
    ensure_sqlite_functions()
    has = Func(F("custom"), Value(key), Value(value), function="relata_json_list_has", output_field=IntegerField())
    return Q(Exact(has, 1))


def _sqlite_json_list_has(document: str | None, key: str, value: str) -> int:
    try:
        items = json.loads(document or "{}").get(key) or []
    except (ValueError, AttributeError):
        return 0
    return int(isinstance(items, list) and value in items)


register_sqlite_function("relata_json_list_has", 3, _sqlite_json_list_has)


def parse_definition(raw: Any) -> dict[str, Any]:
    """A definition from JSON text or a dict, shape-checked (not yet against fields)."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError as exc:
            raise ValidationError({"conditions": [_("The filter is not valid JSON.")]}) from exc
    if not isinstance(raw, dict):
        raise ValidationError({"conditions": [_("The filter must be an object with “conditions”.")]})
    conditions = raw.get("conditions", [])
    if not isinstance(conditions, list) or len(conditions) > MAX_CONDITIONS:
        raise ValidationError({"conditions": [_("Up to %(n)d conditions are allowed.") % {"n": MAX_CONDITIONS}]})
    for condition in conditions:
        if not isinstance(condition, dict) or not isinstance(condition.get("field"), str):
            raise ValidationError({"conditions": [_("Every condition needs a field, a comparison and a value.")]})
    return {"conditions": conditions, "text": str(raw.get("text") or "")[:200]}


def definition_q(
    workspace_id: int, kind: str, definition: dict[str, Any], fields: dict[str, ClientField] | None = None
) -> Q:
    """The Q of a whole definition (without its `text`, which the search applies).
    `fields`: the workspace's `filter_fields`, when the caller has them already."""
    fields = fields if fields is not None else filter_fields(workspace_id, kind)
    q = Q()
    for condition in parse_definition(definition)["conditions"]:
        key = condition["field"]
        field = fields.get(key)
        if field is None:
            raise _problem(None, key, _("there is no such field."))
        q &= condition_q(field, str(condition.get("op", "")), condition.get("value"))
    return q


def apply_definition(
    queryset: QuerySet[Client],
    workspace_id: int,
    kind: str,
    definition: dict[str, Any],
    fields: dict[str, ClientField] | None = None,
) -> QuerySet[Client]:
    from relata.clients.selectors.search import search_filter

    definition = parse_definition(definition)
    queryset = queryset.filter(definition_q(workspace_id, kind, definition, fields))
    if definition["text"]:
        queryset = search_filter(queryset, definition["text"])
    return queryset
