"""Forms of the activities' settings (task rules, task types, outcomes) and of mass
planning. They parse and show errors; the services validate the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relata.activities.models import (
    ActivityKind,
    AssigneePolicy,
    Outcome,
    RuleTrigger,
    TaskPriority,
    TaskRule,
    TaskType,
)
from relata.activities.services.planning import MAX_PER_DAY
from relata.activities.services.rules import MAX_DAYS
from relata.activities.services.settings import MAX_POSITION
from relata.clients.models import ClientKind, Segment
from relata.clients.selectors.segments import segments_visible_to
from relata.core.forms import VersionedForm, member_choices
from relata.core.models import Membership
from relata.web.forms import StyledForm

MAX_REMIND = 30 * 24 * 60
KINDS_PLURAL = {ClientKind.COMPANY.value: gettext_lazy("companies"), ClientKind.PERSON.value: gettext_lazy("people")}


def task_type_choices(actor: Membership, current: TaskType | None = None) -> list[tuple[Any, str]]:
    types = list(TaskType.objects.filter(workspace_id=actor.workspace_id, is_active=True).order_by("position", "id"))
    if current is not None and current not in types:
        types.append(current)
    return [(t.pk, t.display_name) for t in types]


def _position_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=gettext_lazy("Order"),
        min_value=0,
        max_value=MAX_POSITION,
        required=False,
        help_text=gettext_lazy("Smaller numbers come first. Empty: after the others."),
    )


# --- Task rules -----------------------------------------------------------------------


class TaskRuleForm(VersionedForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)
    trigger = forms.ChoiceField(label=gettext_lazy("The rule acts"), choices=RuleTrigger.choices)
    # On an activity.
    activity_kind = forms.ChoiceField(label=gettext_lazy("Kind of contact"), required=False)
    activity_text = forms.CharField(
        label=gettext_lazy("Purpose contains"),
        max_length=100,
        required=False,
        help_text=gettext_lazy(
            "Words looked for in the purpose and text of the activity, in any case, e.g. “price list”."
        ),
    )
    activity_outcome = forms.TypedChoiceField(
        label=gettext_lazy("Outcome"), coerce=int, required=False, empty_value=None
    )
    # On silence.
    segment = forms.TypedChoiceField(
        label=gettext_lazy("Clients of the segment"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=gettext_lazy("Empty: every client."),
    )
    silence_days = forms.IntegerField(
        label=gettext_lazy("Days without contact"), min_value=1, max_value=MAX_DAYS, required=False
    )
    # The task.
    task_type = forms.TypedChoiceField(label=gettext_lazy("Type of task"), coerce=int)
    task_title = forms.CharField(
        label=gettext_lazy("Title of the task"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Empty: the name of the type."),
    )
    delay_days = forms.IntegerField(
        label=gettext_lazy("Due in, days"),
        min_value=0,
        max_value=MAX_DAYS,
        initial=0,
        help_text=gettext_lazy("Counted from the day of the activity (or of the check, for silence)."),
    )
    due_time = forms.TimeField(
        label=gettext_lazy("At"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=gettext_lazy("In the workspace's time zone."),
    )
    priority = forms.ChoiceField(label=gettext_lazy("Priority"), choices=TaskPriority.choices)
    remind_before = forms.IntegerField(
        label=gettext_lazy("Remind, minutes before"),
        min_value=0,
        max_value=MAX_REMIND,
        required=False,
        help_text=gettext_lazy("Empty: no reminder; 0: at the due time."),
    )
    assignee_policy = forms.ChoiceField(label=gettext_lazy("Assign to"), choices=AssigneePolicy.choices)
    assignee = forms.TypedChoiceField(label=gettext_lazy("Colleague"), coerce=int, required=False, empty_value=None)

    TRIGGER_FIELDS = {
        "activity_kind": RuleTrigger.ACTIVITY,
        "activity_text": RuleTrigger.ACTIVITY,
        "activity_outcome": RuleTrigger.ACTIVITY,
        "segment": RuleTrigger.SILENCE,
        "silence_days": RuleTrigger.SILENCE,
    }

    def __init__(self, *args: Any, actor: Membership, rule: TaskRule | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rule is None:
            self.fields["version"].required = False
        self.fields["activity_kind"].choices = [("", _("Any kind")), *ActivityKind.choices]
        outcomes = list(Outcome.objects.filter(workspace_id=actor.workspace_id, is_active=True))
        if rule is not None and rule.activity_outcome is not None and rule.activity_outcome not in outcomes:
            outcomes.append(rule.activity_outcome)
        self.fields["activity_outcome"].choices = [("", _("Any outcome"))] + [(o.pk, o.display_name) for o in outcomes]
        segments: list[Segment] = list(segments_visible_to(actor).order_by("entity", "name"))
        if rule is not None and rule.segment is not None and rule.segment not in segments:
            segments.append(rule.segment)
        self.fields["segment"].choices = [("", _("Every client"))] + [
            (s.pk, f"{s.name} ({KINDS_PLURAL.get(s.entity, s.entity)})") for s in segments
        ]
        self.fields["task_type"].choices = task_type_choices(actor, rule.task_type if rule else None)
        self.fields["assignee"].choices = [("", "—"), *member_choices(actor, active_only=True)]
        self.fields["trigger"].widget.attrs["x-model"] = "trigger"
        self.fields["assignee_policy"].widget.attrs["x-model"] = "policy"

    def trigger_value(self) -> str:
        return str(self["trigger"].value() or RuleTrigger.ACTIVITY)

    def policy_value(self) -> str:
        return str(self["assignee_policy"].value() or AssigneePolicy.OWNER)


def rule_values(data: dict[str, Any]) -> dict[str, Any]:
    """The service's values from the form's cleaned data."""
    return {name: data.get(name) for name in TaskRuleForm.base_fields if name != "version"}


# --- Task types and outcomes ------------------------------------------------------------


class _ListEntryForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100, required=False)
    position = _position_field()
    is_active = forms.BooleanField(label=gettext_lazy("In use"), required=False)

    def __init__(self, *args: Any, entry: TaskType | Outcome | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if entry is not None and entry.key:
            builtin = type(entry)(key=entry.key).display_name
            self.fields["name"].help_text = _("Leave empty to keep the built-in name “%(name)s”.") % {"name": builtin}
            self.fields["name"].widget.attrs["placeholder"] = builtin
        else:
            self.fields["name"].required = True


class TaskTypeForm(_ListEntryForm):
    is_active = forms.BooleanField(
        label=gettext_lazy("In use"),
        required=False,
        help_text=gettext_lazy("A type out of use stays on its tasks but is no longer offered."),
    )


class OutcomeForm(_ListEntryForm):
    is_positive = forms.TypedChoiceField(
        label=gettext_lazy("What it says about the client"),
        choices=[("", gettext_lazy("Neutral")), ("1", gettext_lazy("A good sign")), ("0", gettext_lazy("A bad sign"))],
        coerce=lambda value: value == "1",
        required=False,
        empty_value=None,
    )
    is_active = forms.BooleanField(
        label=gettext_lazy("In use"),
        required=False,
        help_text=gettext_lazy("An outcome out of use stays on old activities but is no longer offered."),
    )


# --- Mass planning ----------------------------------------------------------------------


class PlanForm(StyledForm):
    title = forms.CharField(
        label=gettext_lazy("Task"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("What is to be done; empty: the name of the type."),
    )
    type = forms.TypedChoiceField(label=gettext_lazy("Type"), coerce=int)
    priority = forms.ChoiceField(label=gettext_lazy("Priority"), choices=TaskPriority.choices)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    remind_before = forms.IntegerField(
        label=gettext_lazy("Remind, minutes before"),
        min_value=0,
        max_value=MAX_REMIND,
        required=False,
        help_text=gettext_lazy("Empty: no reminder; 0: at the due time."),
    )
    managers = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Managers"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=gettext_lazy(
            "The tasks are shared out among them in turn. Empty: each client's task goes to its owner."
        ),
    )
    start_date = forms.DateField(
        label=gettext_lazy("First day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    per_day = forms.IntegerField(
        label=gettext_lazy("Tasks a day per manager"), min_value=1, max_value=MAX_PER_DAY, initial=10
    )
    weekdays_only = forms.BooleanField(label=gettext_lazy("Monday to Friday only"), required=False, initial=True)
    time = forms.TimeField(
        label=gettext_lazy("Time of the first task of a day"),
        initial="10:00",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    interval = forms.IntegerField(
        label=gettext_lazy("Minutes between tasks"),
        min_value=0,
        max_value=24 * 60,
        initial=15,
        help_text=gettext_lazy("0: all of a day's tasks at the same time."),
    )

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = task_type_choices(actor)
        if actor.can("activities", "assign"):
            self.fields["managers"].choices = member_choices(actor, active_only=True)
        else:  # tasks only for oneself: each client's owner, who is the planner
            del self.fields["managers"]


def plan_values(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    values["start_date"] = data["start_date"].isoformat()
    values["time"] = data["time"].strftime("%H:%M")
    values["managers"] = data.get("managers") or []
    return values
