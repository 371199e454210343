"""Creating, changing and deleting clients (companies and people)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from relata.clients.models import (
    Client,
    ClientAddress,
    ClientEmail,
    ClientKind,
    ClientMessenger,
    ClientPhone,
    Consent,
    Employment,
    Tag,
)
from relata.clients.normalize import matching_name
from relata.clients.services.prepare import ClientContext, PreparedClient, prepare_client, scalar_fields
from relata.core.access import get_visible, require, scope_queryset
from relata.core.audit import diff, json_value, record_event
from relata.core.concurrency import save_versioned
from relata.core.errors import invalid
from relata.core.models import Membership

DERIVED = ["primary_phone", "primary_email", "city", "region", "match_name", "search_text"]
RELATION_FIELDS = ["name", "status_id", "owner_id", "parent_id"]


# --- Derived columns ------------------------------------------------------------------


def search_document(client: Client, phones: list[str], emails: list[str]) -> str:
    """What the search box matches against: names, tax ids, phone digits, e-mails and
    city, lower-cased (so LIKE and trigram indexes need no case folding)."""
    parts = [
        client.name,
        client.legal_name,
        client.last_name,
        client.first_name,
        client.middle_name,
        client.inn,
        client.ogrn,
        client.city,
        *[p.lstrip("+") for p in phones],
        *emails,
    ]
    return " ".join(p for p in parts if p).lower().replace("ё", "е")


def apply_derived(
    client: Client,
    phones: list[dict[str, Any]],
    emails: list[dict[str, Any]],
    addresses: list[dict[str, Any]],
) -> None:
    client.primary_phone = _primary(phones, "number")
    client.primary_email = _primary(emails, "email")
    address = next((a for a in addresses if a.get("is_primary")), addresses[0] if addresses else None)
    client.city = (address or {}).get("city", "")[:100]
    client.region = (address or {}).get("region", "")[:100]
    client.match_name = matching_name(client.name)[:255]
    client.search_text = search_document(client, [p["number"] for p in phones], [e["email"] for e in emails])


def _primary(items: list[dict[str, Any]], key: str) -> str:
    """The primary item's value (the first one when none is marked)."""
    chosen = next((item for item in items if item.get("is_primary")), items[0] if items else None)
    return str(chosen[key]) if chosen else ""


def _current_children(client: Client) -> dict[str, list[dict[str, Any]]]:
    return {
        "phones": [dict(row) for row in client.phones.values("number", "extension", "kind", "is_primary")],
        "emails": [dict(row) for row in client.emails.values("email", "kind", "is_primary")],
        "addresses": [
            dict(row)
            for row in client.addresses.values("kind", "country", "region", "city", "street", "postcode", "is_primary")
        ],
        "messengers": [dict(row) for row in client.messengers.values("kind", "handle")],
    }


# --- Snapshots for events -------------------------------------------------------------


def client_snapshot(client: Client) -> dict[str, Any]:
    values: dict[str, Any] = {name: json_value(getattr(client, name)) for name in scalar_fields(client.kind)}
    values.update(
        {
            "name": client.name,
            "status": client.status_id,
            "owner": client.owner_id,
            "parent": client.parent_id,
            "custom": dict(client.custom or {}),
            "phones": list(client.phones.values_list("number", flat=True)),
            "emails": list(client.emails.values_list("email", flat=True)),
            "addresses": [str(a) for a in client.addresses.all()],
            "messengers": [f"{m.kind}:{m.handle}" for m in client.messengers.all()],
            "tags": sorted(client.tags.values_list("name", flat=True)),
        }
    )
    if client.kind == ClientKind.PERSON:
        values["companies"] = sorted(Employment.objects.filter(person=client).values_list("company_id", flat=True))
    return values


def filled(values: dict[str, Any]) -> dict[str, Any]:
    """The values that say something (a new record's event lists only these)."""
    return {k: v for k, v in values.items() if v not in (None, "", [], {})}


# --- Checks that need the database ----------------------------------------------------


def _check_owner(actor: Membership, client: Client | None, owner_id: int) -> None:
    if owner_id != actor.user_id and (client is None or owner_id != client.owner_id):
        require(actor, "clients", "assign")


