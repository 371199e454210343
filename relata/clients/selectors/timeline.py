"""A client's timeline in words: field labels instead of keys, names instead of ids."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from relata.clients.fields import client_fields
from relata.clients.models import Client, ClientKind, LifecycleStatus
from relata.clients.selectors.clients import clients_visible_to
from relata.core.audit import EVENT_KINDS
from relata.core.models import Event, Membership, User
from relata.core.timeline import Cursor, TimelineItem, keyset

REFERENCES = {"owner": "user", "status": "status", "parent": "client", "companies": "client"}


@dataclass
class TimelineEntry:
    event: Event
    label: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def _text(value: Any, names: dict[str, dict[int, str]], reference: str | None) -> str:
    if value in (None, "", [], {}):
        return "—"
    if reference and isinstance(value, list):
        return ", ".join(names[reference].get(v, f"#{v}") for v in value)
    if reference and isinstance(value, int):
        return names[reference].get(value, f"#{value}")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def describe(actor: Membership, events: Iterable[Event], kind: str = ClientKind.COMPANY) -> list[TimelineEntry]:
    """Entries for a page of events, with two or three queries for all the names."""
    events = list(events)
    catalogue = client_fields(actor.workspace_id, kind)
    labels = {key: str(entry.label) for key, entry in catalogue.items()}
    labels.update(
        {
            "owner": _("Owner"),
            "status": _("Status"),
            "parent": _("Parent company"),
            "phones": _("Phones"),
            "emails": _("E-mails"),
            "addresses": _("Addresses"),
            "messengers": _("Messengers"),
            "companies": _("Works at"),
            "tags": _("Tags"),
        }
    )
    wanted: dict[str, set[int]] = {"user": set(), "status": set(), "client": set()}
    for event in events:
        for name, pair in (event.changes or {}).items():
            reference = REFERENCES.get(name)
            if reference:
                for value in pair:
                    wanted[reference].update(
                        v for v in (value if isinstance(value, list) else [value]) if isinstance(v, int)
                    )
    names: dict[str, dict[int, str]] = {
        "user": dict(
            User.objects.filter(pk__in=wanted["user"], memberships__workspace_id=actor.workspace_id).values_list(
                "pk", "full_name"
            )
        ),
        "status": {
            s.pk: s.display_name
            for s in LifecycleStatus.objects.filter(workspace_id=actor.workspace_id, pk__in=wanted["status"])
        },
        # Names of clients the actor cannot see stay hidden ("#id").
        "client": dict(clients_visible_to(actor).filter(pk__in=wanted["client"]).values_list("pk", "name")),
    }
    entries = []
    for event in events:
        entry = TimelineEntry(event, str(EVENT_KINDS.get(event.kind, event.kind)))
        for name, pair in (event.changes or {}).items():
            old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
            if name == "custom" and isinstance(old or new, dict):
                for key in sorted(set(old or {}) | set(new or {})):
                    if (old or {}).get(key) != (new or {}).get(key):
                        entry.changes.append(
                            (
                                labels.get(f"custom.{key}", key),
                                _text((old or {}).get(key), names, None),
                                _text((new or {}).get(key), names, None),
                            )
                        )
                continue
            reference = REFERENCES.get(name)
            entry.changes.append((labels.get(name, name), _text(old, names, reference), _text(new, names, reference)))
        entries.append(entry)
    return entries


class ClientChanges:
    """The client's own events (created, changed, merged, owner changed…) as a source of
    its timeline, including the events of clients merged into it."""

    key = "changes"
    rank = 30

    def filters(self, actor: Membership) -> list[tuple[str, str | Promise]]:
        return [(self.key, _("Changes"))]

    def fetch(
        self,
        actor: Membership,
        record: Model,
        *,
        before: Cursor | None,
        limit: int,
        kind: str | None,
        author_id: int | None,
    ) -> list[TimelineItem]:
        from relata.clients.selectors.clients import absorbed_ids
        from relata.core.selectors.events import record_events

        assert isinstance(record, Client)  # noqa: S101  (registered for clients only)
        events = record_events(actor, record, extra_ids=absorbed_ids(actor, record))
        if author_id is not None:
            events = events.filter(actor_id=author_id)
        rows = list(keyset(events, "occurred_at", self.rank, before)[:limit])
        return [
            TimelineItem(
                entry.event.occurred_at, self.rank, entry.event.pk, self.key, "clients/_timeline_change.html", entry
            )
            for entry in describe(actor, rows, record.kind)
        ]
