"""Writing the demo's clients in bulk, with what `client_create` would have written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, OuterRef, Subquery

from relata.clients.demo.maker import DemoRow
from relata.clients.models import (
    Client,
    ClientAddress,
    ClientEmail,
    ClientMessenger,
    ClientPhone,
    Consent,
    Employment,
)
from relata.clients.services.clients import apply_derived, tags_get_or_create
from relata.clients.services.prepare import ClientContext, PreparedClient, prepare_client, scalar_fields
from relata.core.audit import diff, json_value
from relata.core.models import Event


def _snapshot(client: Client, prepared: PreparedClient, addresses: list[ClientAddress]) -> dict[str, Any]:
    """What `client_snapshot` reads back from the database, from the prepared values."""
    values: dict[str, Any] = {name: json_value(getattr(client, name)) for name in scalar_fields(client.kind)}
    values.update(
        name=client.name,
        status=client.status_id,
        owner=client.owner_id,
        parent=client.parent_id,
        custom=dict(client.custom or {}),
        phones=[p["number"] for p in prepared.phones or []],
        emails=[e["email"] for e in prepared.emails or []],
        addresses=[str(a) for a in addresses],
        messengers=[f"{m['kind']}:{m['handle']}" for m in prepared.messengers or []],
        tags=sorted(prepared.tag_names or []),
    )
    if client.is_person:
        values["companies"] = sorted(c["company_id"] for c in prepared.companies or [])
    return values


def write_clients(context: ClientContext, rows: list[DemoRow]) -> list[Client]:
    """Validate `rows` as the services do and write them in bulk: the clients with their
    derived columns, phones, e-mails, addresses, messengers, consents, tags, employments,
    and a "client.created" event each (by the owner, when the client came). A bad value
    raises ValidationError before anything is written."""
    ws = context.actor.workspace_id
    prepared = [prepare_client(context, row.kind, row.values) for row in rows]
    clients = []
    for row, p in zip(rows, prepared, strict=True):
        client = Client(workspace_id=ws, kind=row.kind, custom=p.custom or {}, **p.fields)
        apply_derived(client, p.phones or [], p.emails or [], p.addresses or [])
        clients.append(client)
    Client.objects.bulk_create(clients)
    pairs = list(zip(clients, prepared, rows, strict=True))
    ClientPhone.objects.bulk_create(
        [ClientPhone(workspace_id=ws, client=c, **x) for c, p, _r in pairs for x in p.phones or []]
    )
    ClientEmail.objects.bulk_create(
        [ClientEmail(workspace_id=ws, client=c, **x) for c, p, _r in pairs for x in p.emails or []]
    )
    addresses = {c.pk: [ClientAddress(workspace_id=ws, client=c, **x) for x in p.addresses or []] for c, p, _r in pairs}
    ClientAddress.objects.bulk_create([a for items in addresses.values() for a in items])
    ClientMessenger.objects.bulk_create(
        [ClientMessenger(workspace_id=ws, client=c, **x) for c, p, _r in pairs for x in p.messengers or []]
    )
    Consent.objects.bulk_create(
        [
            Consent(workspace_id=ws, client=c, changed_at=r.created_at + dt.timedelta(hours=1), **x)
            for c, p, r in pairs
            for x in p.consents or []
        ]
    )
    Employment.objects.bulk_create(
        [Employment(workspace_id=ws, person=c, **x) for c, p, _r in pairs for x in p.companies or []]
    )
    names = sorted({name for _c, p, _r in pairs for name in p.tag_names or []})
    tags = {tag.name.lower(): tag.pk for tag in tags_get_or_create(ws, names)}
    Client.tags.through.objects.bulk_create(
        [Client.tags.through(client_id=c.pk, tag_id=tags[n.lower()]) for c, p, _r in pairs for n in p.tag_names or []]
    )
    client_type = ContentType.objects.get_for_model(Client)
    Event.objects.bulk_create(
        [
            Event(
                workspace_id=ws,
                actor_id=c.owner_id,
                actor_label=context.members[c.owner_id].user.email,
                kind="client.created",
                target_type=client_type,
                target_id=c.pk,
                target_repr=str(c)[:200],
                changes=diff({}, _snapshot(c, p, addresses[c.pk])),
                occurred_at=r.created_at,
            )
            for c, p, r in pairs
        ]
    )
    # Backdated to their events: the base grew over two years (auto_now_add stamped "now").
    came = Event.objects.filter(
        workspace_id=ws, kind="client.created", target_type=client_type, target_id=OuterRef("pk")
    ).values("occurred_at")[:1]
    written = Client.objects.filter(workspace_id=ws, pk__in=[c.pk for c in clients])
    written.update(created_at=Subquery(came))
    written.update(updated_at=F("created_at") + dt.timedelta(days=1))
    for client, _p, row in pairs:
        client.created_at, client.updated_at = row.created_at, row.created_at + dt.timedelta(days=1)
    return clients
