"""The iCalendar feed of a member: their open tasks and meetings/visits from 30 days ago to
a year ahead, read with the member's current access scope, as a calendar program polls it.

Times are written in UTC; every entry keeps one UID (`task-<id>@<host>`,
`activity-<id>@<host>`), so a program updates an event that moved instead of adding it
again.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import vobject
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from vobject.icalendar import utc as vobject_utc

from relata.activities.selectors.calendar import CalendarEntry, calendar_entries, member_zone
from relata.core.models import Membership

PAST = dt.timedelta(days=30)
AHEAD = dt.timedelta(days=365)
MAX_FEED_ENTRIES = 5000


def uid_host() -> str:
    """The host that names entries in UIDs: the installation's, stable across requests."""
    return urlsplit(settings.RELATA_BASE_URL).hostname or "relata"


def entry_path(entry: CalendarEntry) -> str:
    """The page that opens an entry: the task, or the client of a meeting."""
    if entry.kind == "task":
        return reverse("activities:task", args=[entry.pk])
    return reverse("clients:detail", args=[entry.client_id])


def _utc(value: dt.datetime) -> dt.datetime:
    # vobject writes "…Z" only for its own UTC object (it cannot name zoneinfo's UTC).
    return value.astimezone(vobject_utc)


def feed_calendar(member: Membership, *, base_url: str, now: dt.datetime | None = None) -> str:
    """The member's feed as iCalendar text; `base_url` ("https://crm.example") makes the
    links in the descriptions absolute."""
    now = now or timezone.now()
    page = calendar_entries(
        member,
        start=now - PAST,
        end=now + AHEAD,
        user_ids=frozenset({member.user_id}),
        open_only=True,
        limit=MAX_FEED_ENTRIES,
        now=now,
    )
    host = uid_host()
    base_url = base_url.rstrip("/")
    with translation.override(member.user.language or settings.LANGUAGE_CODE):
        calendar = vobject.iCalendar()
        calendar.add("prodid").value = "-//Relata//Calendar//EN"
        calendar.add("calscale").value = "GREGORIAN"
        calendar.add("x-wr-calname").value = _("Relata: %(name)s") % {
            "name": member.user.full_name or member.user.email
        }
        calendar.add("x-wr-timezone").value = str(member_zone(member))
        calendar.add("x-published-ttl").value = "PT15M"
        for entry in page.entries:
            link = f"{base_url}{entry_path(entry)}"
            event = calendar.add("vevent")
            event.add("uid").value = f"{entry.key}@{host}"
            event.add("dtstamp").value = _utc(now)
            event.add("dtstart").value = _utc(entry.start)
            event.add("dtend").value = _utc(entry.end)
            event.add("summary").value = entry.title
            lines = [entry.type_label]
            if entry.client_name:
                lines.append(_("Client: %(name)s") % {"name": entry.client_name})
            lines.append(link)
            event.add("description").value = "\n".join(lines)
            event.add("url").value = link
            event.add("categories").value = [_("Task") if entry.kind == "task" else entry.type_label]
        return str(calendar.serialize())
