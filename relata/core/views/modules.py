"""Administration: switching modules on and off."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from relata.core.access import require
from relata.core.decorators import permission_required
from relata.core.forms import ModulesForm, WorkspaceForm
from relata.core.modules import MODULES
from relata.core.services.workspaces import SETTINGS_FIELDS, workspace_set_modules, workspace_update_settings
from relata.web.editing import render_form, save_form


@permission_required("admin", "view")
@require_http_methods(["GET", "POST"])
def modules(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    workspace = actor.workspace
    initial = {"enabled": list(workspace.enabled_modules), "version": workspace.version}
    form = ModulesForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require(actor, "admin", "change")
    outcome = save_form(
        request,
        form,
        lambda data: workspace_set_modules(actor, enabled=data["enabled"], version=data["version"]),
        success_url=reverse("core:modules"),
        success_message=_("The modules have been saved."),
    )
    context = {"modules": MODULES.values(), "enabled": set(form["enabled"].value() or [])}
    return render_form(request, "core/settings/modules.html", form, outcome, context)


@permission_required("admin", "view")
@require_http_methods(["GET", "POST"])
def workspace_settings(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    workspace = actor.workspace
    initial = {name: getattr(workspace, name) for name in SETTINGS_FIELDS} | {"version": workspace.version}
    form = WorkspaceForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require(actor, "admin", "change")
    outcome = save_form(
        request,
        form,
        lambda data: workspace_update_settings(actor, **{k: data[k] for k in ("version", *SETTINGS_FIELDS)}),
        success_url=reverse("core:workspace"),
        success_message=_("The workspace settings have been saved."),
    )
    return render_form(request, "core/settings/workspace.html", form, outcome)
