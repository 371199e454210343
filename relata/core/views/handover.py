"""Administration: hand-over of a member's records to colleagues."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from relata.core.decorators import permission_required
from relata.core.forms import HandoverForm
from relata.core.handover import owned_kinds
from relata.core.services.handover import handover_preview, handover_start


@permission_required("admin", "assign")
@require_http_methods(["GET", "POST"])
def handover(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    initial = {"from_user": request.GET.get("from_user")}
    form = HandoverForm(request.POST or None, actor=actor, initial=initial)
    preview = None
    source = request.POST.get("from_user") or request.GET.get("from_user")
    if request.method == "GET" and source:
        form = HandoverForm(None, actor=actor, initial={"from_user": source})
    if source and source.isdigit():
        try:
            preview = handover_preview(actor, int(source))
        except Http404:
            preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = handover_start(
                actor,
                from_user_id=data["from_user"],
                to_user_ids=data["to_users"],
                kinds=data["kinds"],
                deactivate=data["deactivate"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return HttpResponseRedirect(reverse("core:job_detail", args=[job.pk]))
    return render(
        request,
        "core/settings/handover.html",
        {"form": form, "preview": preview, "has_kinds": bool(owned_kinds())},
        status=400 if form.errors else 200,
    )
