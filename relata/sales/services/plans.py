"""Sales plans: set, change and delete the targets of managers and teams per period.

Who may: `sales.assign` (heads of sales and administrators), and only for managers and
teams within the actor's scope (a head: their team subtree; scope `own`: themselves).
Changes take the plan's `version` (optimistic locking); the set-up of a whole team for
a period takes each existing plan's version too, and refuses the lot if one is stale.
A plan is unique per period, manager or team, and pipeline: the check names the field,
and the unique constraint catches two concurrent saves (the second is a field error).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from relata.core.access import owner_filter, require
from relata.core.audit import diff, record_event, snapshot
from relata.core.concurrency import StaleVersion, save_versioned
from relata.core.errors import ValidationError, invalid
from relata.core.inputs import active_member, as_id, save_unique, unknown_fields, whole
from relata.core.models import Membership, Scope, Team
from relata.core.money import clean_currency, clean_money
from relata.sales.models import PeriodKind, Pipeline, SalesPlan, is_period_start
from relata.sales.selectors.plans import plan_get

FIELDS = ["period_kind", "period_start", "manager", "team", "target_amount", "currency", "target_count", "pipeline"]
MAX_COUNT = 1_000_000


def _duplicate() -> str:
    return _("A plan for this period already exists.")


def _event(actor: Membership, kind: str, plan: SalesPlan, changes: dict[str, Any]) -> None:
    record_event(kind=kind, workspace=actor.workspace, actor=actor.user, target=plan, changes=changes)


def _period_kind(value: Any) -> str:
    kind = str(value or PeriodKind.MONTH)
    if kind not in PeriodKind.values:
        raise invalid("period_kind", _("Choose a month or a quarter."))
    return kind


def _period_start(value: Any, kind: str) -> dt.date:
    if value in (None, ""):
        raise invalid("period_start", _("Enter the first day of the period."), code="required")
    start: dt.date | None
    if isinstance(value, dt.datetime):
        start = value.date()
    elif isinstance(value, dt.date):
        start = value
    else:
        try:
            start = parse_date(str(value).strip())
        except ValueError:
            start = None
    if start is None:
        raise invalid("period_start", _("Enter a date."))
    if not dt.date(2000, 1, 1) <= start <= dt.date(2200, 1, 1):
        raise invalid("period_start", _("Enter a realistic date."))
    if not is_period_start(kind, start):
        message = (
            _("A quarter starts on 1 January, 1 April, 1 July or 1 October.")
            if kind == PeriodKind.QUARTER
            else _("A month starts on its first day.")
        )
        raise invalid("period_start", message)
    return start


def _in_scope_users(actor: Membership) -> QuerySet[Membership]:
    members = Membership.objects.filter(workspace_id=actor.workspace_id)
    return members.filter(**{k.replace("owner", "user"): v for k, v in owner_filter(actor, "owner").items()})


def _manager(actor: Membership, value: Any) -> Membership:
    member = active_member(actor, value, "manager")
    if not member.can("sales", "view"):
        raise invalid("manager", _("%(name)s has no access to sales.") % {"name": member.user.full_name})
    if not _in_scope_users(actor).filter(pk=member.pk).exists():
        raise invalid("manager", _("Choose a colleague within your team."))
    return member


def _team(actor: Membership, value: Any) -> Team:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise invalid("team", _("Choose a team.")) from None
    team = Team.objects.filter(workspace_id=actor.workspace_id, pk=pk).first()
    if team is None:
        raise invalid("team", _("Choose a team of this workspace."))
    if actor.scope != Scope.ALL and team.pk not in (actor.team_subtree_ids if actor.scope == Scope.TEAM else ()):
        raise invalid("team", _("Choose your team or one of its sub-teams."))
    return team


def _pipeline(actor: Membership, value: Any) -> Pipeline | None:
    if value in (None, ""):
        return None
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise invalid("pipeline", _("Choose a pipeline.")) from None
    pipeline = Pipeline.objects.filter(workspace_id=actor.workspace_id, pk=pk).first()
    if pipeline is None:
        raise invalid("pipeline", _("Choose a pipeline of this workspace."))
    return pipeline


def _apply(actor: Membership, plan: SalesPlan, values: dict[str, Any], *, creating: bool) -> None:
    """Validate the keys given of `values` onto `plan` (all of them when creating)."""
    unknown_fields(values, FIELDS)

    def given(name: str) -> bool:
        return creating or name in values

    if given("period_kind"):
        plan.period_kind = _period_kind(values.get("period_kind"))
    if given("period_start") or given("period_kind"):
        plan.period_start = _period_start(values.get("period_start", plan.period_start), plan.period_kind)
    if given("manager") or given("team"):
        manager = values.get("manager") if "manager" in values else plan.manager_id
        team = values.get("team") if "team" in values else plan.team_id
        if manager in (None, "") and team in (None, ""):
            raise invalid("manager", _("Choose a manager or a team."), code="required")
        if manager not in (None, "") and team not in (None, ""):
            raise invalid("team", _("A plan is for a manager or for a team, not both."))
        if manager not in (None, ""):
            plan.manager_id, plan.team_id = _manager(actor, manager).user_id, None
        else:
            plan.manager_id, plan.team_id = None, _team(actor, team).pk
    if given("target_amount"):
        amount = clean_money(values.get("target_amount"), "target_amount", required=True)
        assert amount is not None  # noqa: S101  (required above)
        plan.target_amount = amount
    if given("currency"):
        plan.currency = clean_currency(values.get("currency"), default=actor.workspace.default_currency)
    if given("target_count"):
        raw = values.get("target_count")
        plan.target_count = None if raw in (None, "") else whole(raw, "target_count", high=MAX_COUNT)
    if given("pipeline"):
        pipeline = _pipeline(actor, values.get("pipeline"))
        plan.pipeline_id = pipeline.pk if pipeline else None


def _same_plan(workspace_id: int, kind: str, start: dt.date, plan: SalesPlan) -> dict[str, Any]:
    """Lookups of the plan with the same period, manager or team, and pipeline (None
    included: `team_id=None` is `team_id IS NULL`)."""
    return {
        "workspace_id": workspace_id,
        "period_kind": kind,
        "period_start": start,
        "manager_id": plan.manager_id,
        "team_id": plan.team_id,
        "pipeline_id": plan.pipeline_id,
    }


def _check_unique(plan: SalesPlan) -> None:
    same = _same_plan(plan.workspace_id, plan.period_kind, plan.period_start, plan)
    if SalesPlan.objects.filter(**same).exclude(pk=plan.pk).exists():
        raise invalid(_subject(plan), _duplicate())


def _subject(plan: SalesPlan) -> str:
    return "manager" if plan.manager_id else "team"


def _writable(actor: Membership, plan_id: Any) -> SalesPlan:
    return plan_get(actor, plan_id, for_write=True)


@transaction.atomic
def sales_plan_create(actor: Membership, *, values: dict[str, Any]) -> SalesPlan:
    """A new plan: `period_kind` (month, quarter), `period_start` (its first day),
    `manager` (a user id) or `team` (a team id), `target_amount`, `currency` (default:
    the workspace's), `target_count` and `pipeline` (optional)."""
    require(actor, "sales", "assign")
    plan = SalesPlan(workspace_id=actor.workspace_id)
    _apply(actor, plan, values, creating=True)
    _check_unique(plan)
    save_unique(plan.save, _subject(plan), _duplicate())
    _event(actor, "sales_plan.created", plan, diff({}, snapshot(plan, FIELDS)))
    return plan


@transaction.atomic
def sales_plan_update(actor: Membership, plan_id: Any, *, version: int, values: dict[str, Any]) -> SalesPlan:
    """Change the keys given if the plan is still at `version` (else StaleVersion)."""
    plan = _writable(actor, plan_id)
    before = snapshot(plan, FIELDS)
    _apply(actor, plan, values, creating=False)
    _check_unique(plan)
    save_unique(lambda: save_versioned(plan, expected_version=version, fields=FIELDS), _subject(plan), _duplicate())
    changes = diff(before, snapshot(plan, FIELDS))
    if changes:
        _event(actor, "sales_plan.changed", plan, changes)
    return plan


@transaction.atomic
def sales_plan_delete(actor: Membership, plan_id: Any, *, version: int | None = None) -> None:
    """Delete the plan (if still at `version`, when given)."""
    plan = _writable(actor, plan_id)
    if version is not None and plan.version != version:
        current = snapshot(plan, FIELDS)
        raise StaleVersion(plan, current, current, plan.version)
    _event(actor, "sales_plan.deleted", plan, diff(snapshot(plan, FIELDS), {}))
    plan.delete()


@transaction.atomic
def sales_plans_set(
    actor: Membership,
    *,
    period_kind: Any,
    period_start: Any,
    currency: Any = None,
    pipeline: Any = None,
    rows: Sequence[dict[str, Any]],
) -> list[SalesPlan]:
    """Set the plans of several managers and teams for one period at once (the set-up
    form of a team). Each row names `manager` or `team`, its `target_amount` (empty:
    no plan, an existing one is deleted), `target_count`, and the `version` of the plan
    it was based on (None: there was none). All rows or none are written: an error
    names its field as `rows.<index>.<field>`; a stale row raises StaleVersion.
    Returns the plans that exist afterwards."""
    require(actor, "sales", "assign")
    kind = _period_kind(period_kind)
    start = _period_start(period_start, kind)
    pipeline_obj = _pipeline(actor, pipeline)
    code = clean_currency(currency, default=actor.workspace.default_currency)
    saved: list[SalesPlan] = []
    seen: set[tuple[int | None, int | None]] = set()
    for index, row in enumerate(rows):
        try:
            saved.extend(_set_row(actor, row, kind, start, code, pipeline_obj, seen))
        except ValidationError as error:
            raise ValidationError(
                {f"rows.{index}.{name}": errors for name, errors in error.message_dict.items()}
            ) from error
    return saved


def _set_row(
    actor: Membership,
    row: dict[str, Any],
    kind: str,
    start: dt.date,
    currency: str,
    pipeline: Pipeline | None,
    seen: set[tuple[int | None, int | None]],
) -> list[SalesPlan]:
    unknown_fields(row, ["manager", "team", "target_amount", "target_count", "version"])
    probe = SalesPlan(workspace_id=actor.workspace_id, period_kind=kind, period_start=start)
    _apply(actor, probe, {"manager": row.get("manager"), "team": row.get("team")}, creating=False)
    key = (probe.manager_id, probe.team_id)
    if key in seen:
        raise invalid(_subject(probe), _("This manager or team is in the list twice."))
    seen.add(key)
    probe.pipeline_id = pipeline.pk if pipeline else None
    existing = (
        SalesPlan.objects.select_for_update().filter(**_same_plan(actor.workspace_id, kind, start, probe)).first()
    )
    version = as_id(row.get("version"))
    if existing is not None and version != existing.version:
        current = snapshot(existing, FIELDS)
        raise StaleVersion(existing, current, current, existing.version)
    if existing is None and version is not None:
        # The plan the user saw was deleted meanwhile.
        raise StaleVersion(probe, {}, {}, 0)
    empty = row.get("target_amount") in (None, "")
    if existing is not None and empty:
        sales_plan_delete(actor, existing.pk, version=existing.version)
        return []
    if empty:
        return []
    values = {"target_amount": row.get("target_amount"), "target_count": row.get("target_count")}
    if existing is None:
        base = {"period_kind": kind, "period_start": start, "currency": currency}
        subject = {"manager": probe.manager_id} if probe.manager_id else {"team": probe.team_id}
        return [sales_plan_create(actor, values={**base, **subject, **values, "pipeline": pipeline and pipeline.pk})]
    return [sales_plan_update(actor, existing.pk, version=existing.version, values={**values, "currency": currency})]
