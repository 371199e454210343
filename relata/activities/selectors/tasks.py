from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from relata.activities.models import Task, TaskStatus, TaskType
from relata.core.access import get_visible, scope_queryset
from relata.core.models import Membership


def tasks_visible_to(actor: Membership) -> QuerySet[Task]:
    """Tasks of the assignees within the actor's scope (own, team subtree, all)."""
    return scope_queryset(actor, Task.objects.all()).select_related("type", "assignee", "client")


def task_get(actor: Membership, pk: int | str) -> Task:
    return get_visible(actor, tasks_visible_to(actor).select_related("created_by", "completed_by"), pk)


def task_types_in_use(actor: Membership) -> QuerySet[TaskType]:
    return TaskType.objects.filter(workspace_id=actor.workspace_id, is_active=True).order_by("position", "id")


@dataclass(frozen=True)
class Day:
    start: dt.datetime
    end: dt.datetime


def today_for(actor: Membership, now: dt.datetime | None = None) -> Day:
    """Today in the actor's time zone (the user's, else the workspace's)."""
    tz = zoneinfo.ZoneInfo(actor.user.time_zone or actor.workspace.time_zone)
    local = timezone.localtime(now or timezone.now(), tz)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return Day(start, start + dt.timedelta(days=1))


def open_tasks(queryset: QuerySet[Task]) -> QuerySet[Task]:
    return queryset.filter(status=TaskStatus.OPEN)


def bucket(queryset: QuerySet[Task], name: str, day: Day, now: dt.datetime | None = None) -> QuerySet[Task]:
    """Open tasks that are overdue, due today (not yet overdue) or upcoming."""
    now = now or timezone.now()
    queryset = open_tasks(queryset)
    if name == "overdue":
        return queryset.filter(due_at__lt=now).order_by("due_at", "id")
    if name == "today":
        return queryset.filter(due_at__gte=now, due_at__lt=day.end).order_by("due_at", "id")
    if name == "upcoming":
        return queryset.filter(due_at__gte=day.end).order_by("due_at", "id")
    raise ValueError(name)


def overdue_count(actor: Membership) -> int:
    return (
        open_tasks(tasks_visible_to(actor).filter(assignee_id=actor.user_id)).filter(due_at__lt=timezone.now()).count()
    )
