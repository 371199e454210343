from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from relata.clients.models import Client, ClientKind
from relata.clients.normalize import format_phone


class Ref(Schema):
    id: int
    name: str


class PhoneIO(Schema):
    number: str = Field(..., description="Any format; stored as E.164 (+79161234567).")
    extension: str = ""
    kind: str = "work"
    is_primary: bool = False


class PhoneOut(PhoneIO):
    formatted: str

    @staticmethod
    def resolve_formatted(phone: Any) -> str:
        number = phone["number"] if isinstance(phone, dict) else phone.number
        return format_phone(number)


class EmailIO(Schema):
    email: str
    kind: str = "work"
    is_primary: bool = False


class AddressIO(Schema):
    kind: str = "actual"
    country: str = "RU"
    region: str = ""
    city: str = ""
    street: str = ""
    postcode: str = ""
    is_primary: bool = False


class MessengerIO(Schema):
    kind: str
    handle: str


class ConsentIO(Schema):
    channel: str
    granted: bool
    source: str = ""


class ConsentOut(ConsentIO):
    changed_at: dt.datetime


class EmploymentIO(Schema):
    company_id: int
    job_title: str = ""
    department: str = ""
    is_primary: bool = False


class EmploymentOut(Schema):
    company: Ref
    job_title: str
    department: str
    is_primary: bool


class StaffOut(Schema):
    person: Ref
    job_title: str
    department: str
    is_primary: bool


class ClientIn(Schema):
    """Fields to set. On PATCH only the fields sent change; lists (phones, e-mails,
    addresses, messengers, tags, companies) are replaced as a whole when sent."""

    name: str | None = None
    status_id: int | None = None
    owner_id: int | None = None
    source: str | None = None
    note: str | None = None
    inn: str | None = None
    tags: list[str] | None = None
    custom: dict[str, Any] | None = Field(None, description="Custom fields by key.")
    phones: list[PhoneIO] | None = None
    emails: list[EmailIO] | None = None
    addresses: list[AddressIO] | None = None
    messengers: list[MessengerIO] | None = None
    consents: list[ConsentIO] | None = None


class CompanyIn(ClientIn):
    legal_name: str | None = None
    kpp: str | None = None
    ogrn: str | None = None
    industry: str | None = None
    activity: str | None = None
    annual_revenue: Decimal | None = None
    headcount: int | None = None
    website: str | None = None
    parent_id: int | None = None


class PersonIn(ClientIn):
    last_name: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    birthday: dt.date | None = None
    gender: str | None = None
    occupation: str | None = None
    income_bracket: str | None = None
    family_status: str | None = None
    preferences: str | None = None
    attitude: str | None = None
    companies: list[EmploymentIO] | None = None


class CompanyPatch(CompanyIn):
    version: int = Field(..., ge=1, description="The version you read; a stale one gives 409.")


class PersonPatch(PersonIn):
    version: int = Field(..., ge=1, description="The version you read; a stale one gives 409.")


def to_values(payload: Schema) -> dict[str, Any]:
    """The service's `values` from a payload: only the fields the client sent."""
    data = payload.dict(exclude_unset=True)
    data.pop("version", None)
    renames = {"status_id": "status", "owner_id": "owner", "parent_id": "parent"}
    values = {renames.get(k, k): v for k, v in data.items()}
    if "companies" in values and values["companies"] is not None:
        values["companies"] = [{"company": c["company_id"], **c} for c in values["companies"]]
    return {
        k: ([] if v is None and k in ("phones", "emails", "addresses", "messengers", "tags") else v)
        for k, v in values.items()
    }


class ClientListOut(Schema):
    id: int
    kind: str
    name: str
    status: Ref
    owner: Ref
    primary_phone: str
    primary_email: str
    city: str
    inn: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_status(client: Client) -> dict[str, Any]:
        return {"id": client.status_id, "name": client.status.display_name}

    @staticmethod
    def resolve_owner(client: Client) -> dict[str, Any]:
        return {"id": client.owner_id, "name": client.owner.full_name}


class ClientOut(ClientListOut):
    source: str
    note: str
    region: str
    tags: list[str]
    custom: dict[str, Any]
    phones: list[PhoneOut]
    emails: list[EmailIO]
    addresses: list[AddressIO]
    messengers: list[MessengerIO]
    consents: list[ConsentOut]

    @staticmethod
    def resolve_tags(client: Client) -> list[str]:
        return sorted(tag.name for tag in client.tags.all())

    @staticmethod
    def resolve_phones(client: Client) -> list[Any]:
        return list(client.phones.all())

    @staticmethod
    def resolve_emails(client: Client) -> list[Any]:
        return list(client.emails.all())

    @staticmethod
    def resolve_addresses(client: Client) -> list[Any]:
        return list(client.addresses.all())

    @staticmethod
    def resolve_messengers(client: Client) -> list[Any]:
        return list(client.messengers.all())

    @staticmethod
    def resolve_consents(client: Client) -> list[Any]:
        return list(client.consents.all())


class CompanyOut(ClientOut):
    legal_name: str
    kpp: str
    ogrn: str
    industry: str
    activity: str
    annual_revenue: Decimal | None
    headcount: int | None
    website: str
    parent: Ref | None
    staff: list[StaffOut] = Field(
        default_factory=list, alias="visible_staff", description="Contact persons you can see."
    )

    @staticmethod
    def resolve_parent(client: Client) -> dict[str, Any] | None:
        return {"id": client.parent_id, "name": client.parent.name} if client.parent_id else None


class PersonOut(ClientOut):
    last_name: str
    first_name: str
    middle_name: str
    birthday: dt.date | None
    gender: str
    occupation: str
    income_bracket: str
    family_status: str
    preferences: str
    attitude: str
    companies: list[EmploymentOut] = Field(
        default_factory=list, alias="visible_companies", description="Companies you can see."
    )


class ClientFilter(Schema):
    q: str | None = Field(None, max_length=200, description="Fragment of name, phone, e-mail or tax id.")
    status_id: int | None = None
    owner_id: int | None = None
    tag: str | None = None
    city: str | None = None
    segment_id: int | None = None
    filter: str | None = Field(
        None, description='A filter definition as JSON: {"conditions": [{"field", "op", "value"}]}.'
    )
    sort: str = Field("name", description="A field key, '-' in front for descending.")


KIND_SCHEMAS = {
    ClientKind.COMPANY: (CompanyIn, CompanyPatch, CompanyOut),
    ClientKind.PERSON: (PersonIn, PersonPatch, PersonOut),
}
