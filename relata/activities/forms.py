"""Forms of activities and tasks. They parse what the user typed and show errors; the
services decide what is valid."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relata.activities.models import ActivityKind, Direction, TaskPriority
from relata.activities.selectors.activities import outcomes_in_use
from relata.activities.selectors.tasks import task_types_in_use
from relata.clients.models import Client, ClientKind
from relata.core.forms import member_choices
from relata.core.models import Membership
from relata.web.forms import StyledForm

REMIND_CHOICES = [
    ("", _("No reminder")),
    ("0", _("At the due time")),
    ("5", _("5 minutes before")),
    ("15", _("15 minutes before")),
    ("30", _("30 minutes before")),
    ("60", _("1 hour before")),
    ("120", _("2 hours before")),
    ("1440", _("1 day before")),
]

REPEAT_CHOICES = [
    ("", _("Does not repeat")),
    ("FREQ=DAILY;COUNT=5", _("Every day, 5 times")),
    ("FREQ=WEEKLY;COUNT=4", _("Every week, 4 times")),
    ("FREQ=WEEKLY;COUNT=12", _("Every week, 12 times")),
    ("FREQ=MONTHLY;COUNT=6", _("Every month, 6 times")),
    ("FREQ=MONTHLY;COUNT=12", _("Every month for a year")),
    ("custom", _("Other rule (RRULE)…")),
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the services check each (size, type)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


def local_input(value: dt.datetime | None) -> str:
    """A date-time as a datetime-local input shows it (in the active time zone)."""
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


class DateTimeLocalField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]


def contact_choices(actor: Membership, client: Client) -> list[tuple[int, str]]:
    """Contact persons one can name on an activity: the company's staff the actor sees."""
    if client.kind != ClientKind.COMPANY:
        return []
    from relata.clients.selectors.clients import staff_of

    return [(job.person_id, job.person.name) for job in staff_of(actor, client)]


