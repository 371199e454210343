"""The calendar's writes: moving entries (through the task and activity services) and
the member's private iCalendar address.

The address is a secret in the URL: only its SHA-256 is stored, so it is shown once when
created. A member has at most one address in use; creating a new one revokes the old one,
and a revoked address answers 404 at once.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from relata.activities.models import SCHEDULED_KINDS, Activity, CalendarFeed, Task
from relata.activities.services.activities import MAX_DURATION, activity_update
from relata.activities.services.tasks import task_reschedule
from relata.core.access import get_visible, require
from relata.core.audit import record_event
from relata.core.errors import invalid
from relata.core.models import Membership
from relata.core.services.tokens import hash_token

PREFIX_LENGTH = 8
# last_used_at is written at most this often, however often a calendar program polls.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
MAX_SECRET_LENGTH = 100


def calendar_move(
    actor: Membership,
    *,
    kind: str,
    pk: int,
    start: dt.datetime,
    end: dt.datetime | None = None,
    version: int,
) -> Task | Activity:
    """Move a task to `start` (its new due time), or a meeting/visit to `start`, and with
    `end` also change its length (a resize). The task and activity services validate
    (a due time in the past, a finished task) and refuse a stale `version`."""
    if kind == "task":
        return task_reschedule(actor, pk, due_at=start, version=version)
    if kind != "activity":
        raise invalid("kind", _("Only tasks, meetings and visits can be moved."))
    activity = get_visible(actor, Activity, pk, for_write=True)
    if activity.kind not in SCHEDULED_KINDS:
        raise invalid("kind", _("Only tasks, meetings and visits can be moved."))
    values: dict[str, object] = {"occurred_at": start}
    if end is not None:
        if end <= start:
            raise invalid("end", _("The end must be after the start."))
        seconds = int((end - start).total_seconds())
        if seconds > MAX_DURATION:
            raise invalid("end", _("A meeting can last at most 24 hours."))
        values["duration"] = seconds
    return activity_update(actor, activity.pk, version=version, values=values)


# --- The iCalendar address --------------------------------------------------------------


def _revoke_all(actor: Membership, now: dt.datetime) -> list[CalendarFeed]:
    feeds = list(
        CalendarFeed.objects.select_for_update().filter(
            workspace_id=actor.workspace_id, user_id=actor.user_id, revoked_at__isnull=True
        )
    )
    CalendarFeed.objects.filter(pk__in=[feed.pk for feed in feeds]).update(revoked_at=now, updated_at=now)
    return feeds


@transaction.atomic
def calendar_feed_create(actor: Membership) -> tuple[CalendarFeed, str]:
    """A new private address of the actor's calendar; the previous one stops working.
    Returns the feed and its secret, which is not stored and cannot be shown again."""
    require(actor, "activities", "view")
    now = timezone.now()
    replaced = _revoke_all(actor, now)
    secret = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        workspace_id=actor.workspace_id,
        user_id=actor.user_id,
        token_hash=hash_token(secret),
        prefix=secret[:PREFIX_LENGTH],
    )
    record_event(
        kind="calendar_feed.created",
        workspace=actor.workspace,
        actor=actor.user,
        target=feed,
        data={"prefix": feed.prefix, "replaced": [old.prefix for old in replaced]},
    )
    return feed, secret


@transaction.atomic
def calendar_feed_revoke(actor: Membership) -> CalendarFeed | None:
    """Revoke the actor's address in use (idempotent: None when there was none)."""
    require(actor, "activities", "view")
    revoked = _revoke_all(actor, timezone.now())
    for feed in revoked:
        record_event(
            kind="calendar_feed.revoked",
            workspace=actor.workspace,
            actor=actor.user,
            target=feed,
            data={"prefix": feed.prefix},
        )
    return revoked[0] if revoked else None


def calendar_feed_open(secret: str, now: dt.datetime | None = None) -> Membership | None:
    """The member whose feed `secret` opens, or None: an unknown or revoked address, a
    deactivated member or user, a workspace switched off, or a member who may no longer
    read activities. Notes the use at most once a minute."""
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return None
    feed = CalendarFeed.objects.filter(token_hash=hash_token(secret), revoked_at__isnull=True).first()
    if feed is None:
        return None
    member = (
        Membership.objects.select_related("user", "workspace", "role", "team")
        .filter(workspace_id=feed.workspace_id, user_id=feed.user_id)
        .first()
    )
    if member is None or not (member.is_active and member.user.is_active and member.workspace.is_active):
        return None
    if not member.can("activities", "view"):
        return None
    now = now or timezone.now()
    CalendarFeed.objects.filter(pk=feed.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    return member
