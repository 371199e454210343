"""Leads: create (by hand, through the API, by import, from a web form), change,
qualify into a client and a deal, reject with a reason, delete.

Every lead's phone, e-mail and INN are normalised by the client base's rules, so that a
lead from a known client (same phone, e-mail or INN, typed in any format) is linked to
it on arrival, and qualification reuses that client instead of creating a duplicate.
Changes take the lead's `version` (optimistic locking): a stale one is refused.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relata.clients.models import Client, ClientKind
from relata.clients.normalize import InvalidValue, normalize_email, normalize_phone, validate_inn
from relata.clients.services.clients import client_create
from relata.core.access import get_visible, require
from relata.core.audit import diff, record_event, snapshot
from relata.core.concurrency import StaleVersion, save_versioned
from relata.core.errors import invalid
from relata.core.inputs import active_member
from relata.core.models import Membership
from relata.sales.models import Deal, Lead, LeadSource, LeadStatus
from relata.sales.models.leads import UTM_FIELDS
from relata.sales.selectors.deals import pipelines_in_use
from relata.sales.selectors.leads import client_visible, known_client, known_clients
from relata.sales.services.deals import deal_create

# The fields a user edits on the lead form and the API, with their length limits.
TEXT_LIMITS = {
    "contact_name": 200,
    "company_name": 255,
    "message": 10_000,
    "channel": 100,
    "campaign": 150,
    **dict.fromkeys(UTM_FIELDS, 200),
}
CONTACT_FIELDS = ["phone", "email", "inn"]
FIELDS = [*TEXT_LIMITS, *CONTACT_FIELDS, "source"]
EVENT_FIELDS = [*FIELDS, "status", "owner", "client"]
OPEN_STATUSES = [LeadStatus.NEW, LeadStatus.IN_WORK]
MAX_REASON = 300


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def clean_lead(values: dict[str, Any], *, region: str, creating: bool) -> dict[str, Any]:
    """Clean lead fields from a form, a payload, an import row or a web form: the keys
    given (all of them when creating). Raises ValidationError naming every bad field."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}

    def given(name: str) -> bool:
        return creating or name in values

    for name, limit in TEXT_LIMITS.items():
        if given(name):
            text = _text(values.get(name))
            if len(text) > limit:
                errors.setdefault(name, []).append(_("At most %(limit)d characters.") % {"limit": limit})
            cleaned[name] = text
    checks = {
        "phone": lambda raw: normalize_phone(raw, region or "RU"),
        "email": normalize_email,
        "inn": validate_inn,
    }
    for name, check in checks.items():
        if given(name):
            raw = _text(values.get(name))
            try:
                cleaned[name] = check(raw) if raw else ""
            except InvalidValue as exc:
                errors.setdefault(name, []).append(str(exc))
    if given("source"):
        source = _text(values.get("source")) or LeadSource.MANUAL
        if source not in LeadSource.values:
            errors.setdefault("source", []).append(_("Choose a source from the list."))
        cleaned["source"] = source
    if creating and not errors and not (cleaned.get("phone") or cleaned.get("email")):
        message = _("Enter a phone or an e-mail to reach the contact.")
        errors["phone"] = [message]
        errors["email"] = [message]
    if errors:
        raise ValidationError({name: [ValidationError(m) for m in messages] for name, messages in errors.items()})
    return cleaned


def _event(actor: Membership, kind: str, lead: Lead, changes: dict[str, Any], **data: Any) -> None:
    record_event(kind=kind, workspace=actor.workspace, actor=actor.user, target=lead, changes=changes, data=data)


def _owner(actor: Membership, value: Any, current: int | None) -> int:
    """The owner named by `value` (a colleague with access to sales); someone other than
    the actor or the current owner needs `sales.assign`."""
    if value in (None, ""):
        return current if current is not None else actor.user_id
    member = actor if str(value) == str(actor.user_id) else active_member(actor, value, "owner")
    if member.user_id not in (actor.user_id, current):
        require(actor, "sales", "assign")
    if not member.can("sales", "view"):
        raise invalid("owner", _("%(name)s has no access to sales.") % {"name": member.user.full_name})
    return member.user_id


@transaction.atomic
def lead_create(actor: Membership, *, values: dict[str, Any]) -> Lead:
    """A new lead owned by the actor (or the colleague `values["owner"]` names, with
    `sales.assign`), linked to the known client with the same INN, e-mail or phone."""
    require(actor, "sales", "create")
    cleaned = clean_lead(values, region=actor.workspace.default_phone_region, creating=True)
    lead = Lead(workspace_id=actor.workspace_id, created_by_id=actor.user_id, **cleaned)
    lead.owner_id = _owner(actor, values.get("owner"), None)
    lead.client = known_client(actor.workspace_id, phone=lead.phone, email=lead.email, inn=lead.inn)
    lead.save()
    _event(actor, "lead.created", lead, diff({}, {k: v for k, v in snapshot(lead, EVENT_FIELDS).items() if v}))
    return lead


