from __future__ import annotations

from django.db.models import QuerySet

from relata.core.models import Membership, Notification


def notifications_of(actor: Membership) -> QuerySet[Notification]:
    """The actor's own notifications, newest first (nobody reads another's)."""
    return Notification.objects.filter(workspace_id=actor.workspace_id, user_id=actor.user_id).order_by("-id")


def unread_count(actor: Membership) -> int:
    return notifications_of(actor).filter(read_at=None).count()


def latest_notification_id(actor: Membership) -> int:
    return notifications_of(actor).values_list("pk", flat=True).first() or 0
