"""Settings of the client base: custom fields and lifecycle statuses (administrators,
`admin.*`) and the rules that assign new clients (`clients.assign`, so that a head of
sales runs them without being an administrator).

The pages sit in the administration layout; their menu entries are registered when this
module is imported (relata/clients/registrations.py imports it).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relata.clients.models import AssignmentRule, ClientKind, CustomField, CustomFieldType, LifecycleStatus, Segment
from relata.clients.models.segments import AssignmentStrategy, SegmentKind
from relata.clients.selectors.clients import clients_visible_to, statuses_of
from relata.clients.selectors.segments import segments_visible_to
from relata.clients.services.assignment import (
    assignment_rule_create,
    assignment_rule_delete,
    assignment_rule_update,
    assignment_rules_visible_to,
)
from relata.clients.services.custom_fields import (
    CHOICE_TYPES,
    MAX_KEY,
    custom_field_create,
    custom_field_update,
    custom_fields_visible_to,
)
from relata.clients.services.statuses import MAX_POSITION, status_create, status_delete, status_update
from relata.core.access import get_visible, require
from relata.core.decorators import permission_required
from relata.core.forms import VersionedForm, member_choices
from relata.core.models import Membership
from relata.core.selectors.members import members_visible_to
from relata.web.editing import render_form, run_action, save_form
from relata.web.forms import StyledForm
from relata.web.navigation import NavItem, register_admin_nav

register_admin_nav(
    NavItem(
        "custom_fields", gettext_lazy("Custom fields"), "clients:custom_fields", "admin", icon="ui-checks", order=70
    )
)
# The key "status" (not "statuses") lets the menu mark the section current on
# status_new and status_edit too (it compares URL names with the key's stem).
register_admin_nav(
    NavItem("status", gettext_lazy("Lifecycle statuses"), "clients:statuses", "admin", icon="signpost-split", order=80)
)
register_admin_nav(
    NavItem(
        "assignment_rules",
        gettext_lazy("Assignment rules"),
        "clients:assignment_rules",
        "clients",
        action="assign",
        icon="shuffle",
        order=90,
    )
)


KINDS_PLURAL = [
    (ClientKind.COMPANY.value, gettext_lazy("Companies")),
    (ClientKind.PERSON.value, gettext_lazy("People")),
]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _position_field(required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(
        label=gettext_lazy("Order"),
        min_value=0,
        max_value=MAX_POSITION,
        required=required,
        help_text=gettext_lazy("Smaller numbers come first."),
    )


# --- Custom fields --------------------------------------------------------------------


class CustomFieldCreateForm(StyledForm):
    entity = forms.ChoiceField(label=gettext_lazy("Field of"), choices=KINDS_PLURAL)
    label = forms.CharField(label=gettext_lazy("Label"), max_length=100)
    field_type = forms.ChoiceField(label=gettext_lazy("Type"), choices=CustomFieldType.choices)
    choices = forms.CharField(
        label=gettext_lazy("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("For the types “Choice” and “Several choices”: one choice per line."),
    )
    key = forms.CharField(
        label=gettext_lazy("Key"),
        max_length=MAX_KEY,
        required=False,
        help_text=gettext_lazy(
            "Names the field in the API, imports and exports. Latin letters, digits and “_”; "
            "leave empty to make it from the label."
        ),
    )
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False)
    help_text = forms.CharField(
        label=gettext_lazy("Hint"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Shown under the field in the client's form."),
    )


class CustomFieldEditForm(VersionedForm):
    label = forms.CharField(label=gettext_lazy("Label"), max_length=100)
    choices = forms.CharField(
        label=gettext_lazy("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "One choice per line. Clients keep a value whose choice is removed until their record is next edited."
        ),
    )
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False)
    help_text = forms.CharField(label=gettext_lazy("Hint"), max_length=200, required=False)
    position = _position_field()
    is_active = forms.BooleanField(
        label=gettext_lazy("In use"),
        required=False,
        help_text=gettext_lazy("A field out of use disappears from forms, lists and filters; its values are kept."),
    )

    def __init__(self, *args: Any, definition: CustomField, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if definition.field_type not in CHOICE_TYPES:
            del self.fields["choices"]


def _entity(value: str | None) -> str:
    return value if value in ClientKind.values else ClientKind.COMPANY


@permission_required("admin", "view")
@require_GET
def custom_field_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    entity = _entity(request.GET.get("entity"))
    per_entity = custom_fields_visible_to(actor).order_by().values_list("entity").annotate(n=Count("id"))
    counts = dict(per_entity.values_list("entity", "n"))
    tabs = [{"value": value, "label": label, "count": counts.get(value, 0)} for value, label in KINDS_PLURAL]
    context = {"definitions": custom_fields_visible_to(actor, entity), "entity": entity, "tabs": tabs}
    return render(request, "clients/settings_custom_fields.html", context)


@permission_required("admin", "change")
@require_http_methods(["GET", "POST"])
def custom_field_new(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    entity = _entity(request.GET.get("entity"))
    form = CustomFieldCreateForm(request.POST or None, initial={"entity": entity, "field_type": CustomFieldType.TEXT})
    outcome = save_form(
        request,
        form,
        lambda data: custom_field_create(
            actor,
            entity=data["entity"],
            label=data["label"],
            field_type=data["field_type"],
            key=data["key"],
            choices=_lines(data["choices"]),
            required=data["required"],
            help_text=data["help_text"],
        ),
        success_url=lambda definition: f"{reverse('clients:custom_fields')}?entity={definition.entity}",
        success_message=lambda definition: (
            _("The field “%(label)s” has been created with the key “%(key)s”.")
            % {"label": definition.label, "key": definition.key}
        ),
    )
    context = {"creating": True, "choice_types": [str(t) for t in CHOICE_TYPES]}
    return render_form(request, "clients/settings_custom_field_form.html", form, outcome, context)


@permission_required("admin", "view")
@require_http_methods(["GET", "POST"])
def custom_field_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    definition = get_visible(actor, custom_fields_visible_to(actor), pk)
    if request.method == "POST":
        require(actor, "admin", "change")
    initial = {
        "version": definition.version,
        "label": definition.label,
        "choices": "\n".join(definition.choices or []),
        "required": definition.required,
        "help_text": definition.help_text,
        "position": definition.position,
        "is_active": definition.is_active,
    }
    form = CustomFieldEditForm(request.POST or None, initial=initial, definition=definition)
    outcome = save_form(
        request,
        form,
        lambda data: custom_field_update(
            actor,
            definition.pk,
            version=data["version"],
            label=data["label"],
            choices=_lines(data.get("choices", "")),
            required=data["required"],
            help_text=data["help_text"],
            position=data["position"],
            is_active=data["is_active"],
        ),
        success_url=f"{reverse('clients:custom_fields')}?entity={definition.entity}",
        success_message=_("The field has been saved."),
    )
    return render_form(request, "clients/settings_custom_field_form.html", form, outcome, {"definition": definition})


# --- Lifecycle statuses ---------------------------------------------------------------


class StatusCreateForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=60)
    is_default = forms.BooleanField(
        label=gettext_lazy("For new clients"),
        required=False,
        help_text=gettext_lazy("New clients get this status unless another is chosen."),
    )


class StatusEditForm(VersionedForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=60, required=False)
    position = _position_field()
    is_default = forms.BooleanField(
        label=gettext_lazy("For new clients"),
        required=False,
        help_text=gettext_lazy("New clients get this status unless another is chosen."),
    )
    is_active = forms.BooleanField(
        label=gettext_lazy("In use"),
        required=False,
        help_text=gettext_lazy("A status out of use keeps its clients but is no longer offered."),
    )

    def __init__(self, *args: Any, status: LifecycleStatus, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if status.key:
            builtin = LifecycleStatus(key=status.key).display_name
            self.fields["name"].help_text = _("Leave empty to keep the built-in name “%(name)s”.") % {"name": builtin}
            self.fields["name"].widget.attrs["placeholder"] = builtin
        else:
            self.fields["name"].required = True


@permission_required("admin", "view")
@require_GET
def status_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    per_status = clients_visible_to(actor).order_by().values_list("status_id").annotate(n=Count("id"))
    counts = dict(per_status.values_list("status_id", "n"))
    statuses = [{"status": s, "count": counts.get(s.pk, 0)} for s in statuses_of(actor).order_by("position", "id")]
    return render(request, "clients/settings_statuses.html", {"statuses": statuses})


@permission_required("admin", "change")
@require_http_methods(["GET", "POST"])
def status_new(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = StatusCreateForm(request.POST or None)
    outcome = save_form(
        request,
        form,
        lambda data: status_create(actor, name=data["name"], is_default=data["is_default"]),
        success_url=reverse("clients:statuses"),
        success_message=lambda status: _("The status “%(name)s” has been created.") % {"name": status.display_name},
    )
    return render_form(request, "clients/settings_status_form.html", form, outcome, {"creating": True})


@permission_required("admin", "view")
@require_http_methods(["GET", "POST"])
def status_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    status = get_visible(actor, statuses_of(actor), pk)
    if request.method == "POST":
        require(actor, "admin", "change")
    initial = {
        "version": status.version,
        "name": status.name,
        "position": status.position,
        "is_default": status.is_default,
        "is_active": status.is_active,
    }
    form = StatusEditForm(request.POST or None, initial=initial, status=status)
    outcome = save_form(
        request,
        form,
        lambda data: status_update(
            actor,
            status.pk,
            version=data["version"],
            name=data["name"],
            position=data["position"],
            is_default=data["is_default"],
            is_active=data["is_active"],
        ),
        success_url=reverse("clients:statuses"),
        success_message=_("The status has been saved."),
    )
    used = clients_visible_to(actor).filter(status=status).count()
    return render_form(request, "clients/settings_status_form.html", form, outcome, {"status": status, "used": used})


@permission_required("admin", "change")
@require_POST
def status_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    status = get_visible(actor, statuses_of(actor), pk)
    deleted = run_action(
        request,
        lambda: status_delete(actor, status.pk),
        success_message=_("The status “%(name)s” has been deleted.") % {"name": status.display_name},
    )
    return HttpResponseRedirect(reverse("clients:statuses") if deleted else reverse("clients:status_edit", args=[pk]))


# --- Assignment rules -----------------------------------------------------------------


class AssignmentRuleForm(VersionedForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    entity = forms.ChoiceField(
        label=gettext_lazy("For"),
        required=False,
        choices=[("", gettext_lazy("Companies and people")), *KINDS_PLURAL],
    )
    segment = forms.TypedChoiceField(
        label=gettext_lazy("Segment"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=gettext_lazy(
            "Only new clients matching this dynamic segment; empty: every new client of the chosen kind."
        ),
    )
    strategy = forms.ChoiceField(
        label=gettext_lazy("Distribution"),
        choices=AssignmentStrategy.choices,
        help_text=gettext_lazy(
            "In turn: each manager gets the next new client in order. "
            "To the least loaded: the manager with the fewest clients gets it."
        ),
    )
    managers = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Managers"),
        coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=gettext_lazy("Active colleagues who receive the clients (hold Ctrl or ⌘ to choose several)."),
    )
    position = _position_field(required=False)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)

    def __init__(self, *args: Any, actor: Membership, rule: AssignmentRule | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rule is None:
            self.fields["version"].required = False
            self.fields["position"].help_text = _("Empty: after the existing rules.")
        else:
            self.fields["position"].required = True
        segments: list[Segment] = list(
            segments_visible_to(actor).filter(kind=SegmentKind.DYNAMIC).order_by("entity", "name")
        )
        if rule is not None and rule.segment is not None and rule.segment not in segments:
            segments.append(rule.segment)
        kinds = {value: str(label).lower() for value, label in KINDS_PLURAL}
        self.fields["segment"].choices = [("", _("Any (no segment)"))] + [
            (s.pk, f"{s.name} ({kinds.get(s.entity, s.entity)})") for s in segments
        ]
        self.fields["managers"].choices = member_choices(actor, active_only=True)


def _rule_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "entity": data["entity"] or "",
        "segment_id": data["segment"],
        "strategy": data["strategy"],
        "manager_ids": data["managers"],
        "is_active": data["is_active"],
    }


@permission_required("clients", "assign")
@require_GET
def assignment_rule_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    active = set(members_visible_to(actor).filter(is_active=True).values_list("user_id", flat=True))
    return render(
        request,
        "clients/settings_assignment_rules.html",
        {"rules": assignment_rules_visible_to(actor), "active_user_ids": active},
    )


@permission_required("clients", "assign")
@require_http_methods(["GET", "POST"])
def assignment_rule_new(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = AssignmentRuleForm(
        request.POST or None,
        actor=actor,
        initial={"strategy": AssignmentStrategy.ROUND_ROBIN, "is_active": True},
    )
    outcome = save_form(
        request,
        form,
        lambda data: assignment_rule_create(actor, position=data["position"], **_rule_fields(data)),
        success_url=reverse("clients:assignment_rules"),
        success_message=lambda rule: _("The rule “%(name)s” has been created.") % {"name": rule.name},
    )
    return render_form(request, "clients/settings_assignment_rule_form.html", form, outcome, {"creating": True})


@permission_required("clients", "assign")
@require_http_methods(["GET", "POST"])
def assignment_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    rule = get_visible(actor, assignment_rules_visible_to(actor), pk)
    initial = {
        "version": rule.version,
        "name": rule.name,
        "entity": rule.entity,
        "segment": rule.segment_id,
        "strategy": rule.strategy,
        "managers": [user.pk for user in rule.managers.all()],
        "position": rule.position,
        "is_active": rule.is_active,
    }
    form = AssignmentRuleForm(request.POST or None, actor=actor, rule=rule, initial=initial)
    outcome = save_form(
        request,
        form,
        lambda data: assignment_rule_update(
            actor, rule.pk, version=data["version"], position=data["position"], **_rule_fields(data)
        ),
        success_url=reverse("clients:assignment_rules"),
        success_message=_("The rule has been saved."),
    )
    return render_form(request, "clients/settings_assignment_rule_form.html", form, outcome, {"rule": rule})


@permission_required("clients", "assign")
@require_POST
def assignment_rule_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    rule = get_visible(actor, assignment_rules_visible_to(actor), pk)
    run_action(
        request,
        lambda: assignment_rule_delete(actor, rule.pk),
        success_message=_("The rule “%(name)s” has been deleted.") % {"name": rule.name},
    )
    return HttpResponseRedirect(reverse("clients:assignment_rules"))


urls = [
    path("settings/custom-fields/", custom_field_list, name="custom_fields"),
    path("settings/custom-fields/new/", custom_field_new, name="custom_field_new"),
    path("settings/custom-fields/<int:pk>/", custom_field_edit, name="custom_field_edit"),
    path("settings/statuses/", status_list, name="statuses"),
    path("settings/statuses/new/", status_new, name="status_new"),
    path("settings/statuses/<int:pk>/", status_edit, name="status_edit"),
    path("settings/statuses/<int:pk>/delete/", status_delete_view, name="status_delete"),
    path("settings/assignment-rules/", assignment_rule_list, name="assignment_rules"),
    path("settings/assignment-rules/new/", assignment_rule_new, name="assignment_rule_new"),
    path("settings/assignment-rules/<int:pk>/", assignment_rule_edit, name="assignment_rule_edit"),
    path("settings/assignment-rules/<int:pk>/delete/", assignment_rule_delete_view, name="assignment_rule_delete"),
]
