"""Task rules: tasks the CRM creates by itself.

- On an activity ("3 days after a price list was sent, call back"): checked by
  `activity_log` for every new activity, in its transaction.
- On silence ("no contact for 60 days with a client of segment A → a task to its
  owner"): checked by the worker every hour (`rules_run_silence`).

A rule never creates a second task for a client while one of its tasks is open (checked
first, and guaranteed by a partial unique index). A rule whose task cannot be made (its
fixed assignee left, cannot see the client) skips that client and logs why; it never
stops the activity from being logged.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from relata.activities.models import (
    Activity,
    ActivityKind,
    AssigneePolicy,
    Outcome,
    RuleTrigger,
    Task,
    TaskPriority,
    TaskRule,
    TaskStatus,
    TaskType,
)
from relata.activities.richtext import plain_text
from relata.activities.services.common import active_member, as_int, remind_minutes, text
from relata.activities.services.tasks import task_create
from relata.clients.models import Client, Segment
from relata.clients.selectors.clients import clients_visible_to
from relata.clients.selectors.lists import segment_queryset
from relata.clients.selectors.segments import segments_visible_to
from relata.core.access import get_visible, require
from relata.core.audit import diff, record_event, snapshot
from relata.core.concurrency import save_versioned
from relata.core.errors import invalid
from relata.core.models import Membership

log = logging.getLogger(__name__)

FIELDS = [
    "name",
    "is_active",
    "trigger",
    "activity_kind",
    "activity_text",
    "activity_outcome",
    "segment",
    "silence_days",
    "task_type",
    "task_title",
    "delay_days",
    "due_time",
    "priority",
    "remind_before",
    "assignee_policy",
    "assignee",
]
# One hourly run creates at most this many tasks per rule; the rest come next time.
SILENCE_BATCH = 2_000
MAX_DAYS = 3650


# --- Defining rules (administrators) --------------------------------------------------


def _days(values: dict[str, Any], name: str, *, required: bool = False) -> int | None:
    value = values.get(name)
    if value in (None, ""):
        if required:
            raise invalid(name, _("Enter a number of days."))
        return None
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise invalid(name, _("Enter a whole number of days.")) from None
    if days < (1 if name == "silence_days" else 0) or days > MAX_DAYS:
        raise invalid(
            name,
            _("Enter between %(low)d and %(high)d days.")
            % {"low": 1 if name == "silence_days" else 0, "high": MAX_DAYS},
        )
    return days


def _apply(actor: Membership, rule: TaskRule, values: dict[str, Any], *, creating: bool) -> None:
    def given(name: str) -> bool:
        return creating or name in values

    if given("name"):
        rule.name = text(values, "name", 150)
        if not rule.name:
            raise invalid("name", _("Enter a name."))
    if given("is_active"):
        rule.is_active = bool(values.get("is_active", True))
    if given("trigger"):
        trigger = str(values.get("trigger") or "")
        if trigger not in RuleTrigger.values:
            raise invalid("trigger", _("Choose when the rule acts."))
        rule.trigger = trigger
    if given("activity_kind"):
        kind = str(values.get("activity_kind") or "")
        if kind and kind not in ActivityKind.values:
            raise invalid("activity_kind", _("Choose a kind of activity."))
        rule.activity_kind = kind
    if given("activity_text"):
        rule.activity_text = text(values, "activity_text", 100)
    if given("activity_outcome"):
        value = values.get("activity_outcome")
        rule.activity_outcome = None
        if value not in (None, ""):
            rule.activity_outcome = Outcome.objects.filter(workspace_id=actor.workspace_id, pk=as_int(value)).first()
            if rule.activity_outcome is None:
                raise invalid("activity_outcome", _("Choose an outcome from the list."))
    if given("segment"):
        value = values.get("segment")
        current_segment = rule.segment_id
        rule.segment = None
        if value not in (None, ""):
            # A segment the administrator may use (shared or their own), or the one the
            # rule has already.
            usable = segments_visible_to(actor) | Segment.objects.filter(
                workspace_id=actor.workspace_id, pk=current_segment or 0
            )
            rule.segment = usable.filter(pk=as_int(value)).first()
            if rule.segment is None:
                raise invalid("segment", _("Choose a segment."))
    if given("silence_days"):
        rule.silence_days = _days(values, "silence_days")
    if given("task_type"):
        # A type in use; a rule keeps its own type even if it was taken out of use since.
        task_type = (
            TaskType.objects.filter(workspace_id=actor.workspace_id, pk=as_int(values.get("task_type")))
            .filter(Q(is_active=True) | Q(pk=rule.task_type_id or 0))
            .first()
        )
        if task_type is None:
            raise invalid("task_type", _("Choose a type of task."))
        rule.task_type = task_type
    if given("task_title"):
        rule.task_title = text(values, "task_title", 200)
    if given("delay_days"):
        rule.delay_days = _days(values, "delay_days") or 0
    if given("due_time"):
        rule.due_time = _time(values.get("due_time"))
    if given("priority"):
        priority = str(values.get("priority") or TaskPriority.NORMAL)
        if priority not in TaskPriority.values:
            raise invalid("priority", _("Choose a priority."))
        rule.priority = priority
    if given("remind_before"):
        value = values.get("remind_before")
        rule.remind_before = None if value in (None, "") else remind_minutes(value)
    if given("assignee_policy"):
        policy = str(values.get("assignee_policy") or AssigneePolicy.OWNER)
        if policy not in AssigneePolicy.values:
            raise invalid("assignee_policy", _("Choose who gets the task."))
        rule.assignee_policy = policy
    if given("assignee"):
        value = values.get("assignee")
        rule.assignee_id = active_member(actor, value, "assignee").user_id if value not in (None, "") else None
    if rule.assignee_policy != AssigneePolicy.USER:
        rule.assignee_id = None  # only a rule for a chosen colleague names one
    # What each trigger needs; the other trigger's conditions are dropped (a segment
    # kept on an activity rule would stop the segment from being deleted, unseen).
    if rule.trigger == RuleTrigger.SILENCE:
        rule.activity_kind, rule.activity_text, rule.activity_outcome = "", "", None
        if not rule.silence_days:
            raise invalid("silence_days", _("Enter after how many days without contact the rule acts."))
        if rule.assignee_policy == AssigneePolicy.AUTHOR:
            raise invalid(
                "assignee_policy", _("A rule on silence has no activity author: choose the owner or a colleague.")
            )
    else:
        rule.segment, rule.silence_days = None, None
        if not (rule.activity_kind or rule.activity_text or rule.activity_outcome_id):
            raise invalid("activity_kind", _("Say which activities the rule reacts to (kind, words or outcome)."))
    if rule.assignee_policy == AssigneePolicy.USER and rule.assignee_id is None:
        raise invalid("assignee", _("Choose the colleague who gets the tasks."))
    if not rule.task_title:
        rule.task_title = rule.task_type.display_name


def _time(value: Any) -> dt.time:
    if value in (None, ""):
        return dt.time(10, 0)
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    try:
        return dt.time.fromisoformat(str(value).strip()).replace(second=0, microsecond=0, tzinfo=None)
    except ValueError:
        raise invalid("due_time", _("Enter a time, e.g. 10:00.")) from None


@transaction.atomic
def task_rule_create(actor: Membership, *, values: dict[str, Any]) -> TaskRule:
    require(actor, "admin", "change")
    rule = TaskRule(workspace_id=actor.workspace_id, created_by=actor.user)
    _apply(actor, rule, values, creating=True)
    rule.save()
    record_event(
        kind="task_rule.created",
        workspace=actor.workspace,
        actor=actor.user,
        target=rule,
        changes=diff({}, snapshot(rule, FIELDS)),
    )
    return rule


@transaction.atomic
def task_rule_update(actor: Membership, rule_id: int, *, version: int, values: dict[str, Any]) -> TaskRule:
    require(actor, "admin", "change")
    rule = get_visible(actor, TaskRule.objects.select_related("task_type"), rule_id)
    before = snapshot(rule, FIELDS)
    _apply(actor, rule, values, creating=False)
    save_versioned(rule, expected_version=version, fields=FIELDS)
    record_event(
        kind="task_rule.changed",
        workspace=actor.workspace,
        actor=actor.user,
        target=rule,
        changes=diff(before, snapshot(rule, FIELDS)),
    )
    return rule


@transaction.atomic
def task_rule_delete(actor: Membership, rule_id: int) -> None:
    """Delete a rule; the tasks it made stay (they no longer name it)."""
    require(actor, "admin", "change")
    rule = get_visible(actor, TaskRule, rule_id)
    record_event(
        kind="task_rule.deleted",
        workspace=actor.workspace,
        actor=actor.user,
        target=rule,
        changes=diff(snapshot(rule, FIELDS), {}),
    )
    rule.delete()


# --- Running rules -------------------------------------------------------------------


def _due_at(rule: TaskRule, day: dt.date, tz_name: str) -> dt.datetime:
    local = dt.datetime.combine(day + dt.timedelta(days=rule.delay_days), rule.due_time)
    return local.replace(tzinfo=zoneinfo.ZoneInfo(tz_name))


def _make_task(
    actor: Membership, rule: TaskRule, client_id: int, assignee_id: int | None, due_at: dt.datetime
) -> Task | None:
    """The rule's task for the client, unless one is open already; None when skipped."""
    if Task.objects.filter(rule=rule, client_id=client_id, status=TaskStatus.OPEN).exists():
        return None
    values = {
        "type": rule.task_type_id,
        "title": rule.task_title,
        "due_at": due_at,
        "priority": rule.priority,
        "assignee": assignee_id,
        "client": client_id,
        "remind_before": rule.remind_before,
        "description": _("Created by the rule “%(rule)s”.") % {"rule": rule.name},
    }
    try:
        with transaction.atomic():
            return task_create(actor, values=values, allow_past=True, rule_id=rule.pk)
    except IntegrityError:  # another run made it a moment ago
        return None
    except ValidationError as error:
        log.warning("task rule %s skipped client %s: %s", rule.pk, client_id, "; ".join(error.messages))
        return None