def _writable(actor: Membership, lead_id: Any, *, lock: bool = False) -> Lead:
    lead = get_visible(actor, Lead, lead_id, for_write=True)
    if lock:
        # Two people qualifying one lead at once: the second waits, then sees a new version.
        lead = Lead.objects.select_for_update(of=("self",)).select_related("client", "web_form").get(pk=lead.pk)
    return lead


def _check_open(lead: Lead) -> None:
    if not lead.is_open:
        raise invalid("status", _("The lead is already qualified or rejected."))


def _check_version(lead: Lead, version: int) -> None:
    if lead.version != version:
        current = snapshot(lead, ["status", *FIELDS])
        raise StaleVersion(lead, current, current, lead.version)


@transaction.atomic
def lead_update(actor: Membership, lead_id: Any, *, version: int, values: dict[str, Any]) -> Lead:
    """Change the keys given of an open lead; `status` may move between new and in work.
    A changed phone, e-mail or INN looks for the known client again."""
    lead = _writable(actor, lead_id)
    _check_open(lead)
    before = snapshot(lead, EVENT_FIELDS)
    cleaned = clean_lead(values, region=actor.workspace.default_phone_region, creating=False)
    for name, value in cleaned.items():
        setattr(lead, name, value)
    if not (lead.phone or lead.email):
        message = _("Enter a phone or an e-mail to reach the contact.")
        raise ValidationError({"phone": [message], "email": [message]})
    if "status" in values:
        status = _text(values["status"])
        if status not in OPEN_STATUSES:
            raise invalid("status", _("Choose new or in work; qualify or reject the lead with their own actions."))
        lead.status = status
    if "owner" in values:
        lead.owner_id = _owner(actor, values["owner"], lead.owner_id)
    if any(name in cleaned and cleaned[name] != before[name] for name in CONTACT_FIELDS):
        lead.client = known_client(actor.workspace_id, phone=lead.phone, email=lead.email, inn=lead.inn)
    save_versioned(lead, expected_version=version, fields=[*FIELDS, "status", "owner", "client"])
    changes = diff(before, snapshot(lead, EVENT_FIELDS))
    if changes:
        _event(actor, "lead.changed", lead, changes)
    return lead


# --- Qualification ------------------------------------------------------------------------


def _reuse(actor: Membership, candidates: list[Client]) -> Client | None:
    """The known client to reuse; one the actor may not see is not duplicated either:
    the qualification is refused."""
    if not candidates:
        return None
    client = candidates[0]
    if not client_visible(actor, client):
        raise invalid(
            "client",
            _(
                "This lead belongs to a client you cannot see. Ask the client's owner or the head of sales "
                "to qualify it, so that no duplicate is created."
            ),
        )
    return client


def _client_owner(actor: Membership, lead: Lead) -> int:
    """New clients go to the lead's owner when the actor may give them away, else to the
    actor (explicitly: the assignment rules already chose the lead's owner)."""
    if lead.owner_id == actor.user_id or actor.can("clients", "assign"):
        return lead.owner_id
    return actor.user_id


def _source_label(lead: Lead) -> str:
    label = str(LeadSource(lead.source).label)
    if lead.web_form_id and lead.web_form is not None:
        label = f"{label}: {lead.web_form.name}"
    return label[:100]


def _clients_for(actor: Membership, lead: Lead) -> tuple[Client | None, Client | None, list[int]]:
    """The company and the contact person of a lead being qualified, reused when known,
    created otherwise (returns the ids of the clients created)."""
    ws = actor.workspace_id
    wants_company = bool(lead.company_name or len(lead.inn) == 10)
    wants_person = bool(lead.contact_name)
    if not (wants_company or wants_person):
        raise invalid("contact_name", _("Enter the contact's or the company's name before qualifying the lead."))
    linked = [lead.client] if lead.client is not None else []
    created: list[int] = []
    owner = _client_owner(actor, lead)
    source = _source_label(lead)
    company: Client | None = None
    person: Client | None = None
    if wants_company:
        contacts: dict[str, str] = {"phone": lead.phone, "email": lead.email} if not wants_person else {}
        candidates = [c for c in linked if c.kind == ClientKind.COMPANY] + known_clients(
            ws, inn=lead.inn, company_name=lead.company_name, kind=ClientKind.COMPANY, **contacts
        )
        if wants_person and not candidates:
            candidates = known_clients(ws, phone=lead.phone, email=lead.email, kind=ClientKind.COMPANY)
        company = _reuse(actor, candidates)
        if company is None:
            values: dict[str, Any] = {
                "name": lead.company_name or _("Company with INN %(inn)s") % {"inn": lead.inn},
                "inn": lead.inn,
                "source": source,
                "owner": owner,
            }
            if not wants_person:
                values.update(phones=[lead.phone] if lead.phone else [], emails=[lead.email] if lead.email else [])
            company = client_create(actor, kind=ClientKind.COMPANY, values=values)
            created.append(company.pk)
    if wants_person:
        candidates = [c for c in linked if c.kind == ClientKind.PERSON] + known_clients(
            ws, phone=lead.phone, email=lead.email, kind=ClientKind.PERSON
        )
        person = _reuse(actor, candidates)
        if person is None:
            values = {
                "name": lead.contact_name,
                "phones": [lead.phone] if lead.phone else [],
                "emails": [lead.email] if lead.email else [],
                "source": source,
                "owner": owner,
            }
            if not wants_company and len(lead.inn) == 12:
                values["inn"] = lead.inn
            if company is not None:
                values["companies"] = [{"company": company.pk, "is_primary": True}]
            person = client_create(actor, kind=ClientKind.PERSON, values=values)
            created.append(person.pk)
    return company, person, created


