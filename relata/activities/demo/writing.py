"""Storing the demo's story in bulk: the activities with their contact persons and the
colleagues taking part, and the tasks (recurring ones linked to their series), all
stamped with when they happened rather than when the demo was made.

No "activity.logged" or "task.*" events are written: nothing but the audit log reads
them (a client's timeline reads the activities and tasks themselves), twelve thousand
invented entries would bury the demo's own audit trail, and they would double the
step's time.
"""

from __future__ import annotations

from django.db.models import F

from relata.activities.demo.drawing import Drawing
from relata.activities.models import Activity, ActivityContact, Task, TaskStatus

BATCH = 1000


def write_activities(story: Drawing) -> None:
    """Store the activities and their links. Creation stamps: when it happened (a
    meeting still ahead: when it was agreed)."""
    rows = story.activities
    Activity.objects.bulk_create([r.activity for r in rows], batch_size=BATCH)
    ActivityContact.objects.bulk_create(
        [ActivityContact(activity_id=r.activity.pk, person_id=pk) for r in rows for pk in r.contacts],
        batch_size=BATCH,
    )
    Activity.participants.through.objects.bulk_create(
        [Activity.participants.through(activity_id=r.activity.pk, user_id=pk) for r in rows for pk in r.participants],
        batch_size=BATCH,
    )
    # auto_now_add stamped "now": put back the dates (one statement for the past ones).
    ours = Activity.objects.filter(workspace_id=story.workspace_id)
    ours.filter(occurred_at__lte=story.now).update(created_at=F("occurred_at"), updated_at=F("occurred_at"))
    ahead = [r for r in rows if r.activity.occurred_at > story.now]
    for row in ahead:
        row.activity.created_at = row.activity.updated_at = row.created_at
    Activity.objects.bulk_update([r.activity for r in ahead], ["created_at", "updated_at"], batch_size=BATCH)
    for row in rows:
        row.activity.created_at = row.activity.updated_at = row.created_at


def write_tasks(story: Drawing) -> None:
    """Store the tasks. `timeline_at` carries each task's creation time through the
    insert: the stamps are set from it, then finished tasks move to their completion
    time, as `task_complete` does."""
    rows = story.tasks
    completed = {id(r.task): r.task.timeline_at for r in rows}
    for row in rows:
        row.task.timeline_at = row.created_at
    Task.objects.bulk_create([r.task for r in rows], batch_size=BATCH)
    ours = Task.objects.filter(workspace_id=story.workspace_id)
    ours.update(created_at=F("timeline_at"), updated_at=F("timeline_at"))
    ours.exclude(status=TaskStatus.OPEN).update(timeline_at=F("completed_at"), updated_at=F("completed_at"))
    series = [r for r in rows if r.task.recurrence]
    for row in series:
        row.task.series_id = (row.first or row).task.pk
    Task.objects.bulk_update([r.task for r in series], ["series"])
    for row in rows:
        row.task.created_at = row.created_at
        row.task.timeline_at = completed[id(row.task)]
        row.task.updated_at = row.task.completed_at or row.created_at
