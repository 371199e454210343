"""Forms of the loyalty pages. They parse and show errors; the services validate the rules
(numbers are passed on as typed, so that the service's message names the problem)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy

from relata.core.forms import VersionedForm
from relata.web.forms import StyledForm


def _values(form: forms.Form) -> dict[str, Any]:
    return {name: form.cleaned_data.get(name) for name in form.fields if name != "version"}


class ProgrammeForm(VersionedForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    currency = forms.CharField(label=gettext_lazy("Currency"), max_length=3)
    earn_rate = forms.CharField(
        label=gettext_lazy("Points per 100 paid"), help_text=gettext_lazy("E.g. 5: five points for every 100 paid.")
    )
    point_value = forms.CharField(
        label=gettext_lazy("Value of a point"), help_text=gettext_lazy("Money one point pays when spent.")
    )
    max_share = forms.CharField(label=gettext_lazy("Share of an order payable by points, %"))
    lifetime_days = forms.CharField(
        label=gettext_lazy("Points lifetime, days"), required=False, help_text=gettext_lazy("0: points never expire.")
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)

    def __init__(self, *args: Any, is_new: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if is_new:
            self.fields["version"].required = False

    def values(self) -> dict[str, Any]:
        return _values(self)


class TierForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    threshold = forms.CharField(label=gettext_lazy("Lifetime spend to reach it"))
    discount = forms.CharField(label=gettext_lazy("Discount, %"), required=False)
    multiplier = forms.CharField(label=gettext_lazy("Earn multiplier"), required=False)

    def values(self) -> dict[str, Any]:
        return _values(self)


class CardForm(StyledForm):
    programme = forms.TypedChoiceField(label=gettext_lazy("Programme"), coerce=int, empty_value=None)
    holder = forms.IntegerField(widget=forms.HiddenInput, required=False)
    number = forms.CharField(label=gettext_lazy("Card number"), max_length=40)
    issued_on = forms.DateField(
        label=gettext_lazy("Issued"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, programmes: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ChoiceField", self.fields["programme"]).choices = programmes

    def values(self) -> dict[str, Any]:
        return _values(self)


class AdjustForm(StyledForm):
    points = forms.CharField(
        label=gettext_lazy("Points"), help_text=gettext_lazy("Positive adds, negative takes away.")
    )
    note = forms.CharField(label=gettext_lazy("Why"), max_length=500)


class SpendForm(StyledForm):
    # A plain value (the service checks the order, naming the field).
    order = forms.CharField(label=gettext_lazy("Order"), widget=forms.Select, required=False)
    points = forms.CharField(label=gettext_lazy("Points to spend"), required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, orders: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.Select", self.fields["order"].widget).choices = orders


class BlockForm(StyledForm):
    blocked = forms.BooleanField(required=False)
    note = forms.CharField(label=gettext_lazy("Why"), max_length=500, required=False)
