"""Sales plans: the page of a month or quarter (target, actual, percent, forecast per
plan), the plan form, deletion, and the set-up of a whole team's plans for a period.
Reading needs `sales.view` (each sees the plans within their scope); every change
`sales.assign`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relata.core.decorators import permission_required
from relata.core.models import Membership, Team
from relata.core.selectors.teams import teams_visible_to
from relata.sales.forms_plans import (
    PeriodForm,
    SalesPlanForm,
    TeamSetupForm,
    pipeline_choices,
    plan_values,
    plannable_team_choices,
)
from relata.sales.models import PeriodKind, SalesPlan
from relata.sales.selectors.plans import (
    parse_period,
    period_label,
    plan_get,
    plan_progress,
    plannable_team_ids,
    plans_visible_to,
    shift_period,
    team_members,
    workspace_today,
)
from relata.sales.services.plans import sales_plan_create, sales_plan_delete, sales_plan_update, sales_plans_set
from relata.web.editing import render_form, run_action, save_form


def _actor(request: HttpRequest) -> Membership:
    return request.actor  # type: ignore[attr-defined, no-any-return]


def _period(request: HttpRequest, actor: Membership) -> tuple[str, Any, bool]:
    """The kind and start of the period asked for (the current one when missing or
    unreadable), and whether what was asked could be read."""
    kind = request.GET.get("kind") or PeriodKind.MONTH
    if kind not in PeriodKind.values:
        kind = PeriodKind.MONTH
    today = workspace_today(actor)
    start = parse_period(kind, request.GET.get("period"), today=today)
    if start is None:
        return kind, parse_period(kind, None, today=today), False
    return kind, start, True


def _plans_url(kind: str, start: Any) -> str:
    return reverse("sales:sales_plans") + "?" + urlencode({"kind": kind, "period": period_label(kind, start)})


@permission_required("sales", "view")
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    kind, start, readable = _period(request, actor)
    form = PeriodForm(initial={"kind": kind, "period": period_label(kind, start)})
    context = {
        "rows": plan_progress(actor, kind, start),
        "form": form,
        "kind": kind,
        "start": start,
        "label": period_label(kind, start),
        "unreadable": not readable,
        "previous_url": _plans_url(kind, shift_period(kind, start, -1)),
        "next_url": _plans_url(kind, shift_period(kind, start, 1)),
        "teams": plannable_team_choices(actor) if actor.can("sales", "assign") else [],
        "can_assign": actor.can("sales", "assign"),
    }
    return render(request, "sales/plans/plans.html", context)


@permission_required("sales", "assign")
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    kind, start, _readable = _period(request, actor)
    initial = {"period_kind": kind, "period_start": start, "currency": actor.workspace.default_currency}
    form = SalesPlanForm(request.POST or None, initial=initial, actor=actor)
    outcome = save_form(
        request,
        form,
        lambda data: sales_plan_create(actor, values=plan_values(data)),
        success_url=lambda plan: _plans_url(plan.period_kind, plan.period_start),
        success_message=_("The plan has been saved."),
    )
    return render_form(request, "sales/plans/plan_form.html", form, outcome, {"creating": True})


def _writable(actor: Membership, pk: int) -> SalesPlan:
    return plan_get(actor, pk, for_write=True)  # 404 outside the scope, then 403


@permission_required("sales", "view")
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    plan = _writable(actor, pk)
    initial = {name: getattr(plan, name) for name in ("period_kind", "period_start", "target_amount", "currency")}
    initial.update(
        version=plan.version,
        manager=plan.manager_id,
        team=plan.team_id,
        target_count=plan.target_count,
        pipeline=plan.pipeline_id,
    )
    form = SalesPlanForm(request.POST or None, initial=initial, actor=actor, plan=plan)
    outcome = save_form(
        request,
        form,
        lambda data: sales_plan_update(actor, plan.pk, version=data["version"], values=plan_values(data)),
        success_url=lambda saved: _plans_url(saved.period_kind, saved.period_start),
        success_message=_("The plan has been saved."),
    )
    return render_form(request, "sales/plans/plan_form.html", form, outcome, {"plan": plan})


@permission_required("sales", "view")
@require_POST
def plan_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    plan = _writable(actor, pk)
    version = request.POST.get("version")
    run_action(
        request,
        lambda: sales_plan_delete(actor, plan.pk, version=int(version) if version and version.isdigit() else None),
        success_message=_("The plan has been deleted."),
    )
    return HttpResponseRedirect(_plans_url(plan.period_kind, plan.period_start))


def _setup_rows(actor: Membership, team: Team, kind: str, start: Any, pipeline_id: int | None) -> list[dict[str, Any]]:
    """The team itself, then each active manager of its subtree (with sales access)."""
    members = team_members(actor, team)
    rows: list[dict[str, Any]] = [{"kind": "team", "id": team.pk, "label": team.name, "team": True}]
    rows += [
        {"kind": "manager", "id": m.user_id, "label": f"{m.user.full_name} ({m.team.name if m.team else ''})"}
        for m in members
        if m.can("sales", "view")
    ]
    same: dict[str, Any] = {"period_kind": kind, "period_start": start, "pipeline_id": pipeline_id}
    existing = plans_visible_to(actor).filter(**same)
    by_subject = {("team", p.team_id) if p.team_id else ("manager", p.manager_id): p for p in existing}
    for row in rows:
        row["plan"] = by_subject.get((row["kind"], row["id"]))
    return rows


@permission_required("sales", "assign")
@require_http_methods(["GET", "POST"])
def plans_setup(request: HttpRequest) -> HttpResponse:
    """?team=<id>&kind=&period=&pipeline=: the team's plans for the period in one form
    (team and pipeline may come with the POST too). The pipeline is chosen before the
    rows, since it decides which plans exist."""
    actor = _actor(request)
    kind, start, _readable = _period(request, actor)
    team = None
    team_id = request.GET.get("team") or request.POST.get("team")
    allowed = plannable_team_ids(actor)
    if team_id and team_id.isdigit() and (allowed is None or int(team_id) in allowed):
        team = teams_visible_to(actor).filter(pk=int(team_id)).first()
    pipeline_id = request.GET.get("pipeline") or request.POST.get("pipeline")
    pipeline = int(pipeline_id) if pipeline_id and pipeline_id.isdigit() else None
    if team is None:
        context = {
            "teams": plannable_team_choices(actor),
            "kind": kind,
            "label": period_label(kind, start),
            "start": start,
        }
        return render(request, "sales/plans/setup.html", context, status=400 if team_id else 200)
    rows = _setup_rows(actor, team, kind, start, pipeline)
    initial: dict[str, Any] = {"currency": actor.workspace.default_currency}
    for index, row in enumerate(rows):
        if row["plan"] is not None:
            initial.update(
                {
                    f"amount_{index}": row["plan"].target_amount,
                    f"count_{index}": row["plan"].target_count,
                    f"version_{index}": row["plan"].version,
                }
            )
            initial["currency"] = row["plan"].currency
    form = TeamSetupForm(request.POST or None, initial=initial, rows=rows)
    outcome = save_form(
        request,
        form,
        lambda data: sales_plans_set(
            actor,
            period_kind=kind,
            period_start=start,
            currency=data.get("currency"),
            pipeline=pipeline,
            rows=form.service_rows(),
        ),
        success_url=_plans_url(kind, start),
        success_message=_("The plans have been saved."),
    )
    context = {
        "team": team,
        "kind": kind,
        "label": period_label(kind, start),
        "start": start,
        "pipeline": pipeline,
        "pipelines": pipeline_choices(actor),
    }
    return render_form(request, "sales/plans/setup.html", form, outcome, context)


urls = [
    path("plans/", plan_list, name="sales_plans"),
    path("plans/new/", plan_new, name="sales_plan_new"),
    path("plans/setup/", plans_setup, name="sales_plans_setup"),
    path("plans/<int:pk>/", plan_edit, name="sales_plan_edit"),
    path("plans/<int:pk>/delete/", plan_delete, name="sales_plan_delete"),
]
