"""Values as services take them from forms, payloads and code: text, whole numbers,
date-times and colleagues, each refused with an error naming its field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from relata.core.errors import invalid
from relata.core.models import Membership


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
