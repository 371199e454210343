"""Running background jobs: the handler registry and the executor the Celery task calls.

A job runs as the member who started it, with that member's *current* permissions
and scope (a member deactivated meanwhile gets nothing done). Handlers must be
resumable: a worker that dies mid-way leaves the job "running" with an old heartbeat,
and `jobs_recover_stalled` hands it to another worker, which calls the handler again.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError
from django.db.models import F
from django.http import Http404
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from relata.core.models import Job, JobState, Membership

log = logging.getLogger(__name__)


class JobCancelled(Exception):
    pass


class PermanentJobError(Exception):
    """The job cannot succeed however often it is tried; the message is shown to the user."""


class RetryableJobError(Exception):
    """A passing fault (database gone, lock timeout): the job goes back to the queue."""


class JobContext:
    """What a handler gets besides the actor: progress reporting and cancellation."""

    # Progress is written at most this often, so that a tight loop does not write a row
    # per item.
    min_interval = 0.5

    def __init__(self, job: Job) -> None:
        self.job = job
        self._last_write = 0.0

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.job.params)

    def progress(
        self, done: int, total: int | None = None, message: str | Promise = "", *, force: bool = False
    ) -> None:
        now = time.monotonic()
        if not force and now - self._last_write < self.min_interval:
            return
        self._last_write = now
        values: dict[str, Any] = {"progress_done": done, "heartbeat_at": timezone.now()}
        if total is not None:
            values["progress_total"] = total
        if message:
            values["message"] = str(message)[:300]
        # Only a running job takes progress: no row updated means it was cancelled.
        if not Job.objects.filter(pk=self.job.pk, state=JobState.RUNNING).update(**values):
            raise JobCancelled()


Handler = Callable[[Membership, JobContext], dict[str, Any]]


@dataclass(frozen=True)
class JobKind:
    key: str
    label: str | Promise
    handler: Handler


JOB_KINDS: dict[str, JobKind] = {}


def job_handler(key: str, label: str | Promise) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        JOB_KINDS[key] = JobKind(key, label, handler)
        return handler

    return register


def _claim(job_id: int) -> Job | None:
    """Take the job for this worker: pending, or running with a stale heartbeat (its
    worker died). A conditional UPDATE, so two workers never both take it."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.RELATA_JOB_STALL_SECONDS)
    claimed = Job.objects.filter(pk=job_id, state=JobState.PENDING).update(
        state=JobState.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
    ) or Job.objects.filter(pk=job_id, state=JobState.RUNNING, heartbeat_at__lt=stale).update(
        heartbeat_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    return Job.objects.select_related("workspace", "created_by").get(pk=job_id)


def fail(job_id: int, error: str) -> None:
    """Give up on a job (e.g. after its last retry)."""
    Job.objects.filter(pk=job_id, state__in=[JobState.PENDING, JobState.RUNNING]).update(
        state=JobState.FAILED, error=error, finished_at=timezone.now()
    )


def _finish(job: Job, state: str, *, result: dict[str, Any] | None = None, error: str = "") -> None:
    values: dict[str, Any] = {"state": state, "finished_at": timezone.now(), "heartbeat_at": timezone.now()}
    if result is not None:
        values["result"] = result
    if error:
        values["error"] = error
    if state == JobState.SUCCEEDED:
        values["progress_done"] = F("progress_total")
    # Never overwrite a cancellation that arrived meanwhile.
    Job.objects.filter(pk=job.pk, state=JobState.RUNNING).update(**values)


def execute(job_id: int) -> str | None:
    """Run job `job_id` if this worker can claim it; returns the final state."""
    job = _claim(job_id)
    if job is None:
        return None
    kind = JOB_KINDS.get(job.kind)
    actor = (
        Membership.objects.select_related("workspace", "role", "team", "user")
        .filter(workspace_id=job.workspace_id, user_id=job.created_by_id, is_active=True)
        .first()
    )
    if kind is None or actor is None:
        reason = (
            _("Unknown kind of job.") if kind is None else _("The member who started the job no longer has access.")
        )
        _finish(job, JobState.FAILED, error=reason)
        return JobState.FAILED
    # Messages and labels the job stores are in its author's language.
    with translation.override(job.language or actor.user.language or actor.workspace.language):
        return _run(job, kind, actor)


def _run(job: Job, kind: JobKind, actor: Membership) -> str:
    context = JobContext(job)
    try:
        result = kind.handler(actor, context)
    except JobCancelled:
        return JobState.CANCELLED
    except (RetryableJobError, OperationalError, InterfaceError) as exc:
        Job.objects.filter(pk=job.pk, state=JobState.RUNNING).update(state=JobState.PENDING, message=str(exc)[:300])
        raise RetryableJobError(str(exc)) from exc
    except (PermanentJobError, ValidationError, PermissionDenied, Http404) as exc:
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        _finish(job, JobState.FAILED, error=message or exc.__class__.__name__)
        return JobState.FAILED
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(
            job,
            JobState.FAILED,
            error=_("An internal error stopped the job; it has been logged for the administrators."),
        )
        return JobState.FAILED
    _finish(job, JobState.SUCCEEDED, result=result)
    return JobState.SUCCEEDED