def _check_parent(actor: Membership, client: Client | None, parent_id: int | None) -> None:
    if parent_id is None:
        return
    parent = scope_queryset(actor, Client.objects.filter(kind=ClientKind.COMPANY)).filter(pk=parent_id).first()
    if parent is None:
        raise invalid("parent", _("Choose a company you can see as the parent."))
    if client is None:
        return
    # Walk up from the new parent: meeting the client itself would close a cycle.
    seen: set[int] = set()
    current: int | None = parent.pk
    while current is not None and current not in seen:
        if current == client.pk:
            raise invalid("parent", _("A company cannot be its own parent, directly or through its subsidiaries."))
        seen.add(current)
        current = Client.objects.filter(pk=current).values_list("parent_id", flat=True).first()


def _visible_companies(actor: Membership, ids: list[int]) -> set[int]:
    return set(
        scope_queryset(actor, Client.objects.filter(kind=ClientKind.COMPANY, pk__in=ids)).values_list("pk", flat=True)
    )


# --- Writing children -----------------------------------------------------------------


def _write_children(actor: Membership, client: Client, prepared: PreparedClient) -> None:
    ws = client.workspace_id
    if prepared.phones is not None:
        client.phones.all().delete()
        ClientPhone.objects.bulk_create([ClientPhone(workspace_id=ws, client=client, **p) for p in prepared.phones])
    if prepared.emails is not None:
        client.emails.all().delete()
        ClientEmail.objects.bulk_create([ClientEmail(workspace_id=ws, client=client, **e) for e in prepared.emails])
    if prepared.addresses is not None:
        client.addresses.all().delete()
        ClientAddress.objects.bulk_create(
            [ClientAddress(workspace_id=ws, client=client, **a) for a in prepared.addresses]
        )
    if prepared.messengers is not None:
        client.messengers.all().delete()
        ClientMessenger.objects.bulk_create(
            [ClientMessenger(workspace_id=ws, client=client, **m) for m in prepared.messengers]
        )
    if prepared.consents is not None:
        now = timezone.now()
        existing = {c.channel: c for c in client.consents.all()}
        for consent in prepared.consents:
            current = existing.get(consent["channel"])
            if current is None:
                Consent.objects.create(workspace_id=ws, client=client, changed_at=now, **consent)
            elif current.granted != consent["granted"] or current.source != consent["source"]:
                current.granted, current.source, current.changed_at = consent["granted"], consent["source"], now
                current.save(update_fields=["granted", "source", "changed_at", "updated_at"])
    if prepared.tag_names is not None:
        client.tags.set(tags_get_or_create(ws, prepared.tag_names))
    if prepared.companies is not None and client.kind == ClientKind.PERSON:
        wanted = {c["company_id"]: c for c in prepared.companies}
        visible = _visible_companies(actor, list(wanted))
        missing = set(wanted) - visible
        if missing:
            raise invalid("companies", _("Choose companies you can see."))
        Employment.objects.filter(person=client).exclude(company_id__in=wanted).delete()
        for company_id, data in wanted.items():
            Employment.objects.update_or_create(
                workspace_id=ws,
                person=client,
                company_id=company_id,
                defaults={
                    "job_title": data["job_title"],
                    "department": data["department"],
                    "is_primary": data["is_primary"],
                },
            )


def tags_get_or_create(workspace_id: int, names: list[str]) -> list[Tag]:
    """Tags by name (case-insensitive), created when new."""
    wanted: dict[str, str] = {}
    for name in names:
        wanted.setdefault(name.lower(), name)  # the first spelling wins
    found = {t.name.lower(): t for t in Tag.objects.filter(workspace_id=workspace_id) if t.name.lower() in wanted}
    missing = [Tag(workspace_id=workspace_id, name=name) for low, name in wanted.items() if low not in found]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        found = {t.name.lower(): t for t in Tag.objects.filter(workspace_id=workspace_id) if t.name.lower() in wanted}
    return list(found.values())


# --- Services -------------------------------------------------------------------------


