"""Writing events: the one way a state change is recorded.

Services call `record_event` (through small `<entity>_<event>_event()` helpers) inside
their transaction, so that the change and its event commit or roll back together.
The client address of the current request reaches events through a context variable
set by the middleware, so services never need the request.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from relata.core.models.events import Event

if TYPE_CHECKING:
    from relata.core.models import User, Workspace

_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("relata_client_ip", default=None)

# Every kind of event, with its label for the audit-log filter. Apps add theirs with
# `register_event_kinds` as they appear.
EVENT_KINDS: dict[str, Promise] = {
    "auth.login": _("Logged in"),
    "auth.login_failed": _("Failed log-in"),
    "auth.login_locked": _("Log-in locked after repeated failures"),
    "auth.logout": _("Logged out"),
    "auth.password_changed": _("Password changed"),
    "auth.password_reset_requested": _("Password reset requested"),
    "auth.password_reset": _("Password reset by e-mail link"),
    "token.created": _("API token created"),
    "token.revoked": _("API token revoked"),
    "workspace.created": _("Workspace created"),
    "workspace.modules_changed": _("Modules switched on or off"),
    "workspace.changed": _("Workspace settings changed"),
    "member.added": _("Member added"),
    "member.changed": _("Member changed"),
    "member.deactivated": _("Member deactivated"),
    "member.reactivated": _("Member reactivated"),
    "role.created": _("Role created"),
    "role.changed": _("Role or permissions changed"),
    "role.deleted": _("Role deleted"),
    "team.created": _("Team created"),
    "team.changed": _("Team changed"),
    "team.deleted": _("Team deleted"),
    "record.owner_changed": _("Owner changed"),
    "handover.completed": _("Hand-over completed"),
    "audit.exported": _("Audit log exported"),
    "job.started": _("Background job started"),
}


def register_event_kinds(kinds: Mapping[str, Promise]) -> None:
    EVENT_KINDS.update(kinds)


@contextmanager
def client_ip(ip: str | None) -> Iterator[None]:
    token = _client_ip.set(ip)
    try:
        yield
    finally:
        _client_ip.reset(token)


def json_value(value: Any) -> Any:
    """A JSON-safe form of a field value for diffs."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID | Promise):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [json_value(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


def snapshot(obj: Model, fields: Iterable[str]) -> dict[str, Any]:
    """The JSON-safe values of `fields` (foreign keys by id)."""
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = json_value(getattr(obj, attname))
    return values


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field whose value changed."""
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def record_event(
    *,
    kind: str,
    workspace: Workspace | None,
    actor: User | None,
    target: Model | None = None,
    changes: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    actor_label: str = "",
) -> Event:
    if kind not in EVENT_KINDS:
        raise ValueError(f"Unknown event kind {kind!r}: register it with register_event_kinds().")
    return Event.objects.create(
        workspace=workspace,
        actor=actor,
        actor_label=actor_label or (actor.email if actor is not None else ""),
        kind=kind,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=target.pk if target is not None else None,
        target_repr=str(target)[:200] if target is not None else "",
        changes=json_value(dict(changes or {})),
        data=json_value(dict(data or {})),
        ip_address=_client_ip.get(),
    )


def events_for_owner_change(
    *, workspace: Workspace, actor: User, model: type[Model], rows: Iterable[tuple[int, str, int, int]]
) -> list[Event]:
    """Build (unsaved) owner-change events for many records at once: rows are
    (pk, repr, old_owner_id, new_owner_id). Saved with bulk_create by the caller."""
    target_type = ContentType.objects.get_for_model(model)
    ip = _client_ip.get()
    return [
        Event(
            workspace=workspace,
            actor=actor,
            actor_label=actor.email,
            kind="record.owner_changed",
            target_type=target_type,
            target_id=pk,
            target_repr=text[:200],
            changes={"owner": [old, new]},
            ip_address=ip,
        )
        for pk, text, old, new in rows
    ]
