"""The demo's tasks apart from the sales: the weekly sales meeting and the monthly
report, repeating (past occurrences done, the current one open); then the due times of
the open tasks — each assignee gets some overdue, some due today and most over the
next weeks — and their reminders: one whose time has passed was delivered then, only
those ahead stay pending, so starting the demo fires none."""

from __future__ import annotations

import datetime as dt

from relata.activities.demo.drawing import PAST_MARGIN, Drawing, TaskRow
from relata.activities.demo.vocabulary import TASKS
from relata.activities.models import Task, TaskStatus
from relata.activities.recurrence import next_occurrence, validate_rule

# Open tasks per assignee cycle through this: a fifth overdue, a tenth due today, the
# rest over the next weeks, so every manager's "My tasks" shows all three.
DUE_PATTERN = ["upcoming", "overdue", "today", "upcoming", "upcoming", "overdue", "upcoming", "upcoming", "upcoming"]
DUE_PATTERN += ["upcoming"]


def recurring(d: Drawing, assignee: int, created_by: int, title: str, rule: str, first_due: dt.datetime) -> None:
    """A repeating task: its past occurrences done (each completion created the
    next one, as `task_complete` does), the current one open."""
    rule = validate_rule(rule, first_due, d.time_zone)
    due: dt.datetime | None = first_due
    created = first_due - dt.timedelta(days=3)
    first: TaskRow | None = None
    occurrence = 1
    while due is not None:
        finished = due + dt.timedelta(minutes=d.rng.randrange(20, 90))
        done = finished < d.now - PAST_MARGIN
        task = Task(
            workspace_id=d.workspace_id,
            type_id=d.types["meeting" if "WEEKLY" in rule else "send_documents"],
            title=title,
            due_at=due,
            assignee_id=assignee,
            created_by_id=created_by,
            recurrence=rule,
            occurrence=occurrence,
            remind_before=15,
            remind_at=due - dt.timedelta(minutes=15),
            timeline_at=finished if done else created,
        )
        if done:
            task.status, task.completed_at, task.completed_by_id = TaskStatus.DONE, finished, assignee
            task.result, task.version = d.rng.choice(TASKS["ru"]["result_routine"]), 2
            task.reminded_at = task.remind_at
        row = TaskRow(task, created, first=first)
        d.tasks.append(row)
        first = first or row
        if not done:
            return
        created = finished
        due = next_occurrence(rule, first_due, due, d.time_zone)
        occurrence += 1


def routine(d: Drawing) -> None:
    """The sales team's weekly meeting for both managers, a monthly report for the
    head of sales."""
    head = d.members["head"]
    today = d.local(d.now).date()
    monday = today - dt.timedelta(days=today.weekday() + 7 * 5)
    start = dt.datetime.combine(monday, dt.time(10, 0), tzinfo=d.tz).astimezone(dt.UTC)
    for key in ("manager", "manager2"):
        if key in d.members:
            title = d.rng.choice(TASKS["ru"]["weekly"])
            recurring(d, d.members[key], head, title, "FREQ=WEEKLY;BYDAY=MO;COUNT=10", start)
    first_day = (today.replace(day=1) - dt.timedelta(days=100)).replace(day=3)
    report = dt.datetime.combine(first_day, dt.time(12, 0), tzinfo=d.tz).astimezone(dt.UTC)
    recurring(d, head, head, TASKS["ru"]["monthly"][0], "FREQ=MONTHLY;BYMONTHDAY=3;COUNT=12", report)


def schedule(d: Drawing) -> None:
    """Give open tasks their due times (each assignee: some overdue, some today, most
    over the next three weeks) and settle reminders: one whose time has passed was
    delivered then; only reminders ahead stay pending."""
    rng = d.rng
    local_now = d.local(d.now)
    day_end = (local_now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    counters: dict[int, int] = {}
    for row in d.tasks:
        task = row.task
        if task.status != TaskStatus.OPEN:
            continue
        if row.bucket == "pending":
            n = counters.get(task.assignee_id, 0)
            counters[task.assignee_id] = n + 1
            row.bucket = DUE_PATTERN[n % len(DUE_PATTERN)]
            if row.bucket == "overdue":
                task.due_at = d.work_time(local_now.date() - dt.timedelta(days=rng.randint(1, 12)))
                task.due_at = min(task.due_at, d.now - dt.timedelta(hours=2))
            elif row.bucket == "today":
                room = (day_end - local_now).total_seconds()
                task.due_at = d.now + dt.timedelta(seconds=room * rng.uniform(0.3, 0.9))
            else:
                task.due_at = d.work_time(local_now.date() + dt.timedelta(days=rng.randint(1, 21)))
            task.due_at = task.due_at.replace(second=0, microsecond=0)
            # Planned in the last weeks before it is due, never ahead of now.
            planned = d.work_time(d.local(task.due_at).date() - dt.timedelta(days=rng.randint(1, 20)))
            row.created_at = min(max(row.created_at, planned), d.now - dt.timedelta(hours=1))
            task.timeline_at = row.created_at
        if task.remind_before is None:
            continue
        task.remind_at = task.due_at - dt.timedelta(minutes=task.remind_before)
        if task.remind_at <= d.now:
            task.reminded_at = task.remind_at
        elif task.remind_at <= d.now + PAST_MARGIN:
            task.remind_before, task.remind_at, task.remind_by_email = None, None, False
