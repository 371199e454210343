"""Administration: members of the workspace."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from relata.core.access import require
from relata.core.decorators import permission_required
from relata.core.forms import MemberAddForm, MemberEditForm
from relata.core.models import Membership
from relata.core.selectors.members import member_get, members_visible_to
from relata.core.services.members import member_add, member_deactivate, member_reactivate, member_update
from relata.web.editing import render_form, run_action, save_form
from relata.web.forms import StyledForm
from relata.web.lists import Column, build_list, render_list

TEMPLATE = "core/settings/member_form.html"


class MemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=gettext_lazy("Name or e-mail"),
        method="search",
        widget=django_filters.widgets.forms.TextInput(attrs={"type": "search"}),
    )
    role = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Role"), queryset=None, field_name="role", empty_label=gettext_lazy("All")
    )
    team = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Team"), queryset=None, field_name="team", empty_label=gettext_lazy("All")
    )
    is_active = django_filters.ChoiceFilter(
        label=gettext_lazy("Access"),
        choices=[("true", gettext_lazy("Active")), ("false", gettext_lazy("Deactivated"))],
        empty_label=gettext_lazy("All"),
        method="filter_active",
    )

    class Meta:
        model = Membership
        fields = ["q", "role", "team", "is_active"]
        form = StyledForm

    def __init__(self, *args: object, actor: Membership, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        from relata.core.selectors.members import roles_visible_to
        from relata.core.selectors.teams import teams_visible_to

        self.filters["role"].queryset = roles_visible_to(actor)
        self.filters["team"].queryset = teams_visible_to(actor)

    def filter_active(self, queryset: QuerySet[Membership], name: str, value: str) -> QuerySet[Membership]:
        return queryset.filter(is_active=value == "true")

    def search(self, queryset: QuerySet[Membership], name: str, value: str) -> QuerySet[Membership]:
        value = value.strip()
        return (
            queryset.filter(Q(user__full_name__icontains=value) | Q(user__email__icontains=value.lower()))
            if value
            else queryset
        )


MEMBER_COLUMNS = [
    Column("name", gettext_lazy("Full name"), sort="user__full_name", template="core/settings/_member_name.html"),
    Column("user__email", gettext_lazy("E-mail"), sort="user__email"),
    Column("role", gettext_lazy("Role"), sort="role__name", value=lambda m: m.role.display_name),
    Column("team", gettext_lazy("Team"), sort="team__name"),
    Column("title", gettext_lazy("Job title"), sort="title"),
    Column("is_active", gettext_lazy("Active"), sort="is_active", css="text-center"),
    Column("user__last_login", gettext_lazy("Last log-in"), sort="user__last_login"),
]


@permission_required("admin", "view")
def member_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    state = build_list(
        request,
        members_visible_to(actor),
        columns=MEMBER_COLUMNS,
        default_sort="name",
        filterset_class=MemberFilter,
        filterset_kwargs={"actor": actor},
    )
    return render_list(request, "core/settings/members.html", state)


def _added_message(result: tuple[Membership, bool]) -> str:
    membership, is_new = result
    if is_new:
        return _("%(email)s has been added and invited by e-mail to set a password.") % {"email": membership.user.email}
    return _("%(name)s has been added to the workspace.") % {"name": membership.user}


@permission_required("admin", "create")
@require_http_methods(["GET", "POST"])
def member_new(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = MemberAddForm(request.POST or None, actor=actor)
    outcome = save_form(
        request,
        form,
        lambda data: member_add(
            actor,
            email=data["email"],
            full_name=data["full_name"],
            role_id=data["role"],
            team_id=data["team"],
            title=data["title"],
            invite=True,
        ),
        success_url=reverse("core:members"),
        success_message=_added_message,
    )
    return render_form(request, TEMPLATE, form, outcome, {"creating": True})


@permission_required("admin", "view")
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    membership = member_get(actor, user_id)
    initial = {
        "role": membership.role_id,
        "team": membership.team_id,
        "title": membership.title,
        "version": membership.version,
    }
    form = MemberEditForm(request.POST or None, initial=initial, actor=actor)
    if request.method == "POST":
        require(actor, "admin", "change")
    outcome = save_form(
        request,
        form,
        lambda data: member_update(
            actor, user_id, version=data["version"], role_id=data["role"], team_id=data["team"], title=data["title"]
        ),
        success_url=reverse("core:members"),
        success_message=_("The member has been saved."),
    )
    return render_form(request, TEMPLATE, form, outcome, {"membership": membership})


@permission_required("admin", "change")
@require_POST
def member_set_active(request: HttpRequest, user_id: int, active: bool) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    if active:
        run_action(
            request,
            lambda: member_reactivate(actor, user_id),
            success_message=lambda m: _("%(name)s can work in the workspace again.") % {"name": m.user},
        )
    else:
        run_action(
            request,
            lambda: member_deactivate(actor, user_id),
            success_message=lambda m: (
                _("%(name)s has been deactivated: their sessions and API tokens no longer work.") % {"name": m.user}
            ),
        )
    return HttpResponseRedirect(reverse("core:member_edit", args=[user_id]))
