"""Administration: roles and their permissions."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from relata.core.access import get_visible, require
from relata.core.decorators import permission_required
from relata.core.forms import RoleForm
from relata.core.models import Role
from relata.core.modules import ACTIONS
from relata.core.selectors.members import roles_visible_to
from relata.core.services.roles import role_create, role_delete, role_update
from relata.web.editing import render_form, run_action, save_form

TEMPLATE = "core/settings/role_form.html"


def _role_fields(data: dict) -> dict:  # type: ignore[type-arg]
    return {key: data[key] for key in ("name", "description", "scope", "permissions")}


@permission_required("admin", "view")
def role_list(request: HttpRequest) -> HttpResponse:
    roles = roles_visible_to(request.actor).annotate(member_count=Count("memberships"))  # type: ignore[attr-defined]
    return render(request, "core/settings/roles.html", {"roles": roles})


@permission_required("admin", "create")
@require_http_methods(["GET", "POST"])
def role_new(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    initial: dict = {"scope": "own", "permissions": []}  # type: ignore[type-arg]
    if copy_from := request.GET.get("copy"):
        source = get_visible(actor, Role, copy_from)
        initial = {
            "scope": source.scope,
            "permissions": list(source.permissions),
            "name": _("Copy of %(name)s") % {"name": source.display_name},
        }
    form = RoleForm(request.POST or None, initial=initial, creating=True)
    outcome = save_form(
        request,
        form,
        lambda data: role_create(actor, **_role_fields(data)),
        success_url=reverse("core:roles"),
        success_message=lambda role: _("The role “%(name)s” has been created.") % {"name": role.display_name},
    )
    return render_form(request, TEMPLATE, form, outcome, {"creating": True, "actions": ACTIONS})


@permission_required("admin", "view")
@require_http_methods(["GET", "POST"])
def role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    role = get_visible(actor, Role, pk)
    initial = {
        "name": role.name,
        "description": role.description,
        "scope": role.scope,
        "permissions": list(role.permissions),
        "version": role.version,
    }
    form = RoleForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require(actor, "admin", "change")
    outcome = save_form(
        request,
        form,
        lambda data: role_update(actor, role.pk, version=data["version"], **_role_fields(data)),
        success_url=reverse("core:roles"),
        success_message=_("The role has been saved."),
    )
    return render_form(request, TEMPLATE, form, outcome, {"role": role, "actions": ACTIONS})


@permission_required("admin", "delete")
@require_POST
def role_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    role = get_visible(actor, Role, pk)
    deleted = run_action(
        request,
        lambda: role_delete(actor, role.pk),
        success_message=_("The role “%(name)s” has been deleted.") % {"name": role.display_name},
    )
    return HttpResponseRedirect(reverse("core:roles") if deleted else reverse("core:role_edit", args=[role.pk]))
