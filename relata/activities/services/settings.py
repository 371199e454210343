"""The workspace's own lists of task types and activity outcomes (administrators)."""

from __future__ import annotations

from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from relata.activities.models import BUILTIN_OUTCOMES, BUILTIN_TASK_TYPES, Outcome, TaskRule, TaskType
from relata.core.access import get_visible, require
from relata.core.audit import diff, record_event, snapshot
from relata.core.errors import invalid
from relata.core.models import Membership, Workspace

TYPE_FIELDS = ["name", "position", "is_active"]
OUTCOME_FIELDS = ["name", "position", "is_positive", "is_active"]


def activity_lists_seed(workspace: Workspace | int) -> None:
    """Give a workspace the built-in task types and outcomes if it has none (idempotent)."""
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    if not TaskType.objects.filter(workspace_id=workspace_id).exists():
        TaskType.objects.bulk_create(
            [
                TaskType(workspace_id=workspace_id, key=key, position=n * 10)
                for n, (key, _name, _icon) in enumerate(BUILTIN_TASK_TYPES)
            ],
            ignore_conflicts=True,
        )
    if not Outcome.objects.filter(workspace_id=workspace_id).exists():
        Outcome.objects.bulk_create(
            [
                Outcome(workspace_id=workspace_id, key=key, position=n * 10, is_positive=positive)
                for n, (key, _name, positive) in enumerate(BUILTIN_OUTCOMES)
            ],
            ignore_conflicts=True,
        )


MAX_POSITION = 32_767  # a small integer column


def _clean_name(value: Any, model: type[TaskType] | type[Outcome]) -> str:
    name = str(value or "").strip()
    limit = model._meta.get_field("name").max_length or 100
    if len(name) > limit:
        raise invalid("name", _("At most %(limit)d characters.") % {"limit": limit})
    return name


def _position(value: Any) -> int:
    try:
        position = int(value)
    except (TypeError, ValueError):
        raise invalid("position", _("Enter a whole number.")) from None
    if not 0 <= position <= MAX_POSITION:
        raise invalid("position", _("Enter a number from 0 to %(max)d.") % {"max": MAX_POSITION})
    return position


def _flag(value: Any, name: str, *, nullable: bool = False) -> bool | None:
    if value is None and nullable:
        return None
    if isinstance(value, bool):
        return value
    raise invalid(name, _("Choose yes or no."))


def _check_in_use(actor: Membership, entry: TaskType | Outcome) -> None:
    """A task type cannot leave use while it is the last one, or while an active rule
    makes tasks of it (the rule would silently make none)."""
    if not isinstance(entry, TaskType) or entry.is_active or entry.pk is None:
        return
    others = TaskType.objects.filter(workspace_id=actor.workspace_id, is_active=True).exclude(pk=entry.pk)
    if not others.exists():
        raise invalid("is_active", _("At least one type of task must stay in use."))
    rules = TaskRule.objects.filter(workspace_id=actor.workspace_id, task_type=entry, is_active=True)
    names = list(rules.values_list("name", flat=True)[:3])
    if names:
        raise invalid(
            "is_active",
            _("Active task rules make tasks of this type (%(rules)s); change or switch them off first.")
            % {"rules": ", ".join(names)},
        )


def _save_entry(
    actor: Membership,
    model: type[TaskType] | type[Outcome],
    pk: int | None,
    values: dict[str, Any],
    fields: list[str],
    event: str,
) -> Any:
    """Only the keys given change. `name` empty gives a built-in entry its built-in
    (translated) name back; `position` orders the list; `is_active` False takes the
    entry out of use; `is_positive` (outcomes) is True, False or None (neutral)."""
    require(actor, "admin", "change")
    entry: TaskType | Outcome
    if pk is None:
        entry = model(workspace_id=actor.workspace_id)
    else:
        entry = cast("TaskType | Outcome", get_visible(actor, model._default_manager.all(), pk))
    before = snapshot(entry, fields) if pk is not None else {}
    unknown = set(values) - set(fields)
    if unknown:
        raise invalid(sorted(unknown)[0], _("This cannot be changed."))
    if "name" in values:
        entry.name = _clean_name(values["name"], model)
    if not entry.name and not entry.key:
        raise invalid("name", _("Enter a name."))
    if "position" in values and values["position"] is not None:
        entry.position = _position(values["position"])
    elif pk is None:
        top = model.objects.filter(workspace_id=actor.workspace_id).aggregate(top=Max("position"))["top"]
        entry.position = min((top or 0) + 10, MAX_POSITION)
    if "is_active" in values and values["is_active"] is not None:
        entry.is_active = bool(_flag(values["is_active"], "is_active"))
    if "is_positive" in values and isinstance(entry, Outcome):
        entry.is_positive = _flag(values["is_positive"], "is_positive", nullable=True)
    # Names are compared as shown (a custom "Call back" next to the built-in one would
    # be two identical choices), in any case.
    shown = entry.display_name.casefold()
    siblings: Any = model.objects.filter(workspace_id=actor.workspace_id).exclude(pk=entry.pk)
    if any(other.display_name.casefold() == shown for other in siblings):
        raise invalid("name", _("This name is already taken."))
    _check_in_use(actor, entry)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as exc:
        raise invalid("name", _("This name is already taken.")) from exc
    record_event(
        kind=event,
        workspace=actor.workspace,
        actor=actor.user,
        target=entry,
        changes=diff(before, snapshot(entry, fields)),
    )
    return entry


@transaction.atomic
def task_type_save(actor: Membership, pk: int | None = None, **values: Any) -> TaskType:
    """Create (pk None) or change a task type; built-in ones may be renamed or taken out of use."""
    entry: TaskType = _save_entry(actor, TaskType, pk, values, TYPE_FIELDS, "task_type.saved")
    return entry


@transaction.atomic
def outcome_save(actor: Membership, pk: int | None = None, **values: Any) -> Outcome:
    """Create (pk None) or change an outcome of activities."""
    entry: Outcome = _save_entry(actor, Outcome, pk, values, OUTCOME_FIELDS, "outcome.saved")
    return entry
