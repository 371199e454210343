"""Tasks: create, change, reschedule, complete (logging the contact and planning the
next step in one go), cancel.

Who may assign: anyone with the activities "create" permission makes tasks for
themselves; giving a task to a colleague needs "assign". A task about a client goes only
to a colleague who can see that client, so nobody is asked to call a client they cannot
open.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relata.activities.models import Activity, Task, TaskPriority, TaskStatus, TaskType
from relata.activities.recurrence import next_occurrence, validate_rule
from relata.activities.services.common import (
    active_member,
    aware,
    member_sees_client,
    remind_minutes,
    text,
    visible_client,
)
from relata.core.access import get_visible, require
from relata.core.audit import diff, record_event, snapshot
from relata.core.concurrency import save_versioned
from relata.core.errors import invalid
from relata.core.models import Membership

FIELDS = [
    "type",
    "title",
    "description",
    "due_at",
    "priority",
    "assignee",
    "client",
    "remind_before",
    "remind_by_email",
    "recurrence",
]
# A form filled in a minute ago for "now" is not in the past.
PAST_SLACK = dt.timedelta(minutes=2)


@dataclass
class Completion:
    task: Task
    activity: Activity | None = None
    follow_up: Task | None = None
    next_occurrence: Task | None = None


def _task_type(actor: Membership, value: Any) -> TaskType:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = 0
    task_type = TaskType.objects.filter(workspace_id=actor.workspace_id, pk=pk, is_active=True).first()
    if task_type is None:
        raise invalid("type", _("Choose a type of task."))
    return task_type


def _apply(
    actor: Membership, task: Task, values: dict[str, Any], *, creating: bool, allow_past: bool, trusted: bool = False
) -> Membership | None:
    """Validate `values` onto `task`; returns the assignee's membership when given.
    `trusted`: the task comes from a rule or plan whose author could assign it."""
    if creating or "type" in values:
        task.type = _task_type(actor, values.get("type"))
    if creating or "title" in values:
        task.title = text(values, "title", 200) or (task.type.display_name if creating else "")
        if not task.title:
            raise invalid("title", _("Enter what is to be done."))
    if creating or "description" in values:
        task.description = text(values, "description", 10_000)
    if creating or "priority" in values:
        priority = str(values.get("priority") or TaskPriority.NORMAL)
        if priority not in TaskPriority.values:
            raise invalid("priority", _("Choose a priority."))
        task.priority = priority
    if creating or "due_at" in values:
        if values.get("due_at") in (None, ""):
            raise invalid("due_at", _("Enter when the task is due."))
        due_at = aware(values["due_at"], "due_at")
        if not allow_past and due_at < timezone.now() - PAST_SLACK and (creating or due_at != task.due_at):
            raise invalid("due_at", _("The due time is in the past."))
        task.due_at = due_at
    if creating or "client" in values:
        task.client = visible_client(actor, values["client"]) if values.get("client") not in (None, "") else None
    assignee = None
    if creating or "assignee" in values:
        wanted = values.get("assignee") or actor.user_id
        assignee = actor if str(wanted) == str(actor.user_id) else active_member(actor, wanted, "assignee")
        changes_hands = creating or assignee.user_id != task.assignee_id
        if assignee.user_id != actor.user_id and changes_hands and not trusted:
            require(actor, "activities", "assign")
        task.assignee_id = assignee.user_id
    if task.client is not None and (creating or "client" in values or "assignee" in values):
        member = assignee or active_member(actor, task.assignee_id, "assignee")
        if not member_sees_client(member, task.client):
            raise invalid(
                "assignee",
                _("%(name)s cannot see this client; choose its owner or a colleague who can.")
                % {"name": member.user.full_name or member.user.email},
            )
    if creating or "remind_before" in values:
        task.remind_before = remind_minutes(values.get("remind_before"))
    if creating or "remind_by_email" in values:
        task.remind_by_email = bool(values.get("remind_by_email"))
    if task.remind_by_email and task.remind_before is None:
        raise invalid("remind_by_email", _("Choose when to be reminded first."))
    if creating or "recurrence" in values:
        task.recurrence = validate_rule(str(values.get("recurrence") or ""), task.due_at, actor.workspace.time_zone)
    _schedule_reminder(task)
    return assignee


def _schedule_reminder(task: Task) -> None:
    """The reminder time follows the due time; a changed time is reminded of again."""
    remind_at = task.due_at - dt.timedelta(minutes=task.remind_before) if task.remind_before is not None else None
    if remind_at != task.remind_at:
        task.remind_at = remind_at
        task.reminded_at = None


def _event(actor: Membership, kind: str, task: Task, **extra: Any) -> None:
    record_event(
        kind=kind,
        workspace=actor.workspace,
        actor=actor.user,
        target=task,
        changes=extra.pop("changes", {}),
        data={"client": task.client_id, **extra},
    )


def task_create(
    actor: Membership,
    *,
    values: dict[str, Any],
    allow_past: bool = False,
    rule_id: int | None = None,
    plan_id: int | None = None,
) -> Task:
    """A new task (for the actor unless `values["assignee"]` names a colleague). Tasks
    of a rule or a mass plan (`rule_id`, `plan_id`) go to whoever the rule or plan
    chose, whether or not the member acting may assign."""
    require(actor, "activities", "create")
    task = Task(workspace_id=actor.workspace_id, created_by=actor.user, rule_id=rule_id, plan_id=plan_id)
    _apply(actor, task, values, creating=True, allow_past=allow_past, trusted=bool(rule_id or plan_id))
    with transaction.atomic():
        task.timeline_at = timezone.now()
        task.save()
        if task.recurrence:
            task.series = task
            Task.objects.filter(pk=task.pk).update(series=task)
        _event(actor, "task.created", task, changes=diff({}, snapshot(task, FIELDS)))
    return task


def task_update(actor: Membership, task_id: int, *, version: int, values: dict[str, Any]) -> Task:
    """Change an open task (only the keys given); a stale `version` is refused."""
    task = get_visible(actor, Task.objects.select_related("type", "client"), task_id, for_write=True)
    if not task.is_open:
        raise invalid("status", _("A finished task cannot be changed; reopen it first."))
    before = snapshot(task, FIELDS)
    _apply(actor, task, values, creating=False, allow_past=False)
    with transaction.atomic():
        save_versioned(task, expected_version=version, fields=[*FIELDS, "remind_at", "reminded_at"])
        changes = diff(before, snapshot(task, FIELDS))
        if changes:
            _event(actor, "task.changed", task, changes=changes)
    return task


def task_reschedule(actor: Membership, task_id: int, *, due_at: Any, version: int | None = None) -> Task:
    """Move an open task to another time (the calendar's drag and drop)."""
    task = get_visible(actor, Task, task_id, for_write=True)
    return task_update(actor, task.pk, version=task.version if version is None else version, values={"due_at": due_at})


def _claim_open(task: Task, values: dict[str, Any]) -> bool:
    """Close an open task with one conditional update: of two users completing the same
    task at once, one wins and the other is told it is already done."""
    return (
        Task.objects.filter(pk=task.pk, status=TaskStatus.OPEN).update(
            **values, version=task.version + 1, updated_at=timezone.now()
        )
        == 1
    )


def task_complete(
    actor: Membership,
    task_id: int,
    *,
    result: str = "",
    activity: dict[str, Any] | None = None,
    follow_up: dict[str, Any] | None = None,
) -> Completion:
    """Mark the task done with its result; optionally log the contact it was about
    (`activity`: values for `activity_log`, on the task's client) and plan the next step
    (`follow_up`: values for `task_create`, on the same client unless given). A recurring
    task gets its next occurrence. All or nothing."""
    from relata.activities.services.activities import activity_log

    task = get_visible(actor, Task.objects.select_related("type", "client"), task_id, for_write=True)
    if not task.is_open:
        raise invalid("status", _("This task is already finished."))
    result = text({"result": result}, "result", 10_000)
    if activity is not None and task.client is None:
        raise invalid("activity", _("The task is not about a client: there is no client to log the contact with."))
    done = Completion(task)
    with transaction.atomic():
        now = timezone.now()
        if not _claim_open(
            task,
            {
                "status": TaskStatus.DONE,
                "completed_at": now,
                "completed_by": actor.user,
                "result": result,
                "timeline_at": now,
            },
        ):
            raise invalid("status", _("This task is already finished."))
        task.refresh_from_db()
        if activity is not None:
            # The contact is about the task unless told otherwise.
            values = {"subject": task.title, "body": html.escape(result), **activity}
            done.activity = activity_log(actor, client_id=task.client_id or 0, values=values)
        if follow_up is not None:
            values = {"client": task.client_id, **follow_up}
            done.follow_up = task_create(actor, values=values)
        done.next_occurrence = _next_occurrence(actor, task)
        _event(
            actor,
            "task.completed",
            task,
            changes={"status": [TaskStatus.OPEN, TaskStatus.DONE]},
            result=result[:500],
            activity=done.activity.pk if done.activity else None,
            follow_up=done.follow_up.pk if done.follow_up else None,
        )
    return done


def _next_occurrence(actor: Membership, task: Task) -> Task | None:
    if not task.recurrence or task.series_id is None:
        return None
    series_start = Task.objects.filter(pk=task.series_id).values_list("due_at", flat=True).first() or task.due_at
    due_at = next_occurrence(task.recurrence, series_start, task.due_at, actor.workspace.time_zone)
    if due_at is None:
        return None
    following = Task(
        workspace_id=task.workspace_id,
        type_id=task.type_id,
        title=task.title,
        description=task.description,
        due_at=due_at,
        priority=task.priority,
        assignee_id=task.assignee_id,
        created_by_id=task.created_by_id,
        client_id=task.client_id,
        remind_before=task.remind_before,
        remind_by_email=task.remind_by_email,
        recurrence=task.recurrence,
        series_id=task.series_id,
        occurrence=task.occurrence + 1,
        timeline_at=timezone.now(),
    )
    _schedule_reminder(following)
    try:
        with transaction.atomic():
            following.save()
    except IntegrityError:  # this occurrence exists already
        return None
    _event(
        actor, "task.created", following, changes=diff({}, snapshot(following, FIELDS)), occurrence=following.occurrence
    )
    return following


def task_cancel(actor: Membership, task_id: int, *, reason: str = "") -> Task:
    """Cancel an open task (a recurring one stops repeating)."""
    task = get_visible(actor, Task, task_id, for_write=True)
    reason = text({"result": reason}, "result", 10_000)
    with transaction.atomic():
        now = timezone.now()
        if not _claim_open(
            task,
            {
                "status": TaskStatus.CANCELLED,
                "completed_at": now,
                "completed_by": actor.user,
                "result": reason,
                "timeline_at": now,
            },
        ):
            raise invalid("status", _("This task is already finished."))
        task.refresh_from_db()
        _event(
            actor,
            "task.cancelled",
            task,
            changes={"status": [TaskStatus.OPEN, TaskStatus.CANCELLED]},
            result=reason[:500],
        )
    return task


def task_reopen(actor: Membership, task_id: int) -> Task:
    """Open a finished task again (a wrong click on "done")."""
    task = get_visible(actor, Task, task_id, for_write=True)
    if task.is_open:
        raise invalid("status", _("This task is open."))
    previous = task.status
    try:
        with transaction.atomic():
            updated = Task.objects.filter(pk=task.pk, version=task.version, status=previous).update(
                status=TaskStatus.OPEN,
                completed_at=None,
                completed_by=None,
                version=task.version + 1,
                updated_at=timezone.now(),
                timeline_at=timezone.now(),
            )
            if not updated:
                raise invalid("status", _("Someone else changed this task meanwhile; reload it."))
            task.refresh_from_db()
            _event(actor, "task.reopened", task, changes={"status": [previous, TaskStatus.OPEN]})
    except IntegrityError:
        raise invalid("status", _("The rule that made this task has another open task for the client.")) from None
    return task


def task_delete(actor: Membership, task_id: int) -> None:
    task = get_visible(actor, Task, task_id, for_write=True, action="delete")
    with transaction.atomic():
        _event(actor, "task.deleted", task, changes=diff(snapshot(task, FIELDS), {}))
        task.delete()
