"""Background jobs: the list of one's jobs and a job's live progress."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relata.core.access import get_visible
from relata.core.decorators import actor_required
from relata.core.jobs import JOB_KINDS
from relata.core.selectors.jobs import jobs_visible_to
from relata.core.services.jobs import job_cancel


@actor_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = jobs_visible_to(request.actor)[:100]  # type: ignore[attr-defined]
    return render(request, "core/jobs.html", {"jobs": jobs, "kinds": JOB_KINDS})


@actor_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_visible(request.actor, jobs_visible_to(request.actor), pk)  # type: ignore[attr-defined]
    context = {"job": job, "kind": JOB_KINDS.get(job.kind)}
    if request.htmx:  # type: ignore[attr-defined]
        # Polled every second while the job runs; a finished job stops the polling.
        return render(request, "core/_job_progress.html", context)
    return render(request, "core/job_detail.html", context)


@actor_required
@require_POST
def job_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        job_cancel(request.actor, pk)  # type: ignore[attr-defined]
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.info(request, _("The job has been cancelled."))
    return HttpResponseRedirect(reverse("core:job_detail", args=[pk]))
