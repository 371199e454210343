"""A real Celery worker consumes jobs from the Redis on 127.0.0.1:6379 (as production
does with CELERY_BROKER_URL=redis://…), not the eager mode of the other tests."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker

from relata.core.jobs import JobContext, job_handler
from relata.core.models import Job, JobState, Membership
from relata.core.services.jobs import job_start


@job_handler("tests.worker_echo", "Echo")
def echo_job(actor: Membership, context: JobContext) -> dict:
    context.progress(1, 1, force=True)
    return {"echo": context.params["word"], "workspace": actor.workspace.name}


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_a_job_sent_through_redis(redis_app):
    from conftest import make_personas

    personas = make_personas()
    with start_worker(
        redis_app, pool="solo", perform_ping_check=False, loglevel="WARNING", queues=[redis_app.conf.task_default_queue]
    ):
        job = job_start(personas.manager1, kind="tests.worker_echo", params={"word": "кирпич"})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.is_finished:
                break
            time.sleep(0.1)
    assert job.state == JobState.SUCCEEDED, (job.state, job.error)
    assert job.result == {"echo": "кирпич", "workspace": "Alpha Bricks"}
    assert Job.objects.get(pk=job.pk).progress_done == 1
