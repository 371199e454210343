"""Forms of the platform screens. They parse and show errors; services validate the rules."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from relata.core.handover import owned_kinds
from relata.core.models import Membership, Scope
from relata.core.modules import ACTIONS, MODULES, SWITCHABLE_MODULES
from relata.core.selectors.members import members_visible_to, roles_visible_to
from relata.core.selectors.teams import team_tree
from relata.web.forms import StyledForm

COMMON_TIME_ZONES = sorted(
    tz
    for tz in zoneinfo.available_timezones()
    if tz.startswith(("Europe/", "Asia/", "America/", "Africa/", "Australia/"))
)


def time_zone_choices() -> list[tuple[str, str]]:
    return [("", _("The workspace's time zone"))] + [(tz, tz.replace("_", " ")) for tz in COMMON_TIME_ZONES]


def team_choices(actor: Membership, *, empty: str | None = None, exclude: int | None = None) -> list[tuple[Any, str]]:
    choices: list[tuple[Any, str]] = [("", empty)] if empty is not None else []
    for team, depth in team_tree(actor):
        if team.pk != exclude:
            choices.append((team.pk, "— " * depth + team.name))
    return choices


def role_choices(actor: Membership) -> list[tuple[int, str]]:
    return [(role.pk, role.display_name) for role in roles_visible_to(actor)]


def member_choices(actor: Membership, *, active_only: bool = False) -> list[tuple[int, str]]:
    members = members_visible_to(actor).order_by("user__full_name")
    if active_only:
        members = members.filter(is_active=True)
    return [
        (m.user_id, f"{m.user.full_name} <{m.user.email}>" + ("" if m.is_active else f" ({_('deactivated')})"))
        for m in members
    ]


class VersionedForm(StyledForm):
    """Carries the version the user started editing from (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ProfileForm(StyledForm):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("The browser's language")), *settings.LANGUAGES]
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()


class TokenForm(StyledForm):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “Accounting export”.")
    )
    expires_at = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a token that works until revoked."),
    )


class MemberPlaceForm(StyledForm):
    """Role, team and title: where a member sits in the workspace."""

    role = forms.TypedChoiceField(label=_("Role"), coerce=int)
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False, empty_value=None)
    title = forms.CharField(label=_("Job title"), max_length=100, required=False)

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(actor)
        self.fields["team"].choices = team_choices(actor, empty=str(_("No team")))


class MemberAddForm(MemberPlaceForm):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        required=False,
        help_text=_("Not needed if the person already uses Relata."),
    )
    field_order = ["email", "full_name", "role", "team", "title"]


class MemberEditForm(MemberPlaceForm, VersionedForm):
    pass


class TeamForm(VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    parent = forms.TypedChoiceField(label=_("Parent team"), coerce=int, required=False, empty_value=None)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)

    def __init__(self, *args: Any, actor: Membership, exclude: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = team_choices(actor, empty=str(_("None (top level)")), exclude=exclude)
        if exclude is None:
            self.fields["version"].required = False


class RoleForm(VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    scope = forms.ChoiceField(label=_("Visibility"), choices=Scope.choices, widget=forms.RadioSelect)
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(f"{m}.{a}", f"{m}.{a}") for m in MODULES for a in ACTIONS],
    )

    def __init__(self, *args: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            self.fields["version"].required = False
            self.fields["name"].required = True

    def matrix(self) -> list[dict[str, Any]]:
        """Rows of the permission matrix: a module and a checkbox state per action."""
        chosen = set(self["permissions"].value() or [])
        return [
            {
                "module": module,
                "cells": [
                    {"code": f"{module.key}.{action}", "action": label, "checked": f"{module.key}.{action}" in chosen}
                    for action, label in ACTIONS.items()
                ],
            }
            for module in MODULES.values()
        ]


class ModulesForm(VersionedForm):
    enabled = forms.MultipleChoiceField(
        label=_("Modules switched on"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(key, MODULES[key].label) for key in SWITCHABLE_MODULES],
    )


class HandoverForm(StyledForm):
    from_user = forms.TypedChoiceField(label=_("Hand over the records of"), coerce=int)
    to_users = forms.TypedMultipleChoiceField(
        label=pgettext_lazy("hand-over recipients", "To"),
        coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("With several colleagues the records are shared out evenly; a client's records stay together."),
    )
    kinds = forms.MultipleChoiceField(label=_("What"), widget=forms.CheckboxSelectMultiple)
    deactivate = forms.BooleanField(label=_("Deactivate the member afterwards"), required=False)

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_user"].choices = member_choices(actor)
        # Choosing the member refreshes the preview of what they own.
        self.fields["from_user"].widget.attrs.update(
            {
                "hx-get": reverse("core:handover"),
                "hx-trigger": "change",
                "hx-target": "#handover-preview",
                "hx-select": "#handover-preview",
                "hx-swap": "outerHTML",
            }
        )
        self.fields["to_users"].choices = member_choices(actor, active_only=True)
        self.fields["kinds"].choices = [(kind.key, kind.label) for kind in owned_kinds()]
        self.fields["kinds"].initial = [kind.key for kind in owned_kinds()]


class WorkspaceForm(VersionedForm):
    name = forms.CharField(label=_("Company name"), max_length=200)
    language = forms.ChoiceField(
        label=_("Language"), choices=settings.LANGUAGES, help_text=_("For letters and for members who chose none.")
    )
    time_zone = forms.ChoiceField(label=_("Time zone"))
    default_currency = forms.CharField(label=_("Currency"), max_length=3, help_text=_("A code such as RUB."))
    default_phone_region = forms.CharField(
        label=_("Country of phone numbers"),
        max_length=2,
        help_text=_("Numbers typed without a country code belong to it, e.g. RU."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(tz, tz.replace("_", " ")) for tz in COMMON_TIME_ZONES]
