"""Recurring tasks: iCalendar RRULEs (RFC 5545) through python-dateutil.

A rule must end (COUNT or UNTIL): a task that repeats forever would fill the task list
and the calendar feed for ever. Occurrences are computed in the workspace's time zone,
so "every Monday at 10:00" stays at 10:00 across daylight-saving changes.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from dateutil import rrule
from django.utils.translation import gettext as _

from relata.core.errors import invalid

MAX_COUNT = 500
MAX_SPAN = dt.timedelta(days=5 * 366)
ALLOWED_FREQUENCIES = {rrule.YEARLY, rrule.MONTHLY, rrule.WEEKLY, rrule.DAILY}


def normalize_rule(text: str) -> str:
    """The rule as stored: upper case, without an "RRULE:" prefix or spaces."""
    rule = "".join((text or "").split()).upper()
    return rule.removeprefix("RRULE:")


def _parse(rule_text: str, start: dt.datetime, tz: dt.tzinfo) -> rrule.rrule:
    local_start = start.astimezone(tz).replace(tzinfo=None)
    try:
        parsed = rrule.rrulestr(rule_text, dtstart=local_start, ignoretz=True)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError):
        raise invalid("recurrence", _("The repeat rule is not valid (e.g. FREQ=WEEKLY;BYDAY=MO;COUNT=10).")) from None
    if not isinstance(parsed, rrule.rrule):
        raise invalid("recurrence", _("Give one repeat rule."))
    return parsed


def validate_rule(text: str, start: dt.datetime, tz_name: str) -> str:
    """The normalised rule if it is valid, repeats at most daily, ends, and has a next
    occurrence after `start`; otherwise a clear error on the field "recurrence"."""
    rule_text = normalize_rule(text)
    if not rule_text:
        return ""
    tz = zoneinfo.ZoneInfo(tz_name)
    parts = dict(part.split("=", 1) for part in rule_text.split(";") if "=" in part)
    if "FREQ" not in parts:
        raise invalid("recurrence", _("The repeat rule needs a frequency (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY)."))
    parsed = _parse(rule_text, start, tz)
    if parsed._freq not in ALLOWED_FREQUENCIES:
        raise invalid("recurrence", _("A task can repeat at most once a day."))
    count, until = parsed._count, parsed._until
    if count is None and until is None:
        raise invalid(
            "recurrence", _("The repeat rule never ends: give a number of times (COUNT) or an end date (UNTIL).")
        )
    if count is not None and count > MAX_COUNT:
        raise invalid("recurrence", _("A task can repeat at most %(count)d times.") % {"count": MAX_COUNT})
    local_start = start.astimezone(tz).replace(tzinfo=None)
    if until is not None and until - local_start > MAX_SPAN:
        raise invalid("recurrence", _("A task can repeat for at most five years."))
    if parsed.after(local_start) is None:
        raise invalid("recurrence", _("The repeat rule gives no date after the first one."))
    return rule_text


def next_occurrence(rule_text: str, series_start: dt.datetime, after: dt.datetime, tz_name: str) -> dt.datetime | None:
    """The first occurrence of the series strictly after `after`, or None when it ended."""
    tz = zoneinfo.ZoneInfo(tz_name)
    parsed = _parse(rule_text, series_start, tz)
    following: dt.datetime | None = parsed.after(after.astimezone(tz).replace(tzinfo=None))
    if following is None:
        return None
    return following.replace(tzinfo=tz).astimezone(dt.UTC)


def describe_rule(rule_text: str) -> str:
    """A short human description ("weekly, 10 times") for lists and cards."""
    if not rule_text:
        return ""
    parts = dict(part.split("=", 1) for part in rule_text.split(";") if "=" in part)
    frequency = {
        "DAILY": _("daily"),
        "WEEKLY": _("weekly"),
        "MONTHLY": _("monthly"),
        "YEARLY": _("yearly"),
    }.get(parts.get("FREQ", ""), parts.get("FREQ", ""))
    interval = parts.get("INTERVAL")
    words = [str(frequency)]
    if interval and interval != "1":
        words = [_("every %(n)s periods") % {"n": interval} + f" ({frequency})"]
    if "COUNT" in parts:
        words.append(_("%(count)s times") % {"count": parts["COUNT"]})
    elif "UNTIL" in parts:
        until = parts["UNTIL"][:8]
        words.append(_("until %(date)s") % {"date": f"{until[6:8]}.{until[4:6]}.{until[0:4]}"})
    return ", ".join(words)
