"""Values as services take them from forms, payloads and code: texts, whole numbers,
yes/no, record ids, date-times and colleagues, each refused with an error naming its
field; and the guarded save that turns a unique constraint's refusal into a field error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from relata.core.errors import invalid
from relata.core.models import Membership

MAX_SMALL = 32_767  # a PositiveSmallIntegerField
T = TypeVar("T")


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


def date_or_today(value: Any, field: str = "date") -> dt.date:
    """A date (a date or "YYYY-MM-DD"); empty: today in the site's time zone."""
    if value in (None, ""):
        return timezone.localdate()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise invalid(field, _("Enter a date as YYYY-MM-DD.")) from None


def text(values: dict[str, Any], name: str, limit: int, *, required: str | None = None) -> str:
    """A stripped text of at most `limit` characters; `required` is the message when empty."""
    value = values.get(name)
    cleaned = "" if value is None else str(value).strip()
    if required and not cleaned:
        raise invalid(name, required, code="required")
    if len(cleaned) > limit:
        raise invalid(name, _("At most %(limit)d characters.") % {"limit": limit})
    return cleaned


def as_int(value: Any) -> int:
    """A whole number from a form or payload; 0 (which names no record) when it is none."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def whole(value: Any, name: str, *, low: int = 0, high: int = MAX_SMALL) -> int:
    """A whole number within [low, high] from a form, the API or code ("7", 7; not 7.5 or "7a")."""
    if isinstance(value, bool):
        raise invalid(name, _("Enter a whole number."))
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        raise invalid(name, _("Enter a whole number.")) from None
    if not low <= number <= high:
        raise invalid(name, _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high})
    return number


def flag(value: Any, name: str) -> bool:
    """A yes/no value: booleans, and the "on"/"true"/"1" a form may send."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("1", "true", "on", "yes", "0", "false", "off", "no", ""):
        return value.lower() in ("1", "true", "on", "yes")
    raise invalid(name, _("Choose yes or no."))


def as_id(value: Any) -> int | None:
    """A record id from a form or payload; None when empty or not a whole number."""
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def unknown_fields(values: dict[str, Any], allowed: list[str]) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise invalid(unknown[0], _("This cannot be changed here."))


def save_unique(save: Callable[[], T], field: str, message: str) -> T:
    """Run `save` in a savepoint; a unique constraint's refusal (two users saving the same
    name or SKU at once, after both passed the check) becomes an error naming `field`."""
    try:
        with transaction.atomic():
            return save()
    except IntegrityError as exc:
        raise invalid(field, message) from exc
