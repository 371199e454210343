"""The calendar page: day, week, month and list views of tasks and meetings of the member,
a colleague or a team (within the member's scope), drag and drop to reschedule, and the
member's private iCalendar address.

The page's calendar (FullCalendar) runs in "UTC" and is given wall-clock times of the
member's time zone without an offset; it sends such times back. So the calendar always
shows the member's zone (the user's, else the workspace's), never the browser's.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from relata.activities.ical import entry_path, feed_calendar
from relata.activities.models import Task
from relata.activities.selectors.calendar import (
    CalendarEntry,
    Whose,
    calendar_entries,
    calendar_feed_of,
    calendar_members,
    calendar_teams,
    calendar_whose,
    member_zone,
    parse_moment,
    parse_period,
    wall_clock,
)
from relata.activities.services.calendar import (
    calendar_feed_create,
    calendar_feed_open,
    calendar_feed_revoke,
    calendar_move,
)
from relata.api.errors import error_body
from relata.core.access import require
from relata.core.concurrency import StaleVersion
from relata.core.decorators import actor_required, permission_required
from relata.core.models import Membership

VIEWS = ("timeGridDay", "timeGridWeek", "dayGridMonth", "listWeek")


def _messages(error: ValidationError) -> tuple[str, dict[str, list[str]]]:
    if hasattr(error, "error_dict"):
        fields = {name: [str(m) for e in errors for m in e.messages] for name, errors in error.error_dict.items()}
        return next(iter(fields.values()))[0], fields
    return "; ".join(error.messages), {}


def _refusal(
    status: int, code: str, message: str, fields: dict[str, list[str]] | None = None, **extra: Any
) -> JsonResponse:
    return JsonResponse({"ok": False, **error_body(code, message, fields), **extra}, status=status)


def _invalid(error: ValidationError) -> JsonResponse:
    message, fields = _messages(error)
    return _refusal(400, "validation_error", message, fields)


def _not_found() -> JsonResponse:
    return _refusal(404, "not_found", _("Not found."))


def _whose(actor: Membership, params: Any) -> Whose:
    """`user` or `team`, or the page's selector `whose` ("user:7", "team:3")."""
    kind, _sep, pk = str(params.get("whose", "")).partition(":")
    if kind in ("user", "team") and not (params.get("user") or params.get("team")):
        return calendar_whose(actor, **{f"{kind}_id": pk})
    return calendar_whose(actor, user_id=params.get("user"), team_id=params.get("team"))


def entry_json(entry: CalendarEntry, zone: zoneinfo.ZoneInfo) -> dict[str, Any]:
    """One entry as FullCalendar reads it (times: wall-clock of the member's zone)."""
    classes = [f"relata-entry-{entry.kind}", f"relata-entry-{entry.status}"]
    if entry.overdue:
        classes.append("relata-entry-overdue")
    if entry.finished:
        classes.append("relata-entry-finished")
    title = f"{entry.title} · {entry.client_name}" if entry.client_name else entry.title
    return {
        "id": entry.key,
        "title": title,
        "start": wall_clock(entry.start, zone),
        "end": wall_clock(entry.end, zone),
        "allDay": False,
        "url": entry_path(entry),
        "startEditable": entry.editable,
        "durationEditable": entry.resizable,
        "classNames": classes,
        "extendedProps": {
            "kind": entry.kind,
            "pk": entry.pk,
            "version": entry.version,
            "type": entry.type_label,
            "status": entry.status,
            "client": entry.client_name,
            "user": entry.user_name,
            "overdue": entry.overdue,
            "finished": entry.finished,
        },
    }


def _page_context(request: HttpRequest, actor: Membership, whose: Whose, **extra: Any) -> dict[str, Any]:
    zone = member_zone(actor)
    language = translation.get_language() or "en"
    initial_view = request.GET.get("view", "")
    initial_date = parse_moment(request.GET.get("date"), zone)
    config = {
        "eventsUrl": reverse("activities:calendar_events"),
        "moveUrl": reverse("activities:calendar_move"),
        "locale": "ru" if language.startswith("ru") else "en",
        "timeZone": str(zone),
        "whose": whose.value,
        "initialView": initial_view if initial_view in VIEWS else "timeGridWeek",
        "initialDate": wall_clock(initial_date, zone)[:10] if initial_date else None,
        "canMove": actor.can("activities", "change"),
        "texts": {
            "loadFailed": _("The calendar could not be loaded (%(status)s)."),
            "moveFailed": _("The entry could not be moved (%(status)s); it is back in its place."),
            "truncated": _("Too many entries in this period: only the first ones are shown. Narrow the period."),
            "moved": _("Saved."),
            "overdue": _("overdue"),
        },
    }
    return {
        "whose": whose,
        "members": calendar_members(actor).filter(is_active=True).order_by("user__full_name", "user__email"),
        "teams": calendar_teams(actor),
        "feed": calendar_feed_of(actor),
        "calendar_config": config,
        "zone_name": str(zone),
        "language": config["locale"],
        **extra,
    }


@permission_required("activities", "view")
@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    try:
        whose = _whose(actor, request.GET)
    except ValidationError:
        whose = calendar_whose(actor)
    return render(request, "activities/calendar.html", _page_context(request, actor, whose))


