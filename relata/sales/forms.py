"""Forms of the deal pages: the deal, the fields a stage asks for, losing, board filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relata.core.forms import member_choices
from relata.core.models import Membership
from relata.core.selectors.teams import teams_visible_to
from relata.sales.models import Stage
from relata.sales.selectors.deals import loss_reasons_in_use, pipelines_in_use
from relata.web.forms import StyledForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DealFieldsForm(StyledForm):
    """The fields of a deal a user types; the client and contact persons come from pickers
    (ids in hidden inputs, checked by the service against the user's scope)."""

    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    client = forms.IntegerField(widget=forms.HiddenInput, required=False)
    contacts = forms.CharField(widget=forms.HiddenInput, required=False)
    amount = forms.CharField(label=_("Amount"), max_length=30, required=False)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    probability = forms.IntegerField(label=_("Probability, %"), min_value=0, max_value=100, required=False)
    expected_close_date = forms.DateField(label=_("Expected close date"), required=False, widget=DATE)
    competitors = forms.CharField(
        label=_("Competitors"), required=False, max_length=2000, help_text=_("Separated by commas.")
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def values(self, only: list[str] | None = None) -> dict[str, Any]:
        data = self.cleaned_data
        names = only if only is not None else [n for n in self.fields if n not in ("version", "pipeline", "stage")]
        values: dict[str, Any] = {}
        for name in names:
            if name not in self.fields:
                continue
            value = data.get(name)
            if name == "contacts":
                value = [int(pk) for pk in str(value or "").split(",") if pk.strip().isdigit()]
            values[name] = value
        return values


class DealForm(DealFieldsForm):
    pipeline = forms.TypedChoiceField(label=_("Pipeline"), coerce=int, required=False, empty_value=None)
    stage = forms.TypedChoiceField(label=_("Stage"), coerce=int, required=False, empty_value=None)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, empty_value=None)
    field_order = ["title", "pipeline", "stage", "amount", "currency", "probability", "expected_close_date"]

    def __init__(self, *args: Any, actor: Membership, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            pipelines = list(pipelines_in_use(actor).prefetch_related("stages"))
            self.fields["pipeline"].choices = [(p.pk, p.name) for p in pipelines]
            self.fields["stage"].choices = [("", _("The first stage"))] + [
                (s.pk, f"{p.name}: {s.name}") for p in pipelines for s in p.stages.all()
            ]
        else:
            del self.fields["pipeline"], self.fields["stage"]
        if actor.can("sales", "assign"):
            self.fields["owner"].choices = [("", _("Me") if creating else _("Unchanged"))] + member_choices(
                actor, active_only=True
            )
        else:
            del self.fields["owner"]

    def values(self, only: list[str] | None = None) -> dict[str, Any]:
        values = super().values(only)
        for name in ("pipeline", "stage", "owner"):
            if name in self.fields and self.cleaned_data.get(name) is not None:
                values[name] = self.cleaned_data[name]
        return values


class StageFieldsForm(DealFieldsForm):
    """Only the fields the target stage requires (moving a deal into it)."""

    def __init__(self, *args: Any, stage: Stage, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = {*stage.required_fields, "version"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]


class LoseForm(StyledForm):
    loss_reason = forms.TypedChoiceField(label=_("Why was it lost?"), coerce=int)
    loss_note = forms.CharField(label=_("Comment"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["loss_reason"].choices = [("", "—")] + [(r.pk, r.display_name) for r in loss_reasons_in_use(actor)]


PERIODS = [
    ("", _("Any time")),
    ("30", _("Created in the last 30 days")),
    ("90", _("Created in the last 90 days")),
    ("365", _("Created in the last year")),
]


class BoardFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, empty_value=None)
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False, empty_value=None)
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)

    def __init__(self, *args: Any, actor: Membership, owners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("Everybody"))] + owners
        self.fields["team"].choices = [("", _("All teams"))] + [(t.pk, t.name) for t in teams_visible_to(actor)]