class ActivityForm(StyledForm):
    kind = forms.ChoiceField(label=_("What"), choices=ActivityKind.choices)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, required=False, widget=forms.RadioSelect
    )
    occurred_at = DateTimeLocalField(label=_("When"), required=False)
    subject = forms.CharField(label=_("Purpose"), max_length=300, required=False)
    body = forms.CharField(label=_("Notes"), required=False, widget=forms.HiddenInput)
    outcome = forms.TypedChoiceField(label=_("Client's reaction"), coerce=int, required=False, empty_value=None)
    outcome_note = forms.CharField(label=_("Reaction in words"), max_length=500, required=False)
    duration_minutes = forms.IntegerField(label=_("Duration, minutes"), required=False, min_value=0, max_value=1440)
    recording_url = forms.URLField(
        label=_("Link to the recording"), required=False, max_length=500, assume_scheme="https"
    )
    email_thread = forms.CharField(label=_("E-mail thread"), max_length=255, required=False)
    amount = forms.DecimalField(label=_("Amount"), required=False, min_value=0, max_digits=18, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    participants = forms.TypedMultipleChoiceField(
        label=_("Colleagues taking part"), coerce=int, required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    contacts = forms.TypedMultipleChoiceField(
        label=_("Contact persons"), coerce=int, required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    files = MultipleFileField(label=_("Attachments"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, actor: Membership, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", "—")] + [(o.pk, o.display_name) for o in outcomes_in_use(actor)]
        self.fields["participants"].choices = [
            (pk, label) for pk, label in member_choices(actor, active_only=True) if pk != actor.user_id
        ]
        self.fields["contacts"].choices = contact_choices(actor, client)
        if not self.fields["contacts"].choices:
            del self.fields["contacts"]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        duration = data.get("duration_minutes")
        return {
            "kind": data["kind"],
            "direction": data.get("direction") or "",
            "occurred_at": data.get("occurred_at"),
            "subject": data.get("subject") or "",
            "body": data.get("body") or "",
            "outcome": data.get("outcome"),
            "outcome_note": data.get("outcome_note") or "",
            "duration": duration * 60 if duration is not None else None,
            "recording_url": data.get("recording_url") or "",
            "email_thread": data.get("email_thread") or "",
            "amount": data.get("amount"),
            "currency": data.get("currency") or "",
        }


class TaskForm(StyledForm):
    type = forms.TypedChoiceField(label=_("Type"), coerce=int)
    title = forms.CharField(label=_("What to do"), max_length=200, required=False)
    due_at = DateTimeLocalField(label=_("Due"))
    priority = forms.ChoiceField(
        label=_("Priority"), choices=TaskPriority.choices, initial=TaskPriority.NORMAL, required=False
    )
    assignee = forms.TypedChoiceField(label=_("Assignee"), coerce=int, required=False, empty_value=None)
    client = forms.IntegerField(widget=forms.HiddenInput, required=False)
    description = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    remind_before = forms.ChoiceField(label=_("Reminder"), choices=REMIND_CHOICES, required=False)
    remind_by_email = forms.BooleanField(label=_("Also by e-mail"), required=False)
    repeat = forms.ChoiceField(label=_("Repeat"), choices=REPEAT_CHOICES, required=False)
    recurrence = forms.CharField(
        label=_("Repeat rule"),
        max_length=500,
        required=False,
        help_text=_("An iCalendar RRULE that ends, e.g. FREQ=WEEKLY;BYDAY=MO,TH;COUNT=8."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [(t.pk, t.display_name) for t in task_types_in_use(actor)]
        if actor.can("activities", "assign"):
            self.fields["assignee"].choices = [("", _("Me"))] + member_choices(actor, active_only=True)
        else:
            del self.fields["assignee"]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        repeat = data.get("repeat") or ""
        values = {
            "type": data["type"],
            "title": data.get("title") or "",
            "due_at": data["due_at"],
            "priority": data.get("priority") or TaskPriority.NORMAL,
            "description": data.get("description") or "",
            "remind_before": data.get("remind_before") or None,
            "remind_by_email": bool(data.get("remind_by_email")),
            "recurrence": data.get("recurrence") if repeat == "custom" else repeat,
        }
        if "assignee" in self.fields:
            values["assignee"] = data.get("assignee")
        return values


class CompleteForm(StyledForm):
    """Completing a task: its result, optionally the contact it was about and the next step."""

    result = forms.CharField(label=_("Result"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    log_activity = forms.BooleanField(label=_("Log the contact"), required=False)
    activity_kind = forms.ChoiceField(
        label=_("What"), choices=ActivityKind.choices, initial=ActivityKind.CALL, required=False
    )
    activity_direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, initial=Direction.OUTGOING, required=False
    )
    activity_outcome = forms.TypedChoiceField(
        label=_("Client's reaction"), coerce=int, required=False, empty_value=None
    )
    activity_duration = forms.IntegerField(label=_("Duration, minutes"), required=False, min_value=0, max_value=1440)
    plan_next = forms.BooleanField(label=_("Plan the next step"), required=False)
    next_type = forms.TypedChoiceField(label=_("Type"), coerce=int, required=False, empty_value=None)
    next_title = forms.CharField(label=_("What to do"), max_length=200, required=False)
    next_due_at = DateTimeLocalField(label=_("Due"), required=False)
    next_remind_before = forms.ChoiceField(label=_("Reminder"), choices=REMIND_CHOICES, required=False)

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity_outcome"].choices = [("", "—")] + [(o.pk, o.display_name) for o in outcomes_in_use(actor)]
        self.fields["next_type"].choices = [(t.pk, t.display_name) for t in task_types_in_use(actor)]

    def activity_values(self) -> dict[str, Any] | None:
        """The contact to log (its purpose and text default to the task and its result)."""
        data = self.cleaned_data
        if not data.get("log_activity"):
            return None
        duration = data.get("activity_duration")
        return {
            "kind": data.get("activity_kind") or ActivityKind.CALL,
            "direction": data.get("activity_direction") or "",
            "outcome": data.get("activity_outcome"),
            "duration": duration * 60 if duration is not None else None,
        }

    def follow_up_values(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("plan_next"):
            return None
        return {
            "type": data.get("next_type"),
            "title": data.get("next_title") or "",
            "due_at": data.get("next_due_at"),
            "remind_before": data.get("next_remind_before") or None,
        }
