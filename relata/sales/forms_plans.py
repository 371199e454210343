"""Forms of the sales plans. They parse and show errors; relata/sales/services/plans.py
holds the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from relata.core.forms import VersionedForm, team_choices
from relata.core.models import Membership
from relata.sales.models import PeriodKind, SalesPlan
from relata.sales.selectors.deals import owner_choices, pipelines_visible_to
from relata.sales.selectors.plans import plannable_team_ids
from relata.web.forms import StyledForm

PLAN_FIELDS = [
    "period_kind",
    "period_start",
    "manager",
    "team",
    "target_amount",
    "currency",
    "target_count",
    "pipeline",
]


def pipeline_choices(actor: Membership) -> list[tuple[Any, str]]:
    return [("", str(gettext_lazy("All pipelines"))), *((p.pk, p.name) for p in pipelines_visible_to(actor))]


def plannable_team_choices(actor: Membership, *, empty: str | None = None) -> list[tuple[Any, str]]:
    """The team tree for a plan's team, narrowed to the teams the actor may plan."""
    allowed = plannable_team_ids(actor)
    return [(pk, name) for pk, name in team_choices(actor, empty=empty) if allowed is None or pk in allowed or pk == ""]


class PeriodForm(StyledForm):
    """The period shown on the plans page (GET)."""

    kind = forms.ChoiceField(label=gettext_lazy("Period"), choices=PeriodKind.choices, required=False)
    period = forms.CharField(
        label=gettext_lazy("Month or quarter"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"placeholder": "2026-12 / 2026-Q4"}),
    )


class SalesPlanForm(VersionedForm):
    period_kind = forms.ChoiceField(label=gettext_lazy("Period"), choices=PeriodKind.choices)
    period_start = forms.DateField(
        label=gettext_lazy("Period start"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("The first day of the month or quarter."),
    )
    manager = forms.TypedChoiceField(label=gettext_lazy("Manager"), coerce=int, required=False, empty_value=None)
    team = forms.TypedChoiceField(label=gettext_lazy("or team"), coerce=int, required=False, empty_value=None)
    target_amount = forms.CharField(label=gettext_lazy("Target amount"), max_length=30)
    currency = forms.CharField(label=gettext_lazy("Currency"), max_length=3, required=False)
    target_count = forms.IntegerField(label=gettext_lazy("Target number of won deals"), min_value=0, required=False)
    pipeline = forms.TypedChoiceField(label=gettext_lazy("Pipeline"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, actor: Membership, plan: SalesPlan | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manager"].choices = [("", "—"), *owner_choices(actor)]
        self.fields["team"].choices = plannable_team_choices(actor, empty="—")
        self.fields["pipeline"].choices = pipeline_choices(actor)
        if plan is None:
            del self.fields["version"]


def plan_values(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data.get(name) for name in PLAN_FIELDS}


class TeamSetupForm(StyledForm):
    """One period's plans for a team: a row per manager of the team subtree and one for
    the team itself. Field names per row: amount_<i>, count_<i>, version_<i>."""

    currency = forms.CharField(label=gettext_lazy("Currency"), max_length=3, required=False)

    def __init__(self, *args: Any, rows: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for index, row in enumerate(rows):
            self.fields[f"amount_{index}"] = forms.CharField(label=row["label"], required=False, max_length=30)
            self.fields[f"count_{index}"] = forms.IntegerField(label=row["label"], required=False, min_value=0)
            self.fields[f"version_{index}"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
        self.style_fields()

    def row_fields(self) -> list[tuple[dict[str, Any], Any, Any, Any]]:
        return [(row, self[f"amount_{i}"], self[f"count_{i}"], self[f"version_{i}"]) for i, row in enumerate(self.rows)]

    def service_rows(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                row["kind"]: row["id"],
                "target_amount": data.get(f"amount_{i}"),
                "target_count": data.get(f"count_{i}"),
                "version": data.get(f"version_{i}"),
            }
            for i, row in enumerate(self.rows)
        ]

    def add_service_error(self, error: Any) -> None:
        """`rows.<i>.target_amount` → the row's amount field, and so on."""
        names = {"target_amount": "amount", "target_count": "count"}
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                parts = name.split(".")
                if len(parts) == 3 and parts[0] == "rows" and parts[2] in names:
                    self.add_error(f"{names[parts[2]]}_{parts[1]}", errors)
                else:
                    self.add_error(name if name in self.fields else None, errors)
            return
        super().add_service_error(error)
