"""Mass planning: the same task for every client of a segment, a filtered list or a
selection, spread over managers (each client's owner by default) and days (so many a
day per manager), as a job with progress.

The job is resumable: clients are taken in id order, a plan makes at most one task per
client (a partial unique index), and a resumed job recounts what each manager already
has so that the spreading continues where it stopped.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relata.activities.models import Task, TaskPlan, TaskPriority, TaskType
from relata.activities.services.common import active_member, as_int, remind_minutes, text
from relata.activities.services.tasks import task_create
from relata.clients.models import Client, ClientKind
from relata.clients.selectors.clients import clients_visible_to
from relata.clients.selectors.lists import queryset_for_params
from relata.core.access import require
from relata.core.audit import record_event
from relata.core.errors import invalid
from relata.core.jobs import JobContext, job_handler
from relata.core.models import Job, Membership
from relata.core.services.jobs import job_start

CHUNK = 200
MAX_PER_DAY = 500


def plan_targets(
    actor: Membership, *, kind: str = "", ids: list[int] | None = None, query: str = ""
) -> QuerySet[Client]:
    """The clients a plan would cover, within the actor's scope, in id order: the
    selection `ids`, or the list of `kind` that the query string `query` shows (its
    filters, search and `segment=<id>`)."""
    if ids:
        queryset = clients_visible_to(actor, kind or None).filter(pk__in=ids)
    else:
        queryset = queryset_for_params(actor, kind, query)
    return queryset.order_by("pk")


def _targets(actor: Membership, params: dict[str, Any]) -> QuerySet[Client]:
    return plan_targets(actor, kind=params.get("kind", ""), ids=params.get("ids"), query=params.get("query", ""))


def nth_day(start: dt.date, n: int, weekdays_only: bool) -> dt.date:
    """The `n`-th (0-based) working day from `start`: every day, or Monday to Friday."""
    if not weekdays_only:
        return start + dt.timedelta(days=n)
    while start.weekday() >= 5:  # a weekend start moves to Monday
        start += dt.timedelta(days=1)
    weeks, rest = divmod(n, 5)
    day = start + dt.timedelta(weeks=weeks)
    for _n in range(rest):
        day += dt.timedelta(days=3 if day.weekday() == 4 else 1)
    return day


def due_for(params: dict[str, Any], index: int, tz_name: str) -> dt.datetime:
    """When the `index`-th task (0-based) of one manager is due."""
    per_day = int(params["per_day"])
    start = dt.date.fromisoformat(params["start_date"])
    day = nth_day(start, index // per_day, bool(params.get("weekdays_only")))
    slot = index % per_day
    at = dt.time.fromisoformat(params["time"])
    local = dt.datetime.combine(day, at) + dt.timedelta(minutes=int(params.get("interval") or 0) * slot)
    return local.replace(tzinfo=zoneinfo.ZoneInfo(tz_name))


def plan_start(
    actor: Membership,
    *,
    kind: str = "",
    ids: list[int] | None = None,
    query: str = "",
    values: dict[str, Any],
) -> Job:
    """Check the plan and start its job. `ids` (a selection) or `kind` with `query` (a
    list's filters or `segment=<id>`) name the clients; `values` the task and spreading:
    title, type, description, priority, remind_before, managers (user ids; empty: each
    client's owner), start_date, per_day, weekdays_only, time, interval (minutes)."""
    require(actor, "activities", "create")
    try:
        ids = sorted({int(pk) for pk in ids or []})
    except (TypeError, ValueError):
        raise invalid("ids", _("Choose the clients from a list.")) from None
    if (kind and kind not in ClientKind.values) or (not ids and not kind):
        raise invalid("kind", _("Choose companies or people."))
    task_type = TaskType.objects.filter(
        workspace_id=actor.workspace_id, pk=as_int(values.get("type")), is_active=True
    ).first()
    if task_type is None:
        raise invalid("type", _("Choose a type of task."))
    title = text(values, "title", 200) or task_type.display_name
    priority = str(values.get("priority") or TaskPriority.NORMAL)
    if priority not in TaskPriority.values:
        raise invalid("priority", _("Choose a priority."))
    chosen = values.get("managers") or []
    if not isinstance(chosen, list | tuple):
        chosen = [chosen]
    managers = sorted({active_member(actor, pk, "managers").user_id for pk in chosen})
    per_day = as_int(values.get("per_day"))
    if per_day < 1 or per_day > MAX_PER_DAY:
        raise invalid("per_day", _("Enter between 1 and %(max)d tasks a day.") % {"max": MAX_PER_DAY})
    tz = zoneinfo.ZoneInfo(actor.workspace.time_zone)
    try:
        start = dt.date.fromisoformat(str(values.get("start_date") or ""))
    except ValueError:
        raise invalid("start_date", _("Enter the first day.")) from None
    if start < timezone.localtime(timezone.now(), tz).date():
        raise invalid("start_date", _("The first day is in the past."))
    try:
        at = dt.time.fromisoformat(str(values.get("time") or "10:00"))
    except ValueError:
        raise invalid("time", _("Enter a time, e.g. 10:00.")) from None
    interval = as_int(values.get("interval"))
    if interval < 0 or at.hour * 60 + at.minute + interval * (per_day - 1) >= 24 * 60:
        raise invalid(
            "interval", _("The tasks of a day must fit in the day: start earlier or leave less time between them.")
        )
    remind_before = remind_minutes(values.get("remind_before"))
    params = {
        "kind": kind,
        "ids": ids,
        "query": query,
        "type": task_type.pk,
        "title": title,
        "description": text(values, "description", 10_000),
        "priority": priority,
        "remind_before": remind_before,
        "managers": managers,
        "start_date": start.isoformat(),
        "per_day": per_day,
        "weekdays_only": bool(values.get("weekdays_only")),
        "time": at.isoformat(timespec="minutes"),
        "interval": interval,
    }
    targets = _targets(actor, params)
    total = targets.count()
    if total == 0:
        raise invalid("ids", _("No client you can see matches."))
    if managers:
        for_others = any(pk != actor.user_id for pk in managers)
    else:
        for_others = targets.exclude(owner_id=actor.user_id).exists()
    if for_others:  # tasks for colleagues: the planner must be allowed to assign
        require(actor, "activities", "assign")
    with transaction.atomic():
        plan = TaskPlan.objects.create(
            workspace_id=actor.workspace_id, created_by=actor.user, title=title, params=params
        )
        job = job_start(actor, kind="activities.mass_plan", params={"plan": plan.pk}, total=total)
        TaskPlan.objects.filter(pk=plan.pk).update(job=job)
    return job


@job_handler("activities.mass_plan", gettext_lazy("Mass planning of tasks"))
def plan_job(actor: Membership, context: JobContext) -> dict[str, Any]:
    require(actor, "activities", "create")
    plan = TaskPlan.objects.get(workspace_id=actor.workspace_id, pk=context.params["plan"])
    params = plan.params
    targets = _targets(actor, params)
    total = targets.count()
    # Where a resumed job stands: tasks per manager, the last client done.
    made = Counter(Task.objects.filter(plan=plan).values_list("assignee_id", flat=True))
    last_pk = Task.objects.filter(plan=plan).aggregate(last=Max("client_id"))["last"] or 0
    done = targets.filter(pk__lte=last_pk).count()
    managers: list[int] = params["managers"]
    skipped = 0
    context.progress(done, total, force=True)
    while True:
        chunk = list(targets.filter(pk__gt=last_pk).select_related(None).only("pk", "owner_id")[:CHUNK])
        if not chunk:
            break
        for client in chunk:
            assignee = managers[sum(made.values()) % len(managers)] if managers else client.owner_id
            values = {
                "type": params["type"],
                "title": params["title"],
                "description": params["description"],
                "priority": params["priority"],
                "remind_before": params["remind_before"],
                "assignee": assignee,
                "client": client.pk,
                "due_at": due_for(params, made[assignee], actor.workspace.time_zone),
            }
            try:
                with transaction.atomic():
                    task_create(actor, values=values, plan_id=plan.pk, allow_past=True)
                made[assignee] += 1
            except (IntegrityError, ValidationError):
                skipped += 1  # made already, or the manager cannot take this client
            last_pk = client.pk
            done += 1
        context.progress(done, max(total, done))
    created = sum(made.values())
    TaskPlan.objects.filter(pk=plan.pk).update(created_count=created)
    record_event(
        kind="task_plan.finished",
        workspace=actor.workspace,
        actor=actor.user,
        target=plan,
        data={"created": created, "skipped": skipped, "managers": managers or "owners"},
    )
    return {"plan": plan.pk, "created": created, "skipped": skipped}
