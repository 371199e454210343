"""Mass planning: the same task for every client of a segment, a filtered list or a
selection, spread over managers and days, as a job with progress.

The page is reached from the client lists (the bulk bar posts the selection or the
list's query string) or from the segments (`?kind=company&segment=<id>`), and also takes
`?kind=…&<the list's query string>` or repeated `ids` parameters.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from relata.activities.forms_settings import PlanForm, plan_values
from relata.activities.models import TaskPriority
from relata.activities.services.planning import plan_start, plan_targets
from relata.clients.models import ClientKind, Segment
from relata.clients.selectors.segments import segments_visible_to
from relata.core.decorators import permission_required
from relata.core.models import Membership
from relata.web.editing import render_form, save_form

LIST_URLS = {ClientKind.COMPANY.value: "clients:companies", ClientKind.PERSON.value: "clients:people"}
# Parameters of a list's address that do not choose clients.
NOT_FILTERS = ("kind", "ids", "page", "cols", "step", "csrfmiddlewaretoken")


@dataclass
class Target:
    """Which clients the plan is for: a selection (`ids`) or a list's query string."""

    kind: str = ""
    ids: list[int] = field(default_factory=list)
    query: str = ""

    @property
    def given(self) -> bool:
        return bool(self.ids) or self.kind in ClientKind.values

    @property
    def list_url(self) -> str:
        if self.kind not in LIST_URLS:
            return reverse("clients:companies")
        return f"{reverse(LIST_URLS[self.kind])}?{self.query}" if self.query else reverse(LIST_URLS[self.kind])


def _ids(values: list[str]) -> list[int]:
    return sorted({int(value) for value in values if value.strip().isdigit()})


def _query(params: QueryDict) -> str:
    params = params.copy()
    for name in NOT_FILTERS:
        params.pop(name, None)
    return params.urlencode()


def target_of(request: HttpRequest) -> Target:
    kind = request.POST.get("kind") or request.GET.get("kind") or ""
    if request.method != "POST":
        return Target(kind, _ids(request.GET.getlist("ids")), _query(request.GET))
    if request.POST.get("step") == "plan":  # the planning form itself
        return Target(kind, _ids(request.POST.getlist("ids")), request.POST.get("query", ""))
    # The bulk bar of a client list: the whole filtered list, or the ticked clients.
    if request.POST.get("all"):
        return Target(kind, [], _query(QueryDict(request.POST.get("query", ""))))
    return Target(kind, _ids(request.POST.getlist("ids")), "")


def _segment(actor: Membership, target: Target) -> Segment | None:
    value = QueryDict(target.query).get("segment", "")
    if target.ids or not value.isdigit():
        return None
    return segments_visible_to(actor).filter(pk=int(value)).first()


def _start(actor: Membership, data: dict[str, Any], target: Target) -> Any:
    try:
        return plan_start(actor, kind=target.kind, ids=target.ids, query=target.query, values=plan_values(data))
    except PermissionDenied:
        raise ValidationError(
            _("Some of these clients belong to colleagues: giving them tasks needs the permission to assign tasks.")
        ) from None


@permission_required("activities", "create")
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    target = target_of(request)
    count = plan_targets(actor, kind=target.kind, ids=target.ids, query=target.query).count() if target.given else 0
    today = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(actor.workspace.time_zone)).date()
    initial = {
        "priority": TaskPriority.NORMAL,
        "start_date": today,
        "per_day": 10,
        "weekdays_only": True,
        "time": "10:00",
        "interval": 15,
    }
    submitted = request.method == "POST" and request.POST.get("step") == "plan"
    form = PlanForm(request.POST if submitted else None, actor=actor, initial=initial)
    outcome = save_form(
        request,
        form,
        lambda data: _start(actor, data, target),
        success_url=lambda job: reverse("core:job_detail", args=[job.pk]),
        success_message=lambda job: (
            _("The tasks are being created for %(count)d clients; follow the progress here.")
            % {"count": job.progress_total}
        ),
    )
    context = {"target": target, "count": count, "segment": _segment(actor, target), "kinds": dict(ClientKind.choices)}
    return render_form(request, "activities/plan.html", form, outcome, context)


urls = [path("plan/", plan, name="plan")]
