"""Administration: the team tree."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from relata.core.access import get_visible, require
from relata.core.decorators import permission_required
from relata.core.forms import TeamForm
from relata.core.selectors.members import members_visible_to
from relata.core.selectors.teams import team_tree, teams_visible_to
from relata.core.services.teams import team_create, team_delete, team_update
from relata.web.editing import render_form, run_action, save_form

TEMPLATE = "core/settings/team_form.html"


@permission_required("admin", "view")
def team_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/settings/teams.html", {"tree": team_tree(request.actor)})  # type: ignore[attr-defined]


@permission_required("admin", "create")
@require_http_methods(["GET", "POST"])
def team_new(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = TeamForm(request.POST or None, actor=actor, initial={"parent": request.GET.get("parent")})
    outcome = save_form(
        request,
        form,
        lambda data: team_create(actor, name=data["name"], parent_id=data["parent"], description=data["description"]),
        success_url=reverse("core:teams"),
        success_message=lambda team: _("The team “%(name)s” has been created.") % {"name": team.name},
    )
    return render_form(request, TEMPLATE, form, outcome, {"creating": True})


@permission_required("admin", "view")
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    team = get_visible(actor, teams_visible_to(actor), pk)
    initial = {"name": team.name, "parent": team.parent_id, "description": team.description, "version": team.version}
    form = TeamForm(request.POST or None, actor=actor, exclude=team.pk, initial=initial)
    if request.method == "POST":
        require(actor, "admin", "change")
    outcome = save_form(
        request,
        form,
        lambda data: team_update(
            actor,
            team.pk,
            version=data["version"],
            name=data["name"],
            parent_id=data["parent"],
            description=data["description"],
        ),
        success_url=reverse("core:teams"),
        success_message=_("The team has been saved."),
    )
    members = members_visible_to(actor).filter(team=team).order_by("user__full_name")
    return render_form(request, TEMPLATE, form, outcome, {"team": team, "members": members})


@permission_required("admin", "delete")
@require_POST
def team_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    team = get_visible(actor, teams_visible_to(actor), pk)
    deleted = run_action(
        request,
        lambda: team_delete(actor, team.pk),
        success_message=_("The team “%(name)s” has been deleted.") % {"name": team.name},
    )
    return HttpResponseRedirect(reverse("core:teams") if deleted else reverse("core:team_edit", args=[team.pk]))
