"""Administration: switching modules on and off."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from relata.core.access import require
from relata.core.concurrency import StaleVersion
from relata.core.decorators import permission_required
from relata.core.forms import ModulesForm
from relata.core.modules import MODULES
from relata.core.services.workspaces import workspace_set_modules


@permission_required("admin", "view")
@require_http_methods(["GET", "POST"])
def modules(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    workspace = actor.workspace
    form = ModulesForm(
        request.POST or None, initial={"enabled": list(workspace.enabled_modules), "version": workspace.version}
    )
    conflict = None
    if request.method == "POST":
        require(actor, "admin", "change")
        if form.is_valid():
            try:
                workspace_set_modules(actor, enabled=form.cleaned_data["enabled"], version=form.cleaned_data["version"])
            except StaleVersion as stale:
                conflict = stale
                form.add_service_error(stale)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The modules have been saved."))
                return HttpResponseRedirect(reverse("core:modules"))
    return render(
        request,
        "core/settings/modules.html",
        {
            "form": form,
            "modules": MODULES.values(),
            "conflict": conflict,
            "enabled": set(form["enabled"].value() or []),
        },
        status=409 if conflict else (400 if form.errors else 200),
    )
