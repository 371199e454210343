"""Turning what a user typed (a form, an API call, an import row) into clean client
values: one place that knows every field's rules, so the UI, the API and the import
refuse the same things with the same messages.

`ClientContext` caches the workspace's statuses, tags, custom fields and members, so
that preparing 100,000 import rows costs no queries per row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from relata.clients.models import (
    AddressKind,
    Attitude,
    ClientKind,
    ConsentChannel,
    CustomField,
    EmailKind,
    FamilyStatus,
    Gender,
    IncomeBracket,
    LifecycleStatus,
    MessengerKind,
    PhoneKind,
    Tag,
)
from relata.clients.normalize import (
    InvalidValue,
    normalize_email,
    normalize_phone,
    normalize_website,
    split_phone_extension,
    validate_inn,
    validate_kpp,
    validate_ogrn,
)
from relata.clients.services.custom_fields import clean_custom_values
from relata.core.models import Membership
from relata.core.models import normalize_email as normalize_login

COMMON_FIELDS = ["source", "note", "inn"]
COMPANY_FIELDS = ["legal_name", "kpp", "ogrn", "industry", "activity", "annual_revenue", "headcount", "website"]
PERSON_FIELDS = [
    "last_name",
    "first_name",
    "middle_name",
    "birthday",
    "gender",
    "occupation",
    "income_bracket",
    "family_status",
    "preferences",
    "attitude",
]
CHOICE_FIELDS: dict[str, Any] = {
    "gender": Gender,
    "income_bracket": IncomeBracket,
    "family_status": FamilyStatus,
    "attitude": Attitude,
}
MAX_LENGTHS = {
    "name": 255,
    "source": 100,
    "legal_name": 255,
    "industry": 100,
    "activity": 255,
    "website": 255,
    "last_name": 100,
    "first_name": 100,
    "middle_name": 100,
    "occupation": 150,
}

# Enum `.values` builds a new list on every access; an import checks it for every row.
_VALUES: dict[Any, frozenset[str]] = {
    enum: frozenset(enum.values)
    for enum in (PhoneKind, EmailKind, AddressKind, MessengerKind, ConsentChannel, ClientKind)
}


def scalar_fields(kind: str) -> list[str]:
    return COMMON_FIELDS + (COMPANY_FIELDS if kind == ClientKind.COMPANY else PERSON_FIELDS)


@dataclass
class ClientContext:
    """The workspace facts preparing a client needs, loaded once."""

    actor: Membership
    statuses: dict[int, LifecycleStatus] = field(default_factory=dict)
    statuses_by_name: dict[str, LifecycleStatus] = field(default_factory=dict)
    tags: dict[str, Tag] = field(default_factory=dict)
    custom: dict[str, list[CustomField]] = field(default_factory=dict)
    members: dict[int, Membership] = field(default_factory=dict)
    members_by_email: dict[str, int] = field(default_factory=dict)
    members_by_name: dict[str, int] = field(default_factory=dict)
    default_status_id: int | None = None

    @classmethod
    def load(cls, actor: Membership) -> ClientContext:
        ws = actor.workspace_id
        context = cls(actor=actor)
        for status in LifecycleStatus.objects.filter(workspace_id=ws):
            context.statuses[status.pk] = status
            if status.is_active:
                context.statuses_by_name[status.display_name.lower()] = status
                if status.key:
                    context.statuses_by_name[status.key] = status
        active = [s for s in context.statuses.values() if s.is_active]
        default = sorted(active, key=lambda s: (not s.is_default, s.position, s.pk))
        context.default_status_id = default[0].pk if default else None
        context.tags = {tag.name.lower(): tag for tag in Tag.objects.filter(workspace_id=ws)}
        for definition in CustomField.objects.filter(workspace_id=ws, is_active=True):
            context.custom.setdefault(definition.entity, []).append(definition)
        for member in Membership.objects.filter(workspace_id=ws).select_related("user"):
            context.members[member.user_id] = member
            context.members_by_email[member.user.email] = member.user_id
            context.members_by_name[member.user.full_name.lower()] = member.user_id
        return context

    @property
    def region(self) -> str:
        return self.actor.workspace.default_phone_region or "RU"

    def active_member_ids(self) -> set[int]:
        return {uid for uid, m in self.members.items() if m.is_active}


@dataclass
class PreparedClient:
    """Clean values of one client, ready to be written."""

    kind: str
    fields: dict[str, Any]  # scalar model fields, including name, status_id, owner_id, parent_id
    custom: dict[str, Any] | None = None  # the full custom object (None: keep as is)
    phones: list[dict[str, Any]] | None = None  # None: leave the client's phones alone
    emails: list[dict[str, Any]] | None = None
    addresses: list[dict[str, Any]] | None = None
    messengers: list[dict[str, Any]] | None = None
    consents: list[dict[str, Any]] | None = None
    tag_names: list[str] | None = None
    companies: list[dict[str, Any]] | None = None  # a person's employments


class Problems:
    """Collects errors per field, so one call reports every problem at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def check(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _decimal(value: Any) -> Decimal | None:
    text = _text(value).replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": value}) from exc
    if not number.is_finite():
        raise ValueError(_("“%(value)s” is not a number.") % {"value": value})
    return number


def parse_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y%m%d", "%d.%m.%y"):
        try:
            return dt.datetime.strptime(text[:10], fmt).date()  # noqa: DTZ007  (a calendar date)
        except ValueError:
            continue
    raise ValueError(_("“%(value)s” is not a date (e.g. 31.12.1985 or 1985-12-31).") % {"value": value})


def _choice(enum: Any, value: Any) -> str:
    text = _text(value)
    if not text:
        return ""
    lowered = text.lower()
    for code, label in enum.choices:
        if lowered in (code, str(label).lower()):
            return str(code)
    raise ValueError(
        _("“%(value)s” is not one of: %(choices)s.")
        % {"value": value, "choices": ", ".join(str(label) for _c, label in enum.choices)}
    )


def _scalar(name: str, value: Any, kind: str) -> Any:
    """One scalar profile field, cleaned; ValueError (or InvalidValue) with the reason."""
    if name in CHOICE_FIELDS:
        return _choice(CHOICE_FIELDS[name], value)
    if name == "inn":
        text = _text(value)
        if not text:
            return ""
        inn = validate_inn(text)
        if kind == ClientKind.PERSON and len(inn) != 12:
            raise ValueError(_("A person's INN has 12 digits."))
        return inn
    if name == "kpp":
        return validate_kpp(_text(value)) if _text(value) else ""
    if name == "ogrn":
        return validate_ogrn(_text(value)) if _text(value) else ""
    if name == "website":
        return normalize_website(_text(value)) if _text(value) else ""
    if name == "annual_revenue":
        number = _decimal(value)
        if number is not None and (number < 0 or number >= Decimal("1e16")):
            raise ValueError(_("Enter an amount from 0 to 9,999,999,999,999,999."))
        return number.quantize(Decimal("0.01")) if number is not None else None
    if name == "headcount":
        number = _decimal(value)
        if number is None:
            return None
        if number < 0 or number != number.to_integral_value() or number > 10_000_000:
            raise ValueError(_("Enter a whole number of people."))
        return int(number)
    if name == "birthday":
        day = parse_date(value)
        if day is not None and (day.year < 1900 or day > timezone.localdate()):
            raise ValueError(_("The birthday must be between 1900 and today."))
        return day
    text = _text(value)
    limit = MAX_LENGTHS.get(name)
    if limit and len(text) > limit:
        raise ValueError(_("At most %(n)d characters.") % {"n": limit})
    return text


def split_list(value: Any) -> list[str]:
    """A cell or field that may hold several phones or e-mails ("a; b", lines, or a list)."""
    if isinstance(value, list | tuple):
        return [_text(v) for v in value if _text(v)]
    text = _text(value)
    if not text:
        return []
    parts = re.split(r"[;\n]+", text)
    result: list[str] = []
    for part in parts:
        # Commas separate e-mails, and phones written one after another.
        if "@" in part or re.search(r"\d{5,}.*,.*\d{5,}", part):
            result.extend(p.strip() for p in part.split(",") if p.strip())
        else:
            result.append(part.strip())
    return [r for r in result if r]


def _phones(raw: list[Any], region: str, problems: Problems) -> list[dict[str, Any]]:
    phones: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        entry = item if isinstance(item, dict) else {"number": item}
        typed = _text(entry.get("number"))
        if not typed:
            continue
        number_part, extension = split_phone_extension(typed)
        try:
            number = normalize_phone(number_part, region)
        except InvalidValue as exc:
            problems.add(f"phones.{index}", str(exc))
            continue
        if number in seen:
            continue
        seen.add(number)
        kind = _text(entry.get("kind")) or PhoneKind.WORK
        if kind not in _VALUES[PhoneKind]:
            problems.add(f"phones.{index}", _("Unknown kind of phone “%(kind)s”.") % {"kind": kind})
            continue
        phones.append(
            {
                "number": number,
                "extension": _text(entry.get("extension")) or extension,
                "kind": kind,
                "is_primary": bool(entry.get("is_primary")),
            }
        )
    _one_primary(phones)
    return phones


def _emails(raw: list[Any], problems: Problems) -> list[dict[str, Any]]:
    emails: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        entry = item if isinstance(item, dict) else {"email": item}
        typed = _text(entry.get("email"))
        if not typed:
            continue
        try:
            email = normalize_email(typed)
        except InvalidValue as exc:
            problems.add(f"emails.{index}", str(exc))
            continue
        if email in seen:
            continue
        seen.add(email)
        kind = _text(entry.get("kind")) or EmailKind.WORK
        if kind not in _VALUES[EmailKind]:
            problems.add(f"emails.{index}", _("Unknown kind of e-mail “%(kind)s”.") % {"kind": kind})
            continue
        emails.append({"email": email, "kind": kind, "is_primary": bool(entry.get("is_primary"))})
    _one_primary(emails)
    return emails


def _addresses(raw: list[Any], problems: Problems) -> list[dict[str, Any]]:
    addresses = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            item = {"street": item}
        entry = {
            "kind": _text(item.get("kind")) or AddressKind.ACTUAL,
            "country": (_text(item.get("country")) or "RU").upper(),
            "region": _text(item.get("region")),
            "city": _text(item.get("city")),
            "street": _text(item.get("street")),
            "postcode": _text(item.get("postcode")),
            "is_primary": bool(item.get("is_primary")),
        }
        if not any(entry[k] for k in ("region", "city", "street", "postcode")):
            continue
        if entry["kind"] not in _VALUES[AddressKind]:
            problems.add(f"addresses.{index}", _("Unknown kind of address “%(kind)s”.") % {"kind": entry["kind"]})
            continue
        if not re.fullmatch(r"[A-Z]{2}", str(entry["country"])):
            problems.add(f"addresses.{index}", _("The country is a two-letter code such as RU."))
            continue
        too_long = [
            k for k, n in (("region", 100), ("city", 100), ("street", 255), ("postcode", 12)) if len(str(entry[k])) > n
        ]
        if too_long:
            problems.add(f"addresses.{index}", _("The address is too long."))
            continue
        addresses.append(entry)
    _one_primary(addresses)
    return addresses


def _messengers(raw: list[Any], problems: Problems) -> list[dict[str, Any]]:
    messengers = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            continue
        kind, handle = _text(item.get("kind")), _text(item.get("handle"))
        if not handle:
            continue
        if kind not in _VALUES[MessengerKind]:
            problems.add(f"messengers.{index}", _("Unknown messenger “%(kind)s”.") % {"kind": kind})
            continue
        messengers.append({"kind": kind, "handle": handle[:100]})
    return messengers


def _consents(raw: list[Any], problems: Problems) -> list[dict[str, Any]]:
    consents = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            continue
        channel = _text(item.get("channel"))
        if channel not in _VALUES[ConsentChannel]:
            problems.add(f"consents.{index}", _("Unknown channel “%(channel)s”.") % {"channel": channel})
            continue
        consents.append(
            {"channel": channel, "granted": bool(item.get("granted")), "source": _text(item.get("source"))[:150]}
        )
    return consents


def _one_primary(items: list[dict[str, Any]]) -> None:
    """Exactly one primary item: the first marked one, else the first."""
    first = next((i for i, item in enumerate(items) if item["is_primary"]), 0)
    for i, item in enumerate(items):
        item["is_primary"] = i == first


def member_id(context: ClientContext, value: Any, *, active_only: bool = True) -> int:
    """A colleague by id, e-mail or full name; ValueError if none matches."""
    if isinstance(value, int) or _text(value).isdigit():
        user_id = int(value)
    else:
        text = _text(value)
        user_id = context.members_by_email.get(normalize_login(text)) or context.members_by_name.get(text.lower(), 0)
    member = context.members.get(user_id)
    if member is None or (active_only and not member.is_active):
        raise ValueError(_("“%(value)s” is not an active colleague of this workspace.") % {"value": value})
    return user_id


def status_id(context: ClientContext, value: Any) -> int:
    if isinstance(value, int) or _text(value).isdigit():
        status = context.statuses.get(int(value))
        if status is not None and status.is_active:
            return status.pk
    else:
        status = context.statuses_by_name.get(_text(value).lower())
        if status is not None:
            return status.pk
    raise ValueError(_("“%(value)s” is not a lifecycle status in use.") % {"value": value})


def person_name(fields: dict[str, Any]) -> str:
    return " ".join(p for p in (fields.get("last_name"), fields.get("first_name"), fields.get("middle_name")) if p)


def prepare_client(
    context: ClientContext, kind: str, values: dict[str, Any], *, existing: dict[str, Any] | None = None
) -> PreparedClient:
    """Clean `values` for a new client (existing None) or changes to one (only the keys
    present are changed). Raises ValidationError naming every bad field."""
    if kind not in _VALUES[ClientKind]:
        raise ValidationError({"kind": [_("Choose a company or a person.")]})
    problems = Problems()
    creating = existing is None
    fields: dict[str, Any] = {}
    for key in scalar_fields(kind):
        if key in values:
            try:
                fields[key] = _scalar(key, values[key], kind)
            except (ValueError, InvalidValue) as exc:
                problems.add(key, str(exc))
    name: str | None = _text(values.get("name")) if "name" in values else None
    if kind == ClientKind.PERSON and not name and (creating or any(k in values for k in PERSON_FIELDS[:3])):
        merged = {**(existing or {}), **fields}
        name = person_name(merged)
    if kind == ClientKind.COMPANY and not name and creating:
        name = fields.get("legal_name", "")
    if name is not None:
        if not name:
            problems.add("name", _("Enter the name.") if kind == ClientKind.COMPANY else _("Enter the person's name."))
        elif len(name) > MAX_LENGTHS["name"]:
            problems.add("name", _("At most %(n)d characters.") % {"n": MAX_LENGTHS["name"]})
        else:
            fields["name"] = name
    if "status" in values and _text(values["status"]):
        try:
            fields["status_id"] = status_id(context, values["status"])
        except ValueError as exc:
            problems.add("status", str(exc))
    elif creating:
        if context.default_status_id is None:
            problems.add("status", _("The workspace has no lifecycle status in use."))
        fields["status_id"] = context.default_status_id
    if "owner" in values and _text(values["owner"]):
        try:
            fields["owner_id"] = member_id(context, values["owner"])
        except ValueError as exc:
            problems.add("owner", str(exc))
    if kind == ClientKind.COMPANY and "parent" in values:
        parent = values["parent"]
        if parent in (None, ""):
            fields["parent_id"] = None
        else:
            try:
                fields["parent_id"] = int(parent)
            except (TypeError, ValueError):
                problems.add("parent", _("Choose a company."))
    prepared = PreparedClient(kind=kind, fields=fields)
    if "custom" in values:
        raw_custom = values["custom"] or {}
        if not isinstance(raw_custom, dict):
            problems.add("custom", _("Custom fields are an object of key: value."))
        else:
            try:
                prepared.custom = clean_custom_values(
                    context.custom.get(kind, []),
                    raw_custom,
                    current=(existing or {}).get("custom"),
                    member_ids=context.active_member_ids(),
                    creating=creating,
                )
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    for message in messages:
                        problems.add(key, message)
    elif creating and any(d.required for d in context.custom.get(kind, [])):
        try:
            prepared.custom = clean_custom_values(context.custom.get(kind, []), {}, creating=True)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                for message in messages:
                    problems.add(key, message)
    if "phones" in values:
        prepared.phones = _phones(
            split_list(values["phones"]) if not isinstance(values["phones"], list) else values["phones"],
            context.region,
            problems,
        )
    if "emails" in values:
        prepared.emails = _emails(
            split_list(values["emails"]) if not isinstance(values["emails"], list) else values["emails"], problems
        )
    if "addresses" in values:
        prepared.addresses = _addresses(values["addresses"] or [], problems)
    if "messengers" in values:
        prepared.messengers = _messengers(values["messengers"] or [], problems)
    if "consents" in values:
        prepared.consents = _consents(values["consents"] or [], problems)
    if "tags" in values:
        tags = values["tags"]
        names = tags if isinstance(tags, list) else re.split(r"[,;]", _text(tags))
        cleaned = list(dict.fromkeys(_text(t)[:50] for t in names if _text(t)))
        prepared.tag_names = cleaned
    if kind == ClientKind.PERSON and "companies" in values:
        companies = []
        for index, item in enumerate(values["companies"] or []):
            if not isinstance(item, dict):
                continue
            try:
                company_id = int(item.get("company") or item.get("company_id") or "")
            except (TypeError, ValueError):
                problems.add(f"companies.{index}", _("Choose a company."))
                continue
            companies.append(
                {
                    "company_id": company_id,
                    "job_title": _text(item.get("job_title"))[:150],
                    "department": _text(item.get("department"))[:150],
                    "is_primary": bool(item.get("is_primary")),
                }
            )
        prepared.companies = companies
    problems.check()
    return prepared
