"""Celery tasks of the platform: thin, take ids, idempotent."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from relata.core import jobs
from relata.core.auth import throttling
from relata.core.models import Job, JobState

MAX_RETRIES = 5


@shared_task(bind=True, name="relata.core.tasks.run_job", max_retries=MAX_RETRIES, acks_late=True)
def run_job(self, job_id: int) -> str | None:  # type: ignore[no-untyped-def]
    try:
        return jobs.execute(job_id)
    except jobs.RetryableJobError as exc:
        if self.request.retries >= MAX_RETRIES:
            jobs.fail(job_id, _("Gave up after %(count)d attempts: %(error)s") % {"count": MAX_RETRIES, "error": exc})
            return JobState.FAILED
        raise self.retry(exc=exc, countdown=min(300, 5 * 2**self.request.retries)) from exc


@shared_task(name="relata.core.tasks.jobs_recover_stalled")
def jobs_recover_stalled() -> int:
    """Re-enqueue jobs whose worker stopped giving signs of life (killed or crashed)."""
    stale = timezone.now() - dt.timedelta(seconds=settings.RELATA_JOB_STALL_SECONDS)
    ids = list(
        Job.objects.filter(state=JobState.RUNNING, heartbeat_at__lt=stale).values_list("id", flat=True)[:100]
    ) + list(
        # Pending for long: the message was lost (e.g. the broker was wiped).
        Job.objects.filter(state=JobState.PENDING, created_at__lt=stale).values_list("id", flat=True)[:100]
    )
    for job_id in ids:
        run_job.delay(job_id)
    return len(ids)


@shared_task(name="relata.core.tasks.login_throttle_purge")
def login_throttle_purge() -> int:
    return throttling.purge_expired()


@shared_task(name="relata.core.tasks.outgoing_email_send", acks_late=True)
def outgoing_email_send(letter_id: int) -> str:
    from relata.core.services.notifications import email_send

    return email_send(letter_id)


@shared_task(name="relata.core.tasks.emails_send_pending")
def emails_send_pending() -> int:
    """The outbox sweep: letters whose message was lost or whose worker died mid-send."""
    from relata.core.services.notifications import email_send, emails_pending_ids

    ids = emails_pending_ids()
    for letter_id in ids:
        email_send(letter_id)
    return len(ids)