def _deal_for(actor: Membership, lead: Lead, client: Client, contact: Client | None, values: dict[str, Any]) -> Deal:
    pipeline = values.get("pipeline")
    if pipeline in (None, ""):
        first = pipelines_in_use(actor).first()
        if first is None:
            raise invalid("pipeline", _("There is no pipeline in use: set one up first."))
        pipeline = first.pk
    deal_values: dict[str, Any] = {
        "title": _text(values.get("title")) or client.name,
        "pipeline": pipeline,
        "stage": values.get("stage"),
        "client": client.pk,
        "contacts": [contact.pk] if contact is not None else [],
        "amount": values.get("amount"),
        "currency": values.get("currency"),
        "description": lead.message,
    }
    if lead.owner_id != actor.user_id and actor.can("sales", "assign"):
        deal_values["owner"] = lead.owner_id
    return deal_create(actor, values=deal_values)


@transaction.atomic
def lead_qualify(actor: Membership, lead_id: Any, *, version: int, values: dict[str, Any]) -> Lead:
    """Turn an open lead into a client (a company and/or a contact person working there)
    and a deal, in one transaction: the known client is reused (never duplicated; one
    the actor cannot see refuses the qualification), new clients are created through
    the client base's own service. `values`: pipeline (default: the first in use),
    stage, title (default: the client's name), amount, currency. Locks the lead row."""
    require(actor, "sales", "create")
    lead = _writable(actor, lead_id, lock=True)
    _check_version(lead, version)
    _check_open(lead)
    before = snapshot(lead, ["status", "client", "deal"])
    # The client base may have learnt the contact since the lead arrived.
    if lead.client is None:
        lead.client = known_client(actor.workspace_id, phone=lead.phone, email=lead.email, inn=lead.inn)
    company, person, created = _clients_for(actor, lead)
    client = company or person
    if client is None:  # _clients_for refuses a lead without a name; kept for the type checker
        raise invalid("contact_name", _("Enter the contact's or the company's name before qualifying the lead."))
    deal = _deal_for(actor, lead, client, person if company is not None else None, values)
    lead.status = LeadStatus.QUALIFIED
    lead.client = client
    lead.deal = deal
    lead.closed_at = timezone.now()
    save_versioned(lead, expected_version=version, fields=["status", "client", "deal", "closed_at"])
    _event(
        actor,
        "lead.qualified",
        lead,
        diff(before, snapshot(lead, ["status", "client", "deal"])),
        company=company.pk if company else None,
        person=person.pk if person else None,
        created_clients=created,
    )
    return lead


@transaction.atomic
def lead_reject(actor: Membership, lead_id: Any, *, version: int, reason: Any) -> Lead:
    """Close an open lead as rejected; the reason (from the list or typed) is required."""
    lead = _writable(actor, lead_id)
    text = _text(reason)
    if not text:
        raise invalid("reason", _("Say why the lead is rejected."), code="required")
    if len(text) > MAX_REASON:
        raise invalid("reason", _("At most %(limit)d characters.") % {"limit": MAX_REASON})
    _check_version(lead, version)
    _check_open(lead)
    before = snapshot(lead, ["status", "rejection_reason"])
    lead.status = LeadStatus.REJECTED
    lead.rejection_reason = text
    lead.closed_at = timezone.now()
    save_versioned(lead, expected_version=version, fields=["status", "rejection_reason", "closed_at"])
    _event(actor, "lead.rejected", lead, diff(before, snapshot(lead, ["status", "rejection_reason"])))
    return lead


@transaction.atomic
def lead_delete(actor: Membership, lead_id: Any) -> None:
    lead = get_visible(actor, Lead, lead_id, for_write=True, action="delete")
    _event(actor, "lead.deleted", lead, diff({k: v for k, v in snapshot(lead, EVENT_FIELDS).items() if v}, {}))
    lead.delete()
