"""Forms of the lead pages and of the web forms' administration. They parse; the
services validate (phones, e-mails, INN, owners) and their errors land on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relata.core.forms import member_choices
from relata.core.models import Membership
from relata.sales.models import LeadSource, LeadStatus
from relata.sales.models.leads import REJECTION_REASONS, WEBFORM_FIELDS
from relata.sales.selectors.deals import pipelines_in_use
from relata.web.forms import StyledForm

OPEN_STATUSES = [(s.value, s.label) for s in (LeadStatus.NEW, LeadStatus.IN_WORK)]


class LeadForm(StyledForm):
    contact_name = forms.CharField(label=_("Contact name"), max_length=200, required=False)
    company_name = forms.CharField(label=_("Company"), max_length=255, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    inn = forms.CharField(label=_("INN"), max_length=20, required=False)
    message = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.ChoiceField(label=_("Source"), choices=LeadSource.choices, initial=LeadSource.MANUAL)
    channel = forms.CharField(label=_("Channel"), max_length=100, required=False)
    campaign = forms.CharField(label=_("Campaign"), max_length=150, required=False)
    utm_source = forms.CharField(label="utm_source", max_length=200, required=False)
    utm_medium = forms.CharField(label="utm_medium", max_length=200, required=False)
    utm_campaign = forms.CharField(label="utm_campaign", max_length=200, required=False)
    utm_term = forms.CharField(label="utm_term", max_length=200, required=False)
    utm_content = forms.CharField(label="utm_content", max_length=200, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=OPEN_STATUSES, required=False)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, empty_value=None)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, actor: Membership, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            del self.fields["status"]
        if actor.can("sales", "assign"):
            self.fields["owner"].choices = [("", _("Me") if creating else _("Unchanged"))] + member_choices(
                actor, active_only=True
            )
        else:
            del self.fields["owner"]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {name: data.get(name) for name in self.fields if name not in ("version", "owner", "status")}
        if "status" in self.fields and data.get("status"):
            values["status"] = data["status"]
        if "owner" in self.fields and data.get("owner") is not None:
            values["owner"] = data["owner"]
        return values


class QualifyForm(StyledForm):
    title = forms.CharField(
        label=_("Deal title"), max_length=200, required=False, help_text=_("Empty: the client's name.")
    )
    pipeline = forms.TypedChoiceField(label=_("Pipeline"), coerce=int, required=False, empty_value=None)
    stage = forms.TypedChoiceField(label=_("Stage"), coerce=int, required=False, empty_value=None)
    amount = forms.CharField(label=_("Amount"), max_length=30, required=False)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pipelines = list(pipelines_in_use(actor).prefetch_related("stages"))
        self.fields["pipeline"].choices = [(p.pk, p.name) for p in pipelines]
        self.fields["stage"].choices = [("", _("The first stage"))] + [
            (s.pk, f"{p.name}: {s.name}") for p in pipelines for s in p.stages.all()
        ]

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in ("title", "pipeline", "stage", "amount", "currency")}


class RejectForm(StyledForm):
    reason = forms.CharField(
        label=_("Why is the lead rejected?"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"list": "rejection-reasons"}),
        help_text=_("Choose from the list or type your own."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    @staticmethod
    def suggestions() -> list[str]:
        return [str(reason) for reason in REJECTION_REASONS]


class WebFormForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=150)
    fields_shown = forms.MultipleChoiceField(
        label=_("Fields to show"),
        choices=[(key, label) for key, label in WEBFORM_FIELDS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    default_source = forms.ChoiceField(label=_("Source"), choices=LeadSource.choices, initial=LeadSource.WEB_FORM)
    default_channel = forms.CharField(label=_("Channel"), max_length=100, required=False)
    default_campaign = forms.CharField(label=_("Campaign"), max_length=150, required=False)
    default_owner = forms.TypedChoiceField(
        label=_("Default owner"),
        coerce=int,
        help_text=_("Gets the leads that no assignment rule gives to someone else."),
    )
    is_active = forms.BooleanField(label=_("Accepting submissions"), required=False, initial=True)
    allowed_origins = forms.CharField(
        label=_("Allowed sites"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, like https://example.com. Empty: any site."),
    )
    rate_limit = forms.IntegerField(
        label=_("Submissions per minute from one address"), min_value=1, max_value=1000, initial=10
    )
    redirect_url = forms.CharField(
        label=_("Thank-you page"),
        max_length=500,
        required=False,
        help_text=_("Where a visitor goes after sending the form; empty: a short JSON answer."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_owner"].choices = member_choices(actor, active_only=True)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data.get("name"),
            "fields": list(data.get("fields_shown") or []),
            "default_source": data.get("default_source"),
            "default_channel": data.get("default_channel"),
            "default_campaign": data.get("default_campaign"),
            "default_owner": data.get("default_owner"),
            "is_active": bool(data.get("is_active")),
            "allowed_origins": data.get("allowed_origins") or "",
            "rate_limit": data.get("rate_limit"),
            "redirect_url": data.get("redirect_url") or "",
        }
