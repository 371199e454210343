from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relata.core.access import get_visible
from relata.core.context import page_language
from relata.core.errors import invalid
from relata.core.jobs import JOB_KINDS
from relata.core.models import Job, JobState, Membership
from relata.core.selectors.jobs import jobs_visible_to
from relata.core.tasks import run_job


def job_start(actor: Membership, *, kind: str, params: dict[str, Any] | None = None, total: int = 0) -> Job:
    """Record a job and hand it to the worker once the surrounding transaction commits
    (so the worker never looks for a row that is not there yet)."""
    if kind not in JOB_KINDS:
        raise ValueError(f"Unknown job kind {kind!r}")
    job = Job.objects.create(
        workspace_id=actor.workspace_id,
        kind=kind,
        created_by=actor.user,
        params=params or {},
        progress_total=total,
        language=page_language(),
    )

    transaction.on_commit(lambda: run_job.delay(job.pk))
    return job


@transaction.atomic
def job_cancel(actor: Membership, job_id: int) -> Job:
    """Ask a waiting or running job to stop; the handler stops at its next progress report."""
    job = get_visible(actor, jobs_visible_to(actor), job_id)
    if job.created_by_id != actor.user_id and not actor.can("admin", "change"):
        raise PermissionDenied("job")
    if job.is_finished:
        raise invalid("state", _("The job has already finished."))
    Job.objects.filter(pk=job.pk, state__in=[JobState.PENDING, JobState.RUNNING]).update(
        state=JobState.CANCELLED, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job
