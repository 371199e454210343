"""Analytics pages: the client classes with the ABC×XYZ matrix, and the recomputation.
Thin: services decide, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from relata.analytics.selectors.classes import abc_xyz_matrix, classes_visible_to, last_recompute, segment_counts
from relata.analytics.services.recompute import classes_recompute_start, settings_of
from relata.core.decorators import permission_required
from relata.core.models import Membership


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
    values = {"period_end": request.POST.get("period_end"), "months": request.POST.get("months")}
    try:
        classes_recompute_start(actor, values=values)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.info(request, _("The recomputation of the classes has started."))
    return HttpResponseRedirect(reverse("analytics:classes"))


urls = [
    path("", classes, name="classes"),
    path("recompute/", recompute, name="recompute"),
]
