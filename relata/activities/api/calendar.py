"""The calendar through the API: the tasks and meetings/visits of a period (the member's
own, a colleague's or a team's, within the member's scope), and the member's private
iCalendar address.

Entries are moved with the tasks' and activities' PATCH operations. The calendar is a
window of at most 100 days rather than a list, so it is not paginated: each kind is capped
(`truncated` says when entries were left out; ask for a shorter period).
"""

import datetime as dt

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from relata.activities.ical import entry_path
from relata.activities.selectors.calendar import (
    CalendarEntry,
    calendar_entries,
    calendar_whose,
    member_zone,
    parse_period,
)
from relata.activities.services.calendar import calendar_feed_create, calendar_feed_revoke
from relata.api.auth import actor_of
from relata.core.access import require

router = Router(tags=["calendar"])


class CalendarQuery(Schema):
    start: str | None = Field(
        None,
        description="Start of the period: a date (its midnight in your time zone) or a date-time; "
        "without an offset it is a time of your time zone.",
        examples=["2025-03-03"],
    )
    end: str | None = Field(None, description="End of the period (excluded); at most 100 days after the start.")
    user_id: int | None = Field(None, description="A colleague within your scope (default: yourself).")
    team_id: int | None = Field(None, description="A team within your scope (its members and sub-teams).")


class CalendarEntryOut(Schema):
    type: str = Field(..., description="task or activity.")
    id: int
    title: str
    start: dt.datetime
    end: dt.datetime = Field(..., description="Tasks last 30 minutes; meetings their duration, else an hour.")
    kind: str = Field(..., description="The task's type, or the activity's kind (meeting, visit).")
    status: str = Field(..., description="A task's status (open, done, cancelled); an activity's kind.")
    client_id: int | None
    client_name: str
    user_id: int = Field(..., description="The task's assignee or the activity's author.")
    user_name: str
    overdue: bool
    finished: bool
    editable: bool = Field(..., description="Whether you may move it.")
    version: int = Field(..., description="Send it with the PATCH that moves the entry.")
    url: str = Field(..., description="The page of the task, or of the meeting's client.")


class CalendarOut(Schema):
    start: dt.datetime
    end: dt.datetime
    time_zone: str = Field(..., description="Your time zone; times are given in it.")
    user_ids: list[int] = Field(..., description="Whose entries these are.")
    label: str
    truncated: bool
    entries: list[CalendarEntryOut]


class FeedOut(Schema):
    url: str = Field(..., description="The private address; shown only now, it cannot be retrieved again.")
    webcal_url: str
    prefix: str
    created_at: dt.datetime


def _entry(entry: CalendarEntry, zone: dt.tzinfo) -> dict[str, object]:
    return {
        "type": entry.kind,
        "id": entry.pk,
        "title": entry.title,
        "start": timezone.localtime(entry.start, zone),
        "end": timezone.localtime(entry.end, zone),
        "kind": entry.type_label if entry.kind == "task" else entry.status,
        "status": entry.status,
        "client_id": entry.client_id,
        "client_name": entry.client_name,
        "user_id": entry.user_id,
        "user_name": entry.user_name,
        "overdue": entry.overdue,
        "finished": entry.finished,
        "editable": entry.editable,
        "version": entry.version,
        "url": entry_path(entry),
    }


@router.get("/calendar", response=CalendarOut, summary="Tasks and meetings of a period")
def calendar_read(request: HttpRequest, filters: Query[CalendarQuery]) -> dict[str, object]:
    actor = actor_of(request)
    require(actor, "activities", "view")
    zone = member_zone(actor)
    whose = calendar_whose(actor, user_id=filters.user_id, team_id=filters.team_id)
    start, end = parse_period(filters.start, filters.end, zone)
    page = calendar_entries(actor, start=start, end=end, user_ids=whose.user_ids)
    return {
        "start": timezone.localtime(start, zone),
        "end": timezone.localtime(end, zone),
        "time_zone": str(zone),
        "user_ids": sorted(whose.user_ids),
        "label": whose.label,
        "truncated": page.truncated,
        "entries": [_entry(entry, zone) for entry in page.entries],
    }


@router.post(
    "/calendar/feed",
    response={201: FeedOut},
    summary="Create your private iCalendar address (the previous one stops working)",
)
def calendar_feed_new(request: HttpRequest) -> Status:
    feed, secret = calendar_feed_create(actor_of(request))
    url = request.build_absolute_uri(reverse("activities:calendar_feed", kwargs={"token": secret}))
    return Status(
        201,
        {
            "url": url,
            "webcal_url": f"webcal://{url.split('://', 1)[-1]}",
            "prefix": feed.prefix,
            "created_at": feed.created_at,
        },
    )


@router.delete("/calendar/feed", response={204: None}, summary="Revoke your private iCalendar address")
def calendar_feed_remove(request: HttpRequest) -> Status:
    calendar_feed_revoke(actor_of(request))
    return Status(204, None)
