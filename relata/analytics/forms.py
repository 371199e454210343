"""The analytics settings form: the thresholds of the classes and their default period."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from relata.web.forms import StyledForm


class AnalyticsSettingsForm(StyledForm):
    abc_a = forms.DecimalField(label=_("A: share of revenue, %"), min_value=0, max_digits=5, decimal_places=2)
    abc_b = forms.DecimalField(label=_("B: share of revenue, %"), min_value=0, max_digits=5, decimal_places=2)
    xyz_x = forms.DecimalField(label=_("X: variation up to, %"), min_value=0, max_digits=6, decimal_places=2)
    xyz_y = forms.DecimalField(label=_("Y: variation up to, %"), min_value=0, max_digits=6, decimal_places=2)
    period_months = forms.IntegerField(
        label=_("Period, months"), min_value=1, max_value=36, help_text=_("The months the classes look back over.")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
