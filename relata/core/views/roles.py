"""Administration: roles and their permissions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from relata.core.access import get_visible, require
from relata.core.concurrency import StaleVersion
from relata.core.decorators import permission_required
from relata.core.forms import RoleForm
from relata.core.models import Role
from relata.core.modules import ACTIONS
from relata.core.selectors.members import roles_visible_to
from relata.core.services.roles import role_create, role_delete, role_update


@permission_required("admin", "view")
def role_list(request: HttpRequest) -> HttpResponse:
    roles = roles_visible_to(request.actor).annotate(member_count=Count("memberships"))  # type: ignore[attr-defined]
    return render(request, "core/settings/roles.html", {"roles": roles})


@permission_required("admin", "create")
@require_http_methods(["GET", "POST"])
def role_new(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    initial = {"scope": "own", "permissions": []}
    copy_from = request.GET.get("copy")
    if copy_from:
        source = get_visible(actor, Role, copy_from)
        initial = {
            "scope": source.scope,
            "permissions": list(source.permissions),
            "name": _("Copy of %(name)s") % {"name": source.display_name},
        }
    form = RoleForm(request.POST or None, initial=initial, creating=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            role = role_create(
                actor,
                name=data["name"],
                description=data["description"],
                scope=data["scope"],
                permissions=data["permissions"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The role “%(name)s” has been created.") % {"name": role.display_name})
            return HttpResponseRedirect(reverse("core:roles"))
    return render(
        request,
        "core/settings/role_form.html",
        {"form": form, "creating": True, "actions": ACTIONS},
        status=400 if form.errors else 200,
    )


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
    conflict = None
    if request.method == "POST":
        require(actor, "admin", "change")
        if form.is_valid():
            data = form.cleaned_data
            try:
                role_update(
                    actor,
                    role.pk,
                    version=data["version"],
                    name=data["name"],
                    description=data["description"],
                    scope=data["scope"],
                    permissions=data["permissions"],
                )
            except StaleVersion as stale:
                conflict = stale
                form.add_service_error(stale)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The role has been saved."))
                return HttpResponseRedirect(reverse("core:roles"))
    return render(
        request,
        "core/settings/role_form.html",
        {"form": form, "role": role, "conflict": conflict, "actions": ACTIONS},
        status=409 if conflict else (400 if form.errors else 200),
    )


@permission_required("admin", "delete")
@require_POST
def role_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    role = get_visible(actor, Role, pk)
    try:
        role_delete(actor, role.pk)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return HttpResponseRedirect(reverse("core:role_edit", args=[role.pk]))
    messages.success(request, _("The role “%(name)s” has been deleted.") % {"name": role.display_name})
    return HttpResponseRedirect(reverse("core:roles"))