@transaction.atomic
def client_create(
    actor: Membership, *, kind: str, values: dict[str, Any], context: ClientContext | None = None
) -> Client:
    """A new company or person. Without an owner, the assignment rules choose one (else
    the creator); giving someone else as owner needs the "assign" permission."""
    from relata.clients.services.assignment import assignment_pick_owner

    require(actor, "clients", "create")
    context = context or ClientContext.load(actor)
    prepared = prepare_client(context, kind, values)
    fields = dict(prepared.fields)
    _check_parent(actor, None, fields.get("parent_id"))
    client = Client(workspace_id=actor.workspace_id, kind=kind, custom=prepared.custom or {}, **fields)
    if "owner_id" in fields:
        _check_owner(actor, None, fields["owner_id"])
    else:
        client.owner_id = actor.user_id
    apply_derived(client, prepared.phones or [], prepared.emails or [], prepared.addresses or [])
    client.save()
    _write_children(actor, client, prepared)
    if "owner_id" not in fields:
        # Rules see the saved client (segments may test tags or phones).
        owner_id = assignment_pick_owner(actor.workspace_id, client)
        if owner_id and owner_id != client.owner_id:
            client.owner_id = owner_id
            Client.objects.filter(pk=client.pk).update(owner_id=owner_id)
    record_event(
        kind="client.created",
        workspace=actor.workspace,
        actor=actor.user,
        target=client,
        changes=diff({}, filled(client_snapshot(client))),
    )
    return client


@transaction.atomic
def client_update(
    actor: Membership,
    client_id: int,
    *,
    version: int,
    values: dict[str, Any],
    kind: str | None = None,
    context: ClientContext | None = None,
) -> Client:
    """Change the given fields (others stay). A stale `version` is refused (StaleVersion)."""
    queryset = Client.objects.filter(kind=kind) if kind else Client.objects.all()
    client = get_visible(actor, queryset, client_id, for_write=True)
    context = context or ClientContext.load(actor)
    before = client_snapshot(client)
    existing = {
        "custom": client.custom,
        "last_name": client.last_name,
        "first_name": client.first_name,
        "middle_name": client.middle_name,
    }
    prepared = prepare_client(context, client.kind, values, existing=existing)
    fields = prepared.fields
    if "owner_id" in fields:
        _check_owner(actor, client, fields["owner_id"])
    if "parent_id" in fields:
        _check_parent(actor, client, fields["parent_id"])
    for name, value in fields.items():
        setattr(client, name, value)
    if prepared.custom is not None:
        client.custom = prepared.custom
    children = _current_children(client)
    apply_derived(
        client,
        prepared.phones if prepared.phones is not None else children["phones"],
        prepared.emails if prepared.emails is not None else children["emails"],
        prepared.addresses if prepared.addresses is not None else children["addresses"],
    )
    changed = [*fields, *(["custom"] if prepared.custom is not None else []), *DERIVED]
    save_versioned(client, expected_version=version, fields=list(dict.fromkeys(changed)))
    _write_children(actor, client, prepared)
    changes = diff(before, client_snapshot(client))
    if changes:
        record_event(kind="client.changed", workspace=actor.workspace, actor=actor.user, target=client, changes=changes)
    return client


@transaction.atomic
def client_delete(actor: Membership, client_id: int) -> None:
    client = get_visible(actor, Client, client_id, for_write=True, action="delete")
    record_event(
        kind="client.deleted",
        workspace=actor.workspace,
        actor=actor.user,
        target=client,
        changes=diff(client_snapshot(client), {}),
    )
    Client.objects.filter(parent=client).update(parent=None)
    try:
        with transaction.atomic():
            client.delete()
    except ProtectedError as exc:
        raise invalid("client", protected_message(exc)) from exc


def protected_message(error: ProtectedError) -> str:
    """Why a client cannot be deleted: the records of other apps that keep it (deals…)."""
    kinds = sorted({str(obj._meta.verbose_name_plural) for obj in error.protected_objects})
    return _("Other records refer to this client (%(kinds)s): close or move them to another client first.") % {
        "kinds": ", ".join(kinds)
    }


def refresh_derived(client: Client) -> None:
    """Recompute the derived columns from the stored rows (after changes to children
    made outside `client_update`, e.g. a merge)."""
    children = _current_children(client)
    apply_derived(client, children["phones"], children["emails"], children["addresses"])
    Client.objects.filter(pk=client.pk).update(**{name: getattr(client, name) for name in DERIVED})
