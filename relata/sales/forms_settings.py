"""Forms of the sales settings (pipelines, stages, loss reasons). They parse and show
errors; the services in relata/sales/services/settings.py hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relata.core.forms import VersionedForm, team_choices
from relata.core.models import Membership
from relata.sales.models import REQUIRABLE_FIELDS, HandoffPolicy, LossReason, Pipeline, SalesMode
from relata.sales.services.settings import MAX_POSITION, NAME_LIMIT
from relata.web.forms import StyledForm


def _position_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=gettext_lazy("Order"),
        min_value=0,
        max_value=MAX_POSITION,
        required=False,
        help_text=gettext_lazy("Smaller numbers come first. Empty: after the others."),
    )


class PipelineForm(VersionedForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=NAME_LIMIT)
    mode = forms.ChoiceField(
        label=gettext_lazy("Sales mode"),
        choices=SalesMode.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "Switching a conveyor pipeline to parallel sales takes the responsible teams off its stages."
        ),
    )
    position = _position_field()
    is_active = forms.BooleanField(
        label=gettext_lazy("In use"),
        required=False,
        help_text=gettext_lazy("Out of use, its deals stay but no new ones are created in it."),
    )

    def __init__(self, *args: Any, pipeline: Pipeline | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if pipeline is None:
            del self.fields["version"]  # a new pipeline has no version to be stale against


def pipeline_values(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data.get(name) for name in ("name", "mode", "position", "is_active")}


class StageForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=NAME_LIMIT)
    probability = forms.IntegerField(
        label=gettext_lazy("Probability, %"),
        min_value=0,
        max_value=100,
        help_text=gettext_lazy("Given to a deal when it enters the stage."),
    )
    required_fields = forms.MultipleChoiceField(
        label=gettext_lazy("Required fields"),
        choices=list(REQUIRABLE_FIELDS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("A deal cannot enter the stage without them."),
    )
    team = forms.TypedChoiceField(
        label=gettext_lazy("Responsible team"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=gettext_lazy("A deal entering the stage is handed to a member of this team."),
    )
    handoff = forms.ChoiceField(label=gettext_lazy("Hand-off"), choices=HandoffPolicy.choices)

    def __init__(self, *args: Any, actor: Membership, pipeline: Pipeline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if pipeline.is_conveyor:
            self.fields["team"].choices = team_choices(actor, empty=_("No team: the deal stays with its owner"))
        else:  # parallel sales: the owner keeps the deal, no team to choose
            del self.fields["team"]
            del self.fields["handoff"]


def stage_values(form: StageForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {name: data.get(name) for name in StageForm.base_fields if name in form.fields}


class LossReasonForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=NAME_LIMIT, required=False)
    position = _position_field()
    is_active = forms.BooleanField(
        label=gettext_lazy("In use"),
        required=False,
        help_text=gettext_lazy("A reason out of use stays on lost deals but is no longer offered."),
    )

    def __init__(self, *args: Any, reason: LossReason | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if reason is not None and reason.key:
            builtin = LossReason(key=reason.key).display_name
            self.fields["name"].help_text = _("Leave empty to keep the built-in name “%(name)s”.") % {"name": builtin}
            self.fields["name"].widget.attrs["placeholder"] = builtin
        else:
            self.fields["name"].required = True


def loss_reason_values(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data.get(name) for name in ("name", "position", "is_active")}