def _matches(rule: TaskRule, activity: Activity) -> bool:
    if rule.activity_kind and rule.activity_kind != activity.kind:
        return False
    if rule.activity_outcome_id and rule.activity_outcome_id != activity.outcome_id:
        return False
    if rule.activity_text:
        words = f"{activity.subject} {plain_text(activity.body)}".casefold()
        if rule.activity_text.casefold() not in words:
            return False
    return True


def rules_on_activity(actor: Membership, activity: Activity) -> list[Task]:
    """Tasks the workspace's activity rules make from a newly logged activity."""
    rules = TaskRule.objects.filter(
        workspace_id=actor.workspace_id, is_active=True, trigger=RuleTrigger.ACTIVITY
    ).select_related("task_type")
    made = []
    client = activity.client
    day = timezone.localtime(activity.occurred_at, zoneinfo.ZoneInfo(actor.workspace.time_zone)).date()
    for rule in rules:
        if not _matches(rule, activity):
            continue
        assignee = {
            AssigneePolicy.OWNER: client.owner_id,
            AssigneePolicy.AUTHOR: activity.author_id,
            AssigneePolicy.USER: rule.assignee_id,
        }[AssigneePolicy(rule.assignee_policy)]
        task = _make_task(actor, rule, client.pk, assignee, _due_at(rule, day, actor.workspace.time_zone))
        if task is not None:
            made.append(task)
    return made


