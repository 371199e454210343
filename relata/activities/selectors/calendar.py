"""Reads of the calendar: whose entries a member may look at (themselves, a colleague or a
team within their scope), the tasks and meetings of a period, and the member's feed.

Every entry comes through `tasks_visible_to` / `activities_visible_to`, so choosing a
colleague only narrows what the actor's scope already shows; a colleague or team outside
the scope is answered with 404, as if it did not exist.

Times: the calendar works in the member's own time zone (the user's, else the
workspace's), never the browser's. The page's calendar runs in "UTC" and is given the
wall-clock times of that zone without an offset, and sends such times back;
`wall_clock` and `parse_moment` convert both ways.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from relata.activities.models import SCHEDULED_KINDS, Activity, CalendarFeed, Task, TaskStatus
from relata.activities.selectors.activities import activities_visible_to
from relata.activities.selectors.tasks import tasks_visible_to
from relata.core.models import Membership, Scope, Team
from relata.core.selectors.teams import team_subtree_ids

MAX_RANGE = dt.timedelta(days=100)
TASK_LENGTH = dt.timedelta(minutes=30)
MEETING_LENGTH = dt.timedelta(hours=1)
# A meeting lasts at most a day (the activities service refuses longer ones), so one that
# started a day before the period is the earliest that can still reach into it.
LONGEST_MEETING = dt.timedelta(days=1)
# Entries of each kind one request returns at most (a team over a long period).
MAX_ENTRIES = 2000


def member_zone(member: Membership) -> zoneinfo.ZoneInfo:
    """The member's time zone: their own, else the workspace's (else UTC if unknown)."""
    for name in (member.user.time_zone, member.workspace.time_zone):
        if name:
            try:
                return zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
    return zoneinfo.ZoneInfo("UTC")


def wall_clock(value: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    """`value` as the wall-clock time of `zone`, without an offset ("2025-03-01T10:30:00")."""
    return timezone.localtime(value, zone).replace(tzinfo=None).isoformat(timespec="seconds")


def from_wall_clock(value: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """A wall-clock time of `zone` (any offset it carries is ignored) as an aware time."""
    return value.replace(tzinfo=None).replace(tzinfo=zone)


def parse_moment(value: str | None, zone: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """A date or date-time sent by the calendar or a program; None when garbled. A date is
    its midnight in `zone`, a time without an offset a wall-clock time of `zone` (what the
    page's calendar sends), a time with an offset that very moment."""
    text = (value or "").strip()
    if not text or len(text) > 40:
        return None
    try:
        moment = parse_datetime(text)
        if moment is None and " " in text:  # "+03:00" arrives as " 03:00" when not URL-encoded
            head, _sep, tail = text.rpartition(" ")
            moment = parse_datetime(f"{head}+{tail}")
        if moment is None:
            day = parse_date(text)
            if day is None:
                return None
            moment = dt.datetime.combine(day, dt.time.min)
    except ValueError:  # well-formed but impossible, e.g. the 31st of February
        return None
    if timezone.is_naive(moment):
        moment = from_wall_clock(moment, zone)
    if not (dt.datetime(1900, 1, 1, tzinfo=dt.UTC) < moment < dt.datetime(2200, 1, 1, tzinfo=dt.UTC)):
        return None
    return moment


def parse_period(start: str | None, end: str | None, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The period asked for, or a ValidationError naming the wrong parameter: both ends
    required, the end after the start, at most 100 days."""
    errors: dict[str, list[str]] = {}
    moments: dict[str, dt.datetime] = {}
    for name, value in (("start", start), ("end", end)):
        if not (value or "").strip():
            errors[name] = [_("Give the start and the end of the period.")]
            continue
        moment = parse_moment(value, zone)
        if moment is None:
            errors[name] = [_("Enter a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM).")]
        else:
            moments[name] = moment
    if errors:
        raise ValidationError(errors)
    if moments["end"] <= moments["start"]:
        raise ValidationError({"end": [_("The end of the period must be after its start.")]})
    if moments["end"] - moments["start"] > MAX_RANGE:
        raise ValidationError({"end": [_("The period can be at most 100 days long.")]})
    return moments["start"], moments["end"]


# --- Whose calendar ---------------------------------------------------------------------


def calendar_members(actor: Membership) -> QuerySet[Membership]:
    """Colleagues whose calendar the actor may open: everyone (scope all), the members of
    the actor's team and its sub-teams (scope team), or only the actor (scope own)."""
    members = Membership.objects.filter(workspace_id=actor.workspace_id).select_related("user", "team")
    if not actor.is_active or not actor.can("activities", "view"):
        return members.none()
    if actor.scope == Scope.ALL:
        return members
    if actor.scope == Scope.TEAM and actor.team_subtree_ids:
        return members.filter(Q(team_id__in=actor.team_subtree_ids) | Q(pk=actor.pk))
    return members.filter(pk=actor.pk)


def calendar_teams(actor: Membership) -> QuerySet[Team]:
    """Teams whose calendar the actor may open (those within the actor's scope)."""
    teams = Team.objects.filter(workspace_id=actor.workspace_id).order_by("name")
    if not actor.is_active or not actor.can("activities", "view"):
        return teams.none()
    if actor.scope == Scope.ALL:
        return teams
    if actor.scope == Scope.TEAM and actor.team_subtree_ids:
        return teams.filter(pk__in=actor.team_subtree_ids)
    return teams.none()


@dataclass(frozen=True)
class Whose:
    """The people whose entries a calendar shows, and what was chosen."""

    user_ids: frozenset[int]
    label: str
    user_id: int | None = None
    team_id: int | None = None

    @property
    def value(self) -> str:
        """The choice as the page's selector names it ("user:7", "team:3")."""
        return f"team:{self.team_id}" if self.team_id else f"user:{self.user_id}"


def _as_id(value: object, field: str) -> int:
    try:
        pk = int(str(value))
    except (TypeError, ValueError):
        raise ValidationError({field: [_("Choose a colleague or a team from the list.")]}) from None
    if pk <= 0:
        raise ValidationError({field: [_("Choose a colleague or a team from the list.")]})
    return pk


def calendar_whose(actor: Membership, *, user_id: object = None, team_id: object = None) -> Whose:
    """Whose entries to show: the actor's own by default, else the colleague or team asked
    for. Garbled ids are a ValidationError; one outside the actor's scope is a 404."""
    if user_id not in (None, "") and team_id not in (None, ""):
        raise ValidationError({"team": [_("Choose a colleague or a team, not both.")]})
    if team_id not in (None, ""):
        pk = _as_id(team_id, "team")
        team = calendar_teams(actor).filter(pk=pk).first()
        if team is None:
            raise Http404("team")
        subtree = team_subtree_ids(actor.workspace_id, team.pk)
        users = Membership.objects.filter(workspace_id=actor.workspace_id, team_id__in=subtree)
        return Whose(frozenset(users.values_list("user_id", flat=True)), team.name, team_id=team.pk)
    if user_id not in (None, ""):
        pk = _as_id(user_id, "user")
        member = calendar_members(actor).filter(user_id=pk).first()
        if member is None:
            raise Http404("member")
        return Whose(frozenset({member.user_id}), member.user.full_name or member.user.email, user_id=pk)
    return Whose(frozenset({actor.user_id}), actor.user.full_name or actor.user.email, user_id=actor.user_id)


# --- Entries ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEntry:
    """One task or meeting/visit in the calendar (times are aware)."""

    kind: str  # "task" or "activity"
    pk: int
    title: str
    start: dt.datetime
    end: dt.datetime
    type_label: str  # the task's type or the activity's kind
    status: str  # a task's status; an activity's kind
    client_id: int | None
    client_name: str
    user_id: int  # the assignee or the author
    user_name: str
    overdue: bool
    finished: bool
    editable: bool
    resizable: bool
    version: int

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.pk}"


@dataclass(frozen=True)
class CalendarPage:
    entries: list[CalendarEntry]
    truncated: bool


def _user_name(user: object) -> str:
    return str(getattr(user, "full_name", "") or getattr(user, "email", ""))


def calendar_tasks(
    actor: Membership, *, start: dt.datetime, end: dt.datetime, user_ids: frozenset[int], open_only: bool = False
) -> QuerySet[Task]:
    """Visible tasks of `user_ids` whose half-hour slot meets the period."""
    tasks = tasks_visible_to(actor).filter(assignee_id__in=user_ids, due_at__gt=start - TASK_LENGTH, due_at__lt=end)
    if open_only:
        tasks = tasks.filter(status=TaskStatus.OPEN)
    return tasks.order_by("due_at", "id")


def calendar_activities(
    actor: Membership, *, start: dt.datetime, end: dt.datetime, user_ids: frozenset[int]
) -> QuerySet[Activity]:
    """Visible meetings and visits that `user_ids` authored or take part in, starting
    early enough to reach into the period (the exact overlap is checked by the caller)."""
    taking_part = Activity.participants.through.objects.filter(user_id__in=user_ids).values("activity_id")
    return (
        activities_visible_to(actor)
        .filter(kind__in=sorted(SCHEDULED_KINDS), occurred_at__gt=start - LONGEST_MEETING, occurred_at__lt=end)
        .filter(Q(author_id__in=user_ids) | Q(pk__in=taking_part))
        .order_by("occurred_at", "id")
    )


def calendar_entries(
    actor: Membership,
    *,
    start: dt.datetime,
    end: dt.datetime,
    user_ids: frozenset[int],
    open_only: bool = False,
    limit: int = MAX_ENTRIES,
    now: dt.datetime | None = None,
) -> CalendarPage:
    """Tasks (by due time, half an hour long) and meetings/visits (by time, their
    duration or an hour) of `user_ids` that meet [start, end), in time order. At most
    `limit` of each kind; `truncated` says some were left out. `open_only` leaves out
    finished tasks (the iCalendar feed)."""
    now = now or timezone.now()
    can_change = actor.can("activities", "change")
    entries: list[CalendarEntry] = []
    truncated = False
    tasks = list(calendar_tasks(actor, start=start, end=end, user_ids=user_ids, open_only=open_only)[: limit + 1])
    if len(tasks) > limit:
        tasks, truncated = tasks[:limit], True
    for task in tasks:
        finished = task.status != TaskStatus.OPEN
        entries.append(
            CalendarEntry(
                kind="task",
                pk=task.pk,
                title=task.title,
                start=task.due_at,
                end=task.due_at + TASK_LENGTH,
                type_label=task.type.display_name,
                status=task.status,
                client_id=task.client_id,
                client_name=task.client.name if task.client is not None else "",
                user_id=task.assignee_id,
                user_name=_user_name(task.assignee),
                overdue=task.is_overdue(now),
                finished=finished,
                editable=can_change and not finished,
                resizable=False,
                version=task.version,
            )
        )
    activities = list(calendar_activities(actor, start=start, end=end, user_ids=user_ids)[: limit + 1])
    if len(activities) > limit:
        activities, truncated = activities[:limit], True
    for activity in activities:
        length = dt.timedelta(seconds=activity.duration) if activity.duration else MEETING_LENGTH
        finish = activity.occurred_at + length
        if finish <= start:
            continue
        entries.append(
            CalendarEntry(
                kind="activity",
                pk=activity.pk,
                title=activity.subject or activity.get_kind_display(),
                start=activity.occurred_at,
                end=finish,
                type_label=str(activity.get_kind_display()),
                status=activity.kind,
                client_id=activity.client_id,
                client_name=activity.client.name,
                user_id=activity.author_id,
                user_name=_user_name(activity.author),
                overdue=False,
                finished=False,
                editable=can_change,
                resizable=can_change,
                version=activity.version,
            )
        )
    entries.sort(key=lambda e: (e.start, e.kind, e.pk))
    return CalendarPage(entries, truncated)


# --- The iCalendar feed -----------------------------------------------------------------


def calendar_feed_of(actor: Membership) -> CalendarFeed | None:
    """The actor's address in use (not revoked), if any."""
    return (
        CalendarFeed.objects.filter(workspace_id=actor.workspace_id, user_id=actor.user_id, revoked_at__isnull=True)
        .order_by("-id")
        .first()
    )
