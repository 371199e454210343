"""Task reminders, delivered by the worker's periodic sweep (Celery beat, every few
seconds).

Exactly once: a reminder is claimed by setting `reminded_at` with a conditional update
(`reminded_at IS NULL`), and the claim, the in-app notification and the e-mail's outbox
row are written in one transaction. A worker killed before the commit leaves nothing, so
the next sweep delivers it; a sweep that runs twice (two workers, a redelivered message)
finds it claimed. The notification's key (task and reminder time) is unique as well, a
second lock should the claim ever be bypassed. On PostgreSQL concurrent sweeps skip the
rows another one holds (`FOR UPDATE SKIP LOCKED`) instead of waiting for them.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from relata.activities.models import Task, TaskStatus
from relata.core.models import Membership
from relata.core.services.notifications import email_enqueue, notify

log = logging.getLogger(__name__)
BATCH = 200


def _due(now: dt.datetime) -> list[int]:
    queryset = Task.objects.filter(status=TaskStatus.OPEN, reminded_at=None, remind_at__lte=now).order_by("remind_at")
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True, of=("self",))
    return list(queryset.values_list("pk", flat=True)[:BATCH])


def _language(task: Task) -> str:
    member = (
        Membership.objects.filter(workspace_id=task.workspace_id, user_id=task.assignee_id)
        .select_related("user", "workspace")
        .first()
    )
    if member is None:
        return settings.LANGUAGE_CODE
    return member.user.language or member.workspace.language or settings.LANGUAGE_CODE


def _deliver(task: Task, now: dt.datetime) -> bool:
    claimed = Task.objects.filter(
        pk=task.pk, status=TaskStatus.OPEN, reminded_at=None, remind_at=task.remind_at
    ).update(reminded_at=now)
    if not claimed:
        return False
    key = f"task-reminder:{task.pk}:{task.remind_at.isoformat() if task.remind_at else ''}"
    url = reverse("activities:task", args=[task.pk])
    with translation.override(_language(task)), timezone.override(task.workspace.time_zone):
        due = formats.date_format(timezone.localtime(task.due_at), "SHORT_DATETIME_FORMAT")
        title = _("Reminder: %(title)s") % {"title": task.title}
        client = task.client.name if task.client_id and task.client else ""
        body = _("Due %(due)s") % {"due": due} + (f" · {client}" if client else "")
        notify(
            workspace_id=task.workspace_id,
            user_id=task.assignee_id,
            kind="task.reminder",
            key=key,
            title=title,
            body=body,
            url=url,
        )
        if task.remind_by_email and task.assignee.email:
            email_enqueue(
                workspace_id=task.workspace_id,
                key=key,
                to=task.assignee.email,
                subject=title,
                body=f"{title}\n{body}\n\n{settings.RELATA_BASE_URL.rstrip('/')}{url}\n",
            )
    return True


def reminders_deliver(now: dt.datetime | None = None) -> int:
    """Deliver every reminder that is due; returns how many were delivered."""
    now = now or timezone.now()
    delivered = 0
    while True:
        before = delivered
        with transaction.atomic():
            ids = _due(now)
            if not ids:
                return delivered
            tasks = Task.objects.filter(pk__in=ids).select_related("client", "assignee", "workspace")
            for task in tasks:
                try:
                    with transaction.atomic():  # one bad task must not hold back the others
                        delivered += _deliver(task, now)
                except Exception:
                    log.exception("reminder of task %s not delivered; tried again at the next sweep", task.pk)
        if len(ids) < BATCH or delivered == before:
            return delivered