def _rule_actor(rule: TaskRule) -> Membership | None:
    """Silence rules run as their author, or any active administrator if the author left."""
    members = Membership.objects.select_related("user", "role", "workspace", "team").filter(
        workspace_id=rule.workspace_id, is_active=True
    )
    author = members.filter(user_id=rule.created_by_id).first()
    if author is not None and author.can("activities", "create") and author.can("clients", "view"):
        return author
    for member in members.order_by("pk"):
        if member.can("admin", "change") and member.can("activities", "create"):
            return member
    return None


def silent_clients(actor: Membership, rule: TaskRule, now: dt.datetime) -> QuerySet[Client]:
    """Clients of the rule's segment (or all) with no contact since the cutoff, known
    for longer than that, and without an open task of this rule."""
    cutoff = now - dt.timedelta(days=rule.silence_days or 0)
    base = segment_queryset(actor, rule.segment) if rule.segment is not None else clients_visible_to(actor)
    recent = Activity.objects.filter(client=OuterRef("pk"), occurred_at__gte=cutoff)
    open_task = Task.objects.filter(rule=rule, client=OuterRef("pk"), status=TaskStatus.OPEN)
    return base.filter(created_at__lt=cutoff).filter(~Exists(recent), ~Exists(open_task)).order_by("pk")


def rules_run_silence(now: dt.datetime | None = None) -> int:
    """Run every active silence rule of every workspace once; returns tasks created."""
    now = now or timezone.now()
    created = 0
    rules = TaskRule.objects.filter(is_active=True, trigger=RuleTrigger.SILENCE).select_related(
        "task_type", "segment", "workspace"
    )
    for rule in rules:
        actor = _rule_actor(rule)
        if actor is None:
            log.warning("task rule %s has no member to run as", rule.pk)
            continue
        try:
            created += _run_silence_rule(actor, rule, now)
        except Exception:  # one broken rule (e.g. its segment's filter) must not stop the others
            log.exception("task rule %s failed", rule.pk)
            continue
        TaskRule.objects.filter(pk=rule.pk).update(last_run_at=now)
    return created


def _run_silence_rule(actor: Membership, rule: TaskRule, now: dt.datetime) -> int:
    created = 0
    tz_name = rule.workspace.time_zone
    due_at = _due_at(rule, timezone.localtime(now, zoneinfo.ZoneInfo(tz_name)).date(), tz_name)
    targets = silent_clients(actor, rule, now).select_related(None).values_list("pk", "owner_id")
    for client_id, owner_id in list(targets[:SILENCE_BATCH]):
        assignee = rule.assignee_id if rule.assignee_policy == AssigneePolicy.USER else owner_id
        if _make_task(actor, rule, client_id, assignee, due_at) is not None:
            created += 1
    return created