@permission_required("activities", "view")
@require_GET
def calendar_events(request: HttpRequest) -> HttpResponse:
    """The entries of a period as JSON: `start`, `end` (dates or wall-clock times of the
    member's zone; at most 100 days apart), optionally `user` or `team`."""
    actor = request.actor  # type: ignore[attr-defined]
    zone = member_zone(actor)
    try:
        whose = _whose(actor, request.GET)
        start, end = parse_period(request.GET.get("start"), request.GET.get("end"), zone)
    except ValidationError as error:
        return _invalid(error)
    except Http404:
        return _not_found()
    page = calendar_entries(actor, start=start, end=end, user_ids=whose.user_ids)
    return JsonResponse(
        {
            "events": [entry_json(entry, zone) for entry in page.entries],
            "truncated": page.truncated,
            "time_zone": str(zone),
            "whose": {"value": whose.value, "label": whose.label},
        }
    )


def _int(value: Any, field: str) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        message = _("Enter a whole number.") if value else _("This field is required.")
        raise ValidationError({field: [message]}) from None
    return number


def _when(value: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    return str(formats.date_format(timezone.localtime(value, zone), "SHORT_DATETIME_FORMAT"))


def _start_of(record: Model) -> dt.datetime:
    return record.due_at if isinstance(record, Task) else record.occurred_at  # type: ignore[attr-defined]


@actor_required
@require_POST
def calendar_move_view(request: HttpRequest) -> HttpResponse:
    """Drag and drop: POST `kind` (task or activity), `id`, `start` (and `end` for a
    resize of a meeting), `version`. JSON `{ok, version}`, or `{ok: false, error}` with
    400 (refused), 403, 404 or 409 (changed meanwhile: `current` holds its time)."""
    actor = request.actor  # type: ignore[attr-defined]
    zone = member_zone(actor)
    data = request.POST
    try:
        require(actor, "activities", "change")
        kind = data.get("kind", "")
        pk = _int(data.get("id"), "id")
        version = _int(data.get("version"), "version")
        start = parse_moment(data.get("start"), zone)
        if start is None:
            raise ValidationError({"start": [_("Enter a date and time.")]})
        end = None
        if data.get("end") and kind == "activity":
            end = parse_moment(data.get("end"), zone)
            if end is None:
                raise ValidationError({"end": [_("Enter a date and time.")]})
        moved = calendar_move(actor, kind=kind, pk=pk, start=start, end=end, version=version)
    except PermissionDenied:
        return _refusal(403, "permission_denied", _("Your role does not allow this action."))
    except Http404:
        return _not_found()
    except StaleVersion as stale:
        current = _start_of(stale.obj)
        what = (
            _("Someone else changed this task meanwhile; it is now due %(when)s.")
            if isinstance(stale.obj, Task)
            else _("Someone else changed this meeting meanwhile; it now starts %(when)s.")
        )
        return _refusal(
            409,
            "conflict",
            what % {"when": _when(current, zone)},
            current={"start": wall_clock(current, zone), "version": stale.current_version},
        )
    except ValidationError as error:
        return _invalid(error)
    start_at = _start_of(moved)
    return JsonResponse({"ok": True, "version": moved.version, "start": wall_clock(start_at, zone)})


# --- The iCalendar address --------------------------------------------------------------


def feed_address(request: HttpRequest, secret: str) -> str:
    return request.build_absolute_uri(reverse("activities:calendar_feed", kwargs={"token": secret}))


def _feed_panel(request: HttpRequest, actor: Membership, feed_url: str | None) -> HttpResponse:
    """The feed panel alone (an HTMX request) or the whole calendar page."""
    webcal = f"webcal://{feed_url.split('://', 1)[-1]}" if feed_url else None
    if request.htmx:  # type: ignore[attr-defined]
        context = {"feed": calendar_feed_of(actor), "feed_url": feed_url, "feed_webcal_url": webcal}
        return render(request, "activities/_calendar_feed.html", context)
    context = _page_context(request, actor, calendar_whose(actor), feed_url=feed_url, feed_webcal_url=webcal)
    return render(request, "activities/calendar.html", context)


@permission_required("activities", "view")
@require_POST
def calendar_feed_new(request: HttpRequest) -> HttpResponse:
    """A new private address (the old one stops working); shown in the answer only."""
    actor = request.actor  # type: ignore[attr-defined]
    _feed, secret = calendar_feed_create(actor)
    return _feed_panel(request, actor, feed_address(request, secret))


@permission_required("activities", "view")
@require_POST
def calendar_feed_revoke_view(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    revoked = calendar_feed_revoke(actor)
    if request.htmx:  # type: ignore[attr-defined]
        return _feed_panel(request, actor, None)
    if revoked is not None:
        messages.success(request, _("The calendar address has been revoked; it no longer works."))
    return HttpResponseRedirect(reverse("activities:calendar"))


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The public feed a calendar program polls: no log-in, the secret address is the key.
    Unknown or revoked addresses and members without access get 404."""
    member = calendar_feed_open(token)
    if member is None:
        raise Http404("calendar feed")
    body = feed_calendar(member, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="relata.ics"'
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


urls = [
    path("calendar/", calendar_page, name="calendar"),
    path("calendar/events/", calendar_events, name="calendar_events"),
    path("calendar/move/", calendar_move_view, name="calendar_move"),
    path("calendar/feed/new/", calendar_feed_new, name="calendar_feed_new"),
    path("calendar/feed/revoke/", calendar_feed_revoke_view, name="calendar_feed_revoke"),
    path("calendar/feed/<str:token>.ics", calendar_feed, name="calendar_feed"),
]
