"""Reads of the activities' settings (task types, outcomes, task rules) and of mass plans,
through the access mechanism."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from relata.activities.models import ActivityKind, Outcome, TaskPlan, TaskRule, TaskType
from relata.core.access import get_visible, scope_queryset
from relata.core.models import Job, Membership
from relata.core.selectors.jobs import jobs_visible_to


@dataclass(frozen=True)
class ListEntry:
    """A task type or an outcome with how many tasks or activities use it."""

    entry: Any
    count: int


def task_types_visible_to(actor: Membership) -> QuerySet[TaskType]:
    return scope_queryset(actor, TaskType.objects.all()).order_by("position", "id")


def outcomes_visible_to(actor: Membership) -> QuerySet[Outcome]:
    return scope_queryset(actor, Outcome.objects.all()).order_by("position", "id")


def task_type_get(actor: Membership, pk: int | str) -> TaskType:
    return get_visible(actor, task_types_visible_to(actor), pk)


def outcome_get(actor: Membership, pk: int | str) -> Outcome:
    return get_visible(actor, outcomes_visible_to(actor), pk)


def task_types_with_use(actor: Membership) -> list[ListEntry]:
    """Every task type with the number of tasks of it (one query)."""
    types = task_types_visible_to(actor).annotate(used=Count("tasks"))
    return [ListEntry(t, t.used) for t in types]  # type: ignore[attr-defined]


def outcomes_with_use(actor: Membership) -> list[ListEntry]:
    """Every outcome with the number of activities of the workspace that had it: whether
    an outcome is in use does not depend on what the administrator's scope shows."""
    from relata.activities.models import Activity

    used = dict(
        Activity.objects.filter(workspace_id=actor.workspace_id, outcome__isnull=False)
        .order_by()
        .values_list("outcome_id")
        .annotate(n=Count("id"))
        .values_list("outcome_id", "n")
    )
    return [ListEntry(o, used.get(o.pk, 0)) for o in outcomes_visible_to(actor)]


def task_type_use(entry: TaskType) -> int:
    return entry.tasks.count()


def outcome_use(entry: Outcome) -> int:
    from relata.activities.models import Activity

    return Activity.objects.filter(workspace_id=entry.workspace_id, outcome=entry).count()


def task_rules_visible_to(actor: Membership) -> QuerySet[TaskRule]:
    return scope_queryset(actor, TaskRule.objects.all()).select_related(
        "task_type", "activity_outcome", "segment", "assignee"
    )


def task_rule_get(actor: Membership, pk: int | str) -> TaskRule:
    return get_visible(actor, task_rules_visible_to(actor), pk)


def task_rules_listed(actor: Membership) -> list[TaskRule]:
    """The rules in name order, each with the label of the activity kind it reacts to."""
    rules = list(task_rules_visible_to(actor).order_by("name", "id"))
    kinds = dict(ActivityKind.choices)
    for rule in rules:
        rule.kind_label = kinds.get(rule.activity_kind, rule.activity_kind)  # type: ignore[attr-defined]
    return rules


def task_plans_visible_to(actor: Membership) -> QuerySet[TaskPlan]:
    """Mass plans the actor may read: their own; administrators see every one (a head
    of sales does not read the team's plans, as with jobs)."""
    plans = scope_queryset(actor, TaskPlan.objects.all())
    if not actor.can("admin", "change"):
        plans = plans.filter(created_by_id=actor.user_id)
    return plans


@dataclass(frozen=True)
class PlanSummary:
    plan: TaskPlan
    job: Job | None
    tasks_created: int


def task_plan_summary(actor: Membership, pk: int | str) -> PlanSummary:
    plan = get_visible(actor, task_plans_visible_to(actor), pk)
    job = jobs_visible_to(actor).filter(pk=plan.job_id).first() if plan.job_id else None
    return PlanSummary(plan, job, plan.tasks.count())


def task_plan_of_job(actor: Membership, job: Job) -> TaskPlan | None:
    return task_plans_visible_to(actor).filter(job=job).first()
