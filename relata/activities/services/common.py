"""Checks the activity and task services share: members, clients, times, amounts."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from relata.clients.models import Client, ClientKind
from relata.core.access import scope_queryset
from relata.core.errors import invalid
from relata.core.models import Membership
from relata.core.money import clean_money


def active_member(actor: Membership, user_id: Any, field: str) -> Membership:
    """An active member of the actor's workspace, or a field error naming `field`."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        raise invalid(field, _("Choose a colleague.")) from None
    member = (
        Membership.objects.select_related("user", "role", "workspace", "team")
        .filter(workspace_id=actor.workspace_id, user_id=pk, is_active=True)
        .first()
    )
    if member is None:
        raise invalid(field, _("Choose an active colleague of this workspace."))
    return member


def visible_client(actor: Membership, client_id: Any, field: str = "client", *, kind: str | None = None) -> Client:
    """A client the actor may see; otherwise a field error (never saying whether it exists)."""
    try:
        pk = int(client_id)
    except (TypeError, ValueError):
        raise invalid(field, _("Choose a client.")) from None
    queryset = scope_queryset(actor, Client.objects.all(), "view")
    if kind:
        queryset = queryset.filter(kind=kind)
    client = queryset.filter(pk=pk).select_related("owner").first()
    if client is None:
        raise invalid(field, _("Choose a client you can see.") if kind != ClientKind.PERSON else _("Choose a person."))
    return client


def member_sees_client(member: Membership, client: Client) -> bool:
    return scope_queryset(member, Client.objects.filter(pk=client.pk), "view").exists()


def aware(value: Any, field: str) -> dt.datetime:
    """A date-time from a form, the API or code: naive ones are in the active time zone."""
    if isinstance(value, str):
        parsed = parse_datetime(value.strip()) if value.strip() else None
        if parsed is None:
            raise invalid(field, _("Enter a date and time."))
        value = parsed
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(9, 0))
    if not isinstance(value, dt.datetime):
        raise invalid(field, _("Enter a date and time."))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    moment: dt.datetime = value
    if not (dt.datetime(1900, 1, 1, tzinfo=dt.UTC) < moment < dt.datetime(2200, 1, 1, tzinfo=dt.UTC)):
        raise invalid(field, _("Enter a realistic date."))
    return moment


def money(value: Any, field: str = "amount") -> decimal.Decimal | None:
    return clean_money(value, field)


def text(values: dict[str, Any], name: str, limit: int) -> str:
    value = str(values.get(name) or "").strip()
    if len(value) > limit:
        raise invalid(name, _("At most %(limit)d characters.") % {"limit": limit})
    return value


def as_int(value: Any) -> int:
    """A whole number from a form or payload; 0 (which names no record) when it is none."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


MAX_REMIND_BEFORE = 30 * 24 * 60  # minutes


def remind_minutes(value: Any) -> int | None:
    """Minutes before the due time a reminder comes (None: no reminder), as tasks, rules
    and mass plans take it."""
    if value in (None, ""):
        return None
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        raise invalid("remind_before", _("Enter the number of minutes before the due time.")) from None
    if minutes < 0 or minutes > MAX_REMIND_BEFORE:
        raise invalid("remind_before", _("A reminder can come at most 30 days before the due time."))
    return minutes
