"""A real Celery worker consumes jobs from the Redis on 127.0.0.1:6379 (as production
does with CELERY_BROKER_URL=redis://…), not the eager mode of the other tests."""

from __future__ import annotations

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from conftest import missing_service
from relata.core.jobs import JobContext, job_handler
from relata.core.models import Job, JobState, Membership
from relata.core.services.jobs import job_start

REDIS_URL = "redis://127.0.0.1:6379/15"


@job_handler("tests.worker_echo", "Echo")
def echo_job(actor: Membership, context: JobContext) -> dict:
    context.progress(1, 1, force=True)
    return {"echo": context.params["word"], "workspace": actor.workspace.name}


@pytest.fixture
def redis_app():
    """A Celery app of its own on the real Redis, made current for the test (the
    project's app stays as it is for the other tests)."""
    import redis
    from celery import Celery

    from config.celery import app as project_app

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError:
        missing_service("Redis does not answer at 127.0.0.1:6379")
    app = Celery("relata-worker-test", set_as_current=True)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    # A queue of its own, so that no other consumer of this Redis can take the task.
    app.conf.update(
        broker_url=REDIS_URL,
        task_always_eager=False,
        broker_transport_options={},
        task_default_queue=f"relata-test-{uuid.uuid4().hex[:8]}",
    )
    app.set_current()
    try:
        yield app
    finally:
        app.close()
        # start_worker also makes its app the process-wide default, which every other
        # thread (the live server of the browser tests) would go on using.
        project_app.set_current()
        project_app.set_default()


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
