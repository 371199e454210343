"""The catalogue of client fields: one description per field, used by list columns,
filters and segments, sorting, export and import mapping alike, so a field added here
(or a custom field defined by an administrator) is usable everywhere at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from relata.clients.models import (
    Attitude,
    Client,
    ClientKind,
    CustomField,
    CustomFieldType,
    FamilyStatus,
    Gender,
    IncomeBracket,
)
from relata.core.models import Workspace

BOTH = (ClientKind.COMPANY.value, ClientKind.PERSON.value)
COMPANY = (ClientKind.COMPANY.value,)
PERSON = (ClientKind.PERSON.value,)

# Field types and the filter operators each accepts.
# RELATED: a condition on the client's records in another app ("has an open deal in
# stage X"), registered by that app; usable in filters and segments, not as a column.
TEXT, NUMBER, MONEY, DATE, DATETIME, CHOICE, MULTI, BOOLEAN, USER, STATUS, TAGS, PHONE, EMAIL, CLIENT, RELATED = (
    "text",
    "number",
    "money",
    "date",
    "datetime",
    "choice",
    "multichoice",
    "boolean",
    "user",
    "status",
    "tags",
    "phone",
    "email",
    "client",
    "related",
)
OPERATORS: dict[str, tuple[str, ...]] = {
    TEXT: ("contains", "eq", "startswith", "empty", "not_empty"),
    PHONE: ("contains", "empty", "not_empty"),
    EMAIL: ("contains", "eq", "empty", "not_empty"),
    NUMBER: ("eq", "gt", "gte", "lt", "lte", "between", "empty", "not_empty"),
    MONEY: ("eq", "gt", "gte", "lt", "lte", "between", "empty", "not_empty"),
    DATE: ("eq", "before", "after", "between", "last_days", "empty", "not_empty"),
    DATETIME: ("before", "after", "between", "last_days"),
    CHOICE: ("in", "not_in", "empty", "not_empty"),
    STATUS: ("in", "not_in"),
    USER: ("in", "not_in", "empty", "not_empty"),
    CLIENT: ("in", "empty", "not_empty"),
    MULTI: ("any", "all", "none", "empty", "not_empty"),
    TAGS: ("any", "all", "none", "empty", "not_empty"),
    BOOLEAN: ("is",),
    RELATED: ("any", "none"),
}
OPERATOR_LABELS: dict[str, Promise] = {
    "contains": _("contains"),
    "eq": _("is"),
    "startswith": _("starts with"),
    "empty": _("is empty"),
    "not_empty": _("is filled in"),
    "gt": _("greater than"),
    "gte": _("at least"),
    "lt": _("less than"),
    "lte": _("at most"),
    "between": _("between"),
    "before": _("before"),
    "after": _("after"),
    "last_days": _("in the last N days"),
    "in": _("is one of"),
    "not_in": _("is none of"),
    "any": _("has any of"),
    "all": _("has all of"),
    "none": _("has none of"),
    "is": _("is"),
}


@dataclass(frozen=True)
class ClientField:
    key: str
    label: str | Promise
    type: str
    kinds: tuple[str, ...] = BOTH
    lookup: str = ""  # ORM path for filters and sorting; "" means the key
    sortable: bool = True
    importable: bool = True
    choices: tuple[tuple[Any, Any], ...] = ()
    value: Callable[[Client], Any] | None = field(default=None, compare=False)
    custom: CustomField | None = field(default=None, compare=False)
    # RELATED fields: the Q of "the client has such a record" for the chosen ids.
    condition: Callable[[list[int]], Q] | None = field(default=None, compare=False)

    @property
    def path(self) -> str:
        return self.lookup or self.key

    @property
    def operators(self) -> tuple[str, ...]:
        return OPERATORS[self.type]

    def display(self, client: Client) -> Any:
        if self.value is not None:
            return self.value(client)
        if self.custom is not None:
            return (client.custom or {}).get(self.custom.key)
        raw = getattr(client, self.key, None)
        if self.choices and raw:
            return dict(self.choices).get(raw, raw)
        return raw


def _tags(client: Client) -> str:
    return ", ".join(tag.name for tag in client.tags.all())


def _owner(client: Client) -> str:
    return client.owner.full_name if client.owner_id else ""


def _status(client: Client) -> str:
    return client.status.display_name if client.status_id else ""


def _parent(client: Client) -> str:
    return client.parent.name if client.parent is not None else ""


BUILTIN_FIELDS: list[ClientField] = [
    ClientField("name", _("Name"), TEXT),
    ClientField("status", _("Status"), STATUS, lookup="status_id", value=_status, importable=True),
    ClientField("owner", _("Owner"), USER, lookup="owner_id", value=_owner),
    ClientField("tags", _("Tags"), TAGS, sortable=False, value=_tags),
    ClientField("source", _("Source"), TEXT),
    ClientField("primary_phone", _("Phone"), PHONE, lookup="primary_phone"),
    ClientField("primary_email", _("E-mail"), EMAIL, lookup="primary_email"),
    ClientField("city", _("City"), TEXT),
    ClientField("region", _("Region"), TEXT),
    ClientField("legal_name", _("Legal name"), TEXT, kinds=COMPANY),
    ClientField("inn", _("INN"), TEXT, kinds=BOTH),
    ClientField("kpp", _("KPP"), TEXT, kinds=COMPANY),
    ClientField("ogrn", _("OGRN"), TEXT, kinds=COMPANY),
    ClientField("industry", _("Industry"), TEXT, kinds=COMPANY),
    ClientField("activity", _("Kind of activity"), TEXT, kinds=COMPANY),
    ClientField("annual_revenue", _("Annual revenue"), MONEY, kinds=COMPANY),
    ClientField("headcount", _("Headcount"), NUMBER, kinds=COMPANY),
    ClientField("website", _("Website"), TEXT, kinds=COMPANY),
    ClientField("parent", _("Parent company"), CLIENT, kinds=COMPANY, lookup="parent_id", value=_parent),
    ClientField("last_name", _("Last name"), TEXT, kinds=PERSON),
    ClientField("first_name", _("First name"), TEXT, kinds=PERSON),
    ClientField("middle_name", _("Middle name"), TEXT, kinds=PERSON),
    ClientField("birthday", _("Birthday"), DATE, kinds=PERSON),
    ClientField("gender", _("Gender"), CHOICE, kinds=PERSON, choices=tuple(Gender.choices)),
    ClientField("occupation", _("Occupation"), TEXT, kinds=PERSON),
    ClientField("income_bracket", _("Income"), CHOICE, kinds=PERSON, choices=tuple(IncomeBracket.choices)),
    ClientField("family_status", _("Family status"), CHOICE, kinds=PERSON, choices=tuple(FamilyStatus.choices)),
    ClientField("attitude", _("Attitude to the company"), CHOICE, kinds=PERSON, choices=tuple(Attitude.choices)),
    ClientField("note", _("Note"), TEXT, sortable=False),
    ClientField("created_at", _("Created"), DATETIME, importable=False),
    ClientField("updated_at", _("Changed"), DATETIME, importable=False),
]

CUSTOM_TYPES = {
    CustomFieldType.TEXT: TEXT,
    CustomFieldType.NUMBER: NUMBER,
    CustomFieldType.MONEY: MONEY,
    CustomFieldType.DATE: DATE,
    CustomFieldType.CHOICE: CHOICE,
    CustomFieldType.MULTI_CHOICE: MULTI,
    CustomFieldType.BOOLEAN: BOOLEAN,
    CustomFieldType.USER: USER,
}

DEFAULT_COLUMNS = {
    ClientKind.COMPANY.value: ["name", "inn", "status", "city", "primary_phone", "owner"],
    ClientKind.PERSON.value: ["name", "primary_phone", "primary_email", "status", "city", "owner"],
}


def custom_field_entry(definition: CustomField) -> ClientField:
    return ClientField(
        key=f"custom.{definition.key}",
        label=definition.label,
        type=CUSTOM_TYPES[CustomFieldType(definition.field_type)],
        kinds=(definition.entity,),
        lookup=f"custom__{definition.key}",
        sortable=definition.field_type not in (CustomFieldType.MULTI_CHOICE,),
        choices=tuple((c, c) for c in definition.choices),
        custom=definition,
    )


def custom_fields_of(workspace: Workspace | int, kind: str) -> list[CustomField]:
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    return list(CustomField.objects.filter(workspace_id=workspace_id, entity=kind, is_active=True))


def client_fields(workspace: Workspace | int, kind: str) -> dict[str, ClientField]:
    """Every field of `kind` clients in the workspace, built-in then custom, by key."""
    fields = {f.key: f for f in BUILTIN_FIELDS if kind in f.kinds}
    for definition in custom_fields_of(workspace, kind):
        entry = custom_field_entry(definition)
        fields[entry.key] = entry
    return fields


# Other apps' conditions on a client's related records: provider(workspace_id, kind).
FilterProvider = Callable[[int, str], list[ClientField]]
_FILTER_PROVIDERS: list[FilterProvider] = []


def register_client_filters(provider: FilterProvider) -> None:
    if provider not in _FILTER_PROVIDERS:
        _FILTER_PROVIDERS.append(provider)


def filter_fields(
    workspace: Workspace | int, kind: str, base: dict[str, ClientField] | None = None
) -> dict[str, ClientField]:
    """What a filter or a segment may test: the client's fields (`base`, when the caller
    has read them already), then the conditions other apps register on the client's
    records (those are not columns)."""
    fields = dict(base) if base is not None else client_fields(workspace, kind)
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    for provider in _FILTER_PROVIDERS:
        for entry in provider(workspace_id, kind):
            fields[entry.key] = entry
    return fields
