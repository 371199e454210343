"""Analytics pages: the client classes with the ABC×XYZ matrix, and the recomputation.
Thin: services decide, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relata.analytics.forms import AnalyticsSettingsForm
from relata.analytics.selectors.classes import abc_xyz_matrix, classes_visible_to, last_recompute, segment_counts
from relata.analytics.services.recompute import analytics_settings_update, classes_recompute_start, settings_of
from relata.core.decorators import permission_required
from relata.core.models import Membership
from relata.web.editing import render_form, save_form


def _actor(request: HttpRequest) -> Membership:
    return request.actor  # type: ignore[attr-defined,no-any-return]


@permission_required("analytics", "view")
@require_GET
def classes(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    context = {
        "matrix": abc_xyz_matrix(actor),
        "computed": classes_visible_to(actor).first(),
        "segments": segment_counts(actor),
        "settings": settings_of(actor.workspace),
        "job": last_recompute(actor),
        "can_recompute": actor.can("analytics", "change"),
    }
    return render(request, "analytics/classes.html", context)


@permission_required("analytics", "change")
@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    period_end = request.POST.get("period_end", "").strip()
    if len(period_end) == 7:  # the month input's YYYY-MM: the period ends before that month
        period_end += "-01"
    values = {"period_end": period_end, "months": request.POST.get("months")}
    try:
        classes_recompute_start(actor, values=values)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.info(request, _("The recomputation of the classes has started."))
    return HttpResponseRedirect(reverse("analytics:classes"))


@permission_required("analytics", "change")
@require_http_methods(["GET", "POST"])
def settings_edit(request: HttpRequest) -> HttpResponse:
    """The thresholds of the classes; they apply from the next recomputation."""
    actor = _actor(request)
    current = settings_of(actor.workspace)
    initial = {name: getattr(current, name) for name in ("abc_a", "abc_b", "xyz_x", "xyz_y", "period_months")}
    form = AnalyticsSettingsForm(request.POST or None, initial={**initial, "version": current.version})
    outcome = save_form(
        request,
        form,
        lambda data: analytics_settings_update(actor, values=data),
        success_url=reverse("analytics:classes"),
        success_message=_("The thresholds are saved: they apply from the next recomputation."),
    )
    return render_form(request, "analytics/settings.html", form, outcome)


urls = [
    path("classes/", classes, name="classes"),
    path("recompute/", recompute, name="recompute"),
    path("settings/", settings_edit, name="settings"),
]
