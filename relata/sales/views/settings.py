"""Pipelines, their stages and the loss reasons (administrators, `admin.change`, with the
sales module on): list, add, change, reorder and delete, with the services' refusals
shown on the page.

The pages sit in the administration layout. Their menu entries are registered when this
module is imported (by relata/sales/urls.py) and show only while sales is switched on.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relata.core.access import require_module
from relata.core.decorators import permission_required
from relata.core.errors import ValidationError
from relata.core.models import Membership
from relata.sales.forms_settings import (
    LossReasonForm,
    PipelineForm,
    StageForm,
    loss_reason_values,
    pipeline_values,
    stage_values,
)
from relata.sales.models import SalesMode
from relata.sales.selectors.settings import (
    loss_reason_get,
    loss_reason_use,
    loss_reasons_with_use,
    pipeline_deal_count,
    pipeline_get,
    pipeline_stage_rows,
    pipelines_overview,
    stage_deal_counts,
    stage_get,
)
from relata.sales.services.settings import (
    loss_reason_save,
    pipeline_create,
    pipeline_delete,
    pipeline_update,
    stage_create,
    stage_delete,
    stage_update,
    stages_reorder,
)
from relata.web.editing import render_form, run_action, save_form
from relata.web.navigation import NavItem, register_admin_nav

View = Callable[..., HttpResponse]


class SalesAdminNavItem(NavItem):
    """An administration entry that disappears with the sales module."""

    def allowed(self, actor: Membership) -> bool:
        return super().allowed(actor) and actor.workspace.module_enabled("sales")


# Keys whose stem matches the URL names (pipelines, pipeline_stages, pipeline_stage_edit…;
# loss_reasons, loss_reason_edit…), so that the menu marks the section current on each page.
register_admin_nav(
    SalesAdminNavItem(
        "pipeline", gettext_lazy("Pipelines"), "sales:pipelines", "admin", action="change", icon="kanban", order=120
    )
)
register_admin_nav(
    SalesAdminNavItem(
        "loss_reason",
        gettext_lazy("Loss reasons"),
        "sales:loss_reasons",
        "admin",
        action="change",
        icon="x-octagon",
        order=125,
    )
)


def sales_admin(view: View) -> View:
    """`admin.change`, and the sales module on (404 otherwise, as its other pages)."""

    @permission_required("admin", "change")
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_module(request.actor, "sales")  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


# --- Pipelines ------------------------------------------------------------------------


@sales_admin
@require_GET
def pipeline_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return render(request, "sales/settings/pipelines.html", {"rows": pipelines_overview(actor)})


@sales_admin
@require_http_methods(["GET", "POST"])
def pipeline_new(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = PipelineForm(request.POST or None, initial={"mode": SalesMode.PARALLEL, "is_active": True})
    outcome = save_form(
        request,
        form,
        lambda data: pipeline_create(actor, values=pipeline_values(data)),
        # A new pipeline has no stages yet: the next step is adding them.
        success_url=lambda pipeline: reverse("sales:pipeline_stages", args=[pipeline.pk]),
        success_message=lambda pipeline: (
            _("The pipeline “%(name)s” has been created; now add its stages.") % {"name": pipeline.name}
        ),
    )
    return render_form(request, "sales/settings/pipeline_form.html", form, outcome, {"creating": True})


@sales_admin
@require_http_methods(["GET", "POST"])
def pipeline_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    pipeline = pipeline_get(actor, pk)
    initial = {
        "version": pipeline.version,
        "name": pipeline.name,
        "mode": pipeline.mode,
        "position": pipeline.position,
        "is_active": pipeline.is_active,
    }
    form = PipelineForm(request.POST or None, initial=initial, pipeline=pipeline)
    outcome = save_form(
        request,
        form,
        lambda data: pipeline_update(actor, pipeline.pk, version=data["version"], values=pipeline_values(data)),
        success_url=reverse("sales:pipelines"),
        success_message=_("The pipeline has been saved."),
    )
    context = {"pipeline": pipeline, "deals": pipeline_deal_count(pipeline)}
    return render_form(request, "sales/settings/pipeline_form.html", form, outcome, context)


@sales_admin
@require_POST
def pipeline_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    pipeline = pipeline_get(actor, pk)
    deleted = run_action(
        request,
        lambda: pipeline_delete(actor, pipeline.pk),
        success_message=_("The pipeline “%(name)s” has been deleted.") % {"name": pipeline.name},
    )
    return HttpResponseRedirect(reverse("sales:pipelines") if deleted else reverse("sales:pipeline_edit", args=[pk]))


# --- Stages ---------------------------------------------------------------------------


def _stages_context(actor: Membership, pipeline: Any) -> dict[str, Any]:
    return {"pipeline": pipeline, "rows": pipeline_stage_rows(actor, pipeline)}


@sales_admin
@require_GET
def pipeline_stages(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    pipeline = pipeline_get(actor, pk)
    return render(request, "sales/settings/stages.html", _stages_context(actor, pipeline))


@sales_admin
@require_http_methods(["GET", "POST"])
def pipeline_stage_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    pipeline = pipeline_get(actor, pk)
    initial = {"probability": 10, "handoff": "round_robin"}
    form = StageForm(request.POST or None, initial=initial, actor=actor, pipeline=pipeline)
    outcome = save_form(
        request,
        form,
        lambda data: stage_create(actor, pipeline.pk, values=stage_values(form)),
        success_url=reverse("sales:pipeline_stages", args=[pipeline.pk]),
        success_message=lambda stage: _("The stage “%(name)s” has been added.") % {"name": stage.name},
    )
    context = {"pipeline": pipeline, "creating": True}
    return render_form(request, "sales/settings/stage_form.html", form, outcome, context)


@sales_admin
@require_http_methods(["GET", "POST"])
def pipeline_stage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    stage = stage_get(actor, pk)
    initial = {
        "name": stage.name,
        "probability": stage.probability,
        "required_fields": stage.required_fields,
        "team": stage.team_id,
        "handoff": stage.handoff,
    }
    form = StageForm(request.POST or None, initial=initial, actor=actor, pipeline=stage.pipeline)
    outcome = save_form(
        request,
        form,
        lambda data: stage_update(actor, stage.pk, values=stage_values(form)),
        success_url=reverse("sales:pipeline_stages", args=[stage.pipeline_id]),
        success_message=_("The stage has been saved."),
    )
    open_deals, deals = stage_deal_counts(stage)
    context = {"pipeline": stage.pipeline, "stage": stage, "open_deals": open_deals, "deals": deals}
    return render_form(request, "sales/settings/stage_form.html", form, outcome, context)


@sales_admin
@require_POST
def pipeline_stage_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    stage = stage_get(actor, pk)
    run_action(
        request,
        lambda: stage_delete(actor, stage.pk),
        success_message=_("The stage “%(name)s” has been deleted.") % {"name": stage.name},
    )
    return HttpResponseRedirect(reverse("sales:pipeline_stages", args=[stage.pipeline_id]))


@sales_admin
@require_POST
def pipeline_stage_move(request: HttpRequest, pk: int) -> HttpResponse:
    """One place up or down (`direction`). From HTMX, answers with the stage table alone."""
    actor = request.actor  # type: ignore[attr-defined]
    stage = stage_get(actor, pk)
    ids = [row.stage.pk for row in pipeline_stage_rows(actor, stage.pipeline)]
    at = ids.index(stage.pk)
    to = at - 1 if request.POST.get("direction") == "up" else at + 1
    error = ""
    if 0 <= to < len(ids):  # the first one cannot go up, nor the last one down
        ids[at], ids[to] = ids[to], ids[at]
        try:
            stages_reorder(actor, stage.pipeline_id, stage_ids=ids)
        except ValidationError as refused:
            error = " ".join(refused.messages)
    if request.htmx:  # type: ignore[attr-defined]
        context = {**_stages_context(actor, stage.pipeline), "move_error": error}
        return render(request, "sales/settings/_stages_table.html", context)
    if error:
        messages.error(request, error)
    return HttpResponseRedirect(reverse("sales:pipeline_stages", args=[stage.pipeline_id]))


# --- Loss reasons ---------------------------------------------------------------------


@sales_admin
@require_GET
def loss_reason_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return render(request, "sales/settings/loss_reasons.html", {"rows": loss_reasons_with_use(actor)})


@sales_admin
@require_http_methods(["GET", "POST"])
def loss_reason_new(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    form = LossReasonForm(request.POST or None, initial={"is_active": True})
    outcome = save_form(
        request,
        form,
        lambda data: loss_reason_save(actor, **loss_reason_values(data)),
        success_url=reverse("sales:loss_reasons"),
        success_message=lambda reason: _("The reason “%(name)s” has been added.") % {"name": reason.display_name},
    )
    return render_form(request, "sales/settings/loss_reason_form.html", form, outcome, {"creating": True})


@sales_admin
@require_http_methods(["GET", "POST"])
def loss_reason_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    reason = loss_reason_get(actor, pk)
    initial = {"name": reason.name, "position": reason.position, "is_active": reason.is_active}
    form = LossReasonForm(request.POST or None, initial=initial, reason=reason)
    outcome = save_form(
        request,
        form,
        lambda data: loss_reason_save(actor, reason.pk, **loss_reason_values(data)),
        success_url=reverse("sales:loss_reasons"),
        success_message=_("The reason has been saved."),
    )
    context = {"reason": reason, "used": loss_reason_use(reason)}
    return render_form(request, "sales/settings/loss_reason_form.html", form, outcome, context)


urls = [
    path("settings/pipelines/", pipeline_list, name="pipelines"),
    path("settings/pipelines/new/", pipeline_new, name="pipeline_new"),
    path("settings/pipelines/<int:pk>/", pipeline_edit, name="pipeline_edit"),
    path("settings/pipelines/<int:pk>/delete/", pipeline_delete_view, name="pipeline_delete"),
    path("settings/pipelines/<int:pk>/stages/", pipeline_stages, name="pipeline_stages"),
    path("settings/pipelines/<int:pk>/stages/new/", pipeline_stage_new, name="pipeline_stage_new"),
    path("settings/stages/<int:pk>/", pipeline_stage_edit, name="pipeline_stage_edit"),
    path("settings/stages/<int:pk>/delete/", pipeline_stage_delete, name="pipeline_stage_delete"),
    path("settings/stages/<int:pk>/move/", pipeline_stage_move, name="pipeline_stage_move"),
    path("settings/loss-reasons/", loss_reason_list, name="loss_reasons"),
    path("settings/loss-reasons/new/", loss_reason_new, name="loss_reason_new"),
    path("settings/loss-reasons/<int:pk>/", loss_reason_edit, name="loss_reason_edit"),
]
