"""The workspace's lists of task types and activity outcomes (administrators,
`admin.change`): rename the built-in entries (an empty name gives back the built-in,
translated one), add their own, reorder them and take them out of use.

The pages sit in the administration layout; their menu entries are registered when this
module is imported (relata/activities/registrations.py imports it).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from relata.activities.forms_settings import OutcomeForm, TaskTypeForm
from relata.activities.selectors.settings import (
    outcome_get,
    outcome_use,
    outcomes_with_use,
    task_type_get,
    task_type_use,
    task_types_with_use,
)
from relata.activities.services.settings import outcome_save, task_type_save
from relata.core.decorators import permission_required
from relata.web.editing import render_form, save_form
from relata.web.navigation import NavItem, register_admin_nav

# Keys whose stem matches the URL names (task_types, task_type_new, task_type_edit…),
# so that the menu marks the section current on every page of it.
register_admin_nav(
    NavItem(
        "task_type",
        gettext_lazy("Task types"),
        "activities:task_types",
        "admin",
        action="change",
        icon="list-check",
        order=100,
    )
)
register_admin_nav(
    NavItem(
        "outcome",
        gettext_lazy("Activity outcomes"),
        "activities:outcomes",
        "admin",
        action="change",
        icon="chat-square-quote",
        order=105,
    )
)


def _entry_values(data: dict[str, Any], *, outcome: bool) -> dict[str, Any]:
    values = {"name": data["name"], "position": data["position"], "is_active": data["is_active"]}
    if outcome:
        values["is_positive"] = data["is_positive"]
    return values


# --- Task types -----------------------------------------------------------------------


@permission_required("admin", "change")
@require_GET
def task_type_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return render(request, "activities/settings_task_types.html", {"rows": task_types_with_use(actor)})


@permission_required("admin", "change")
@require_http_methods(["GET", "POST"])
def task_type_new(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = TaskTypeForm(request.POST or None, initial={"is_active": True})
    outcome = save_form(
        request,
        form,
        lambda data: task_type_save(actor, **_entry_values(data, outcome=False)),
        success_url=reverse("activities:task_types"),
        success_message=lambda entry: _("The type “%(name)s” has been added.") % {"name": entry.display_name},
    )
    return render_form(request, "activities/settings_task_type_form.html", form, outcome, {"creating": True})


@permission_required("admin", "change")
@require_http_methods(["GET", "POST"])
def task_type_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    entry = task_type_get(actor, pk)
    initial = {"name": entry.name, "position": entry.position, "is_active": entry.is_active}
    form = TaskTypeForm(request.POST or None, initial=initial, entry=entry)
    outcome = save_form(
        request,
        form,
        lambda data: task_type_save(actor, entry.pk, **_entry_values(data, outcome=False)),
        success_url=reverse("activities:task_types"),
        success_message=_("The type has been saved."),
    )
    used = task_type_use(entry)
    context = {"entry": entry, "used": used}
    return render_form(request, "activities/settings_task_type_form.html", form, outcome, context)


# --- Outcomes -------------------------------------------------------------------------


@permission_required("admin", "change")
@require_GET
def outcome_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return render(request, "activities/settings_outcomes.html", {"rows": outcomes_with_use(actor)})


@permission_required("admin", "change")
@require_http_methods(["GET", "POST"])
def outcome_new(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = OutcomeForm(request.POST or None, initial={"is_active": True})
    outcome = save_form(
        request,
        form,
        lambda data: outcome_save(actor, **_entry_values(data, outcome=True)),
        success_url=reverse("activities:outcomes"),
        success_message=lambda entry: _("The outcome “%(name)s” has been added.") % {"name": entry.display_name},
    )
    return render_form(request, "activities/settings_outcome_form.html", form, outcome, {"creating": True})


@permission_required("admin", "change")
@require_http_methods(["GET", "POST"])
def outcome_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    entry = outcome_get(actor, pk)
    positive = "" if entry.is_positive is None else ("1" if entry.is_positive else "0")
    initial = {"name": entry.name, "position": entry.position, "is_active": entry.is_active, "is_positive": positive}
    form = OutcomeForm(request.POST or None, initial=initial, entry=entry)
    outcome = save_form(
        request,
        form,
        lambda data: outcome_save(actor, entry.pk, **_entry_values(data, outcome=True)),
        success_url=reverse("activities:outcomes"),
        success_message=_("The outcome has been saved."),
    )
    used = outcome_use(entry)
    context = {"entry": entry, "used": used}
    return render_form(request, "activities/settings_outcome_form.html", form, outcome, context)


urls = [
    path("settings/task-types/", task_type_list, name="task_types"),
    path("settings/task-types/new/", task_type_new, name="task_type_new"),
    path("settings/task-types/<int:pk>/", task_type_edit, name="task_type_edit"),
    path("settings/outcomes/", outcome_list, name="outcomes"),
    path("settings/outcomes/new/", outcome_new, name="outcome_new"),
    path("settings/outcomes/<int:pk>/", outcome_edit, name="outcome_edit"),
]
