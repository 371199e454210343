"""Administration: the team tree."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from relata.core.access import get_visible, require
from relata.core.concurrency import StaleVersion
from relata.core.decorators import permission_required
from relata.core.forms import TeamForm
from relata.core.models import Team
from relata.core.selectors.members import members_visible_to
from relata.core.selectors.teams import team_tree, teams_visible_to
from relata.core.services.teams import team_create, team_delete, team_update


@permission_required("admin", "view")
def team_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/settings/teams.html", {"tree": team_tree(request.actor)})  # type: ignore[attr-defined]


@permission_required("admin", "create")
@require_http_methods(["GET", "POST"])
def team_new(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = TeamForm(request.POST or None, actor=actor, initial={"parent": request.GET.get("parent")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team = team_create(actor, name=data["name"], parent_id=data["parent"], description=data["description"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The team “%(name)s” has been created.") % {"name": team.name})
            return HttpResponseRedirect(reverse("core:teams"))
    return render(
        request, "core/settings/team_form.html", {"form": form, "creating": True}, status=400 if form.errors else 200
    )


@permission_required("admin", "view")
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    team = get_visible(actor, teams_visible_to(actor), pk)
    initial = {"name": team.name, "parent": team.parent_id, "description": team.description, "version": team.version}
    form = TeamForm(request.POST or None, actor=actor, exclude=team.pk, initial=initial)
    conflict = None
    if request.method == "POST":
        require(actor, "admin", "change")
        if form.is_valid():
            data = form.cleaned_data
            try:
                team_update(
                    actor,
                    team.pk,
                    version=data["version"],
                    name=data["name"],
                    parent_id=data["parent"],
                    description=data["description"],
                )
            except StaleVersion as stale:
                conflict = stale
                form.add_service_error(stale)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The team has been saved."))
                return HttpResponseRedirect(reverse("core:teams"))
    members = members_visible_to(actor).filter(team=team).order_by("user__full_name")
    return render(
        request,
        "core/settings/team_form.html",
        {"form": form, "team": team, "members": members, "conflict": conflict},
        status=409 if conflict else (400 if form.errors else 200),
    )


@permission_required("admin", "delete")
@require_POST
def team_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    team: Team = get_visible(actor, teams_visible_to(actor), pk)
    try:
        team_delete(actor, team.pk)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return HttpResponseRedirect(reverse("core:team_edit", args=[team.pk]))
    messages.success(request, _("The team “%(name)s” has been deleted.") % {"name": team.name})
    return HttpResponseRedirect(reverse("core:teams"))
