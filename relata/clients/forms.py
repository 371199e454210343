"""The client form: profile fields by kind, custom fields, and the repeated rows
(phones, e-mails, addresses, messengers, companies) read from parallel lists of inputs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from relata.clients.models import (
    AddressKind,
    Attitude,
    Client,
    ClientKind,
    CustomField,
    CustomFieldType,
    EmailKind,
    FamilyStatus,
    Gender,
    IncomeBracket,
    MessengerKind,
    PhoneKind,
)
from relata.clients.normalize import format_phone
from relata.clients.selectors.clients import statuses_of
from relata.core.models import Membership
from relata.core.selectors.members import members_visible_to
from relata.web.forms import StyledForm


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


class ClientForm(StyledForm):
    """Scalar fields; the service validates everything again (and the lists)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), max_length=255, required=False)
    status = forms.TypedChoiceField(label=_("Status"), coerce=int)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, empty_value=None)
    source = forms.CharField(
        label=_("Source"), max_length=100, required=False, help_text=_("How the client came to us.")
    )
    inn = forms.CharField(label=_("INN"), max_length=20, required=False)
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    company_fields = [
        "legal_name",
        "kpp",
        "ogrn",
        "industry",
        "activity",
        "annual_revenue",
        "headcount",
        "website",
        "parent",
    ]
    person_fields = [
        "last_name",
        "first_name",
        "middle_name",
        "birthday",
        "gender",
        "occupation",
        "income_bracket",
        "family_status",
        "attitude",
        "preferences",
    ]

    def __init__(
        self,
        *args: Any,
        actor: Membership,
        kind: str,
        client: Client | None = None,
        custom: list[CustomField] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.custom_definitions = custom or []
        self.fields["status"].choices = [(s.pk, s.display_name) for s in statuses_of(actor, active_only=True)]
        members = members_visible_to(actor).filter(is_active=True).order_by("user__full_name")
        self.fields["owner"].choices = [("", _("Me (or by the assignment rules)"))] + [
            (m.user_id, m.user.full_name) for m in members
        ]
        if not actor.can("clients", "assign"):
            self.fields["owner"].disabled = True
        if kind == ClientKind.COMPANY:
            self.fields["name"].label = _("Name")
            self.fields["name"].help_text = _("As the company is known, e.g. “Kirpichny Dvor”.")
            self.fields["legal_name"] = forms.CharField(label=_("Legal name"), max_length=255, required=False)
            self.fields["kpp"] = forms.CharField(label=_("KPP"), max_length=20, required=False)
            self.fields["ogrn"] = forms.CharField(label=_("OGRN"), max_length=20, required=False)
            self.fields["industry"] = forms.CharField(label=_("Industry"), max_length=100, required=False)
            self.fields["activity"] = forms.CharField(label=_("Kind of activity"), max_length=255, required=False)
            self.fields["annual_revenue"] = forms.CharField(label=_("Annual revenue"), required=False)
            self.fields["headcount"] = forms.CharField(label=_("Headcount"), required=False)
            self.fields["website"] = forms.CharField(label=_("Website"), max_length=255, required=False)
            self.fields["parent"] = forms.CharField(label=_("Parent company"), required=False, widget=forms.HiddenInput)
        else:
            self.fields["name"].help_text = _("Empty: made of the last, first and middle names.")
            self.fields["last_name"] = forms.CharField(label=_("Last name"), max_length=100, required=False)
            self.fields["first_name"] = forms.CharField(label=_("First name"), max_length=100, required=False)
            self.fields["middle_name"] = forms.CharField(label=_("Middle name"), max_length=100, required=False)
            self.fields["birthday"] = forms.CharField(
                label=_("Birthday"), required=False, widget=forms.DateInput(attrs={"type": "date"})
            )
            self.fields["gender"] = forms.ChoiceField(label=_("Gender"), choices=_blank(Gender.choices), required=False)
            self.fields["occupation"] = forms.CharField(label=_("Occupation"), max_length=150, required=False)
            self.fields["income_bracket"] = forms.ChoiceField(
                label=_("Income"), choices=_blank(IncomeBracket.choices), required=False
            )
            self.fields["family_status"] = forms.ChoiceField(
                label=_("Family status"), choices=_blank(FamilyStatus.choices), required=False
            )
            self.fields["attitude"] = forms.ChoiceField(
                label=_("Attitude to the company"), choices=_blank(Attitude.choices), required=False
            )
            self.fields["preferences"] = forms.CharField(
                label=_("Preferences"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        for definition in self.custom_definitions:
            self.fields[f"custom_{definition.key}"] = custom_form_field(definition, members)
        self.style_fields()

    def profile_fields(self) -> list[forms.BoundField]:
        names = self.company_fields if self.kind == ClientKind.COMPANY else self.person_fields
        return [self[n] for n in names if n in self.fields and n != "parent"]

    def custom_fields(self) -> list[forms.BoundField]:
        return [self[f"custom_{d.key}"] for d in self.custom_definitions]

    def values(self) -> dict[str, Any]:
        """The service's `values` from the cleaned form (scalars and custom fields)."""
        data = self.cleaned_data
        values: dict[str, Any] = {}
        for name in ("name", "status", "source", "inn", "note", "tags", *self.company_fields, *self.person_fields):
            if name in self.fields and not self.fields[name].disabled:
                values[name] = data.get(name)
        if not self.fields["owner"].disabled and data.get("owner"):
            values["owner"] = data["owner"]
        values["custom"] = {d.key: data.get(f"custom_{d.key}") for d in self.custom_definitions}
        return values


def custom_form_field(definition: CustomField, members: Any) -> forms.Field:
    label, required, help_text = definition.label, definition.required, definition.help_text
    kind = definition.field_type
    if kind == CustomFieldType.CHOICE:
        return forms.ChoiceField(
            label=label,
            required=required,
            help_text=help_text,
            choices=[("", "—"), *[(c, c) for c in definition.choices]],
        )
    if kind == CustomFieldType.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            label=label,
            required=required,
            help_text=help_text,
            choices=[(c, c) for c in definition.choices],
            widget=forms.CheckboxSelectMultiple,
        )
    if kind == CustomFieldType.BOOLEAN:
        return forms.ChoiceField(
            label=label,
            required=required,
            help_text=help_text,
            choices=[("", "—"), ("true", _("yes")), ("false", _("no"))],
        )
    if kind == CustomFieldType.USER:
        return forms.ChoiceField(
            label=label,
            required=required,
            help_text=help_text,
            choices=[("", "—"), *[(m.user_id, m.user.full_name) for m in members]],
        )
    if kind == CustomFieldType.DATE:
        return forms.CharField(
            label=label, required=required, help_text=help_text, widget=forms.DateInput(attrs={"type": "date"})
        )
    if kind == CustomFieldType.TEXT:
        return forms.CharField(label=label, required=required, help_text=help_text, max_length=2000)
    return forms.CharField(
        label=label, required=required, help_text=help_text, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )


ROW_SPECS: dict[str, tuple[str, ...]] = {
    "phones": ("number", "extension", "kind"),
    "emails": ("email", "kind"),
    "addresses": ("kind", "postcode", "region", "city", "street", "country"),
    "messengers": ("kind", "handle"),
    "companies": ("company", "job_title", "department"),
}
ROW_CHOICES = {
    "phones": PhoneKind.choices,
    "emails": EmailKind.choices,
    "addresses": AddressKind.choices,
    "messengers": MessengerKind.choices,
}


def rows_from_post(data: QueryDict, group: str) -> list[dict[str, str]]:
    """Parallel inputs `phones-number`, `phones-kind`… as a list of rows (first row is
    the primary one); fully empty rows are dropped."""
    columns = ROW_SPECS[group]
    lists = [data.getlist(f"{group}-{column}") for column in columns]
    rows = []
    for values in zip(*lists, strict=False):
        row = dict(zip(columns, (v.strip() for v in values), strict=True))
        if any(row[c] for c in columns if c not in ("kind", "country")):
            rows.append(row)
    for index, row in enumerate(rows):
        row["is_primary"] = index == 0  # type: ignore[assignment]
    return rows


def rows_of(client: Client | None, group: str) -> list[dict[str, Any]]:
    if client is None:
        return []
    if group == "phones":
        return [
            {**row, "number": format_phone(row["number"])}
            for row in client.phones.values("number", "extension", "kind")
        ]
    if group == "emails":
        return list(client.emails.values("email", "kind"))
    if group == "addresses":
        return list(client.addresses.values("kind", "postcode", "region", "city", "street", "country"))
    if group == "messengers":
        return list(client.messengers.values("kind", "handle"))
    return []
