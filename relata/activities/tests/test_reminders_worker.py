"""Reminders delivered by real Celery workers over the real Redis: exactly once across a
worker restart, repeated sweeps, and a worker killed in the middle of a delivery."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection, transaction
from django.utils import timezone

from relata.activities import tasks as _celery_tasks  # noqa: F401  (the sweep, known to the test's app)
from relata.activities.models import Task
from relata.activities.services.tasks import task_create
from relata.activities.tests.helpers import task_type
from relata.core.models import Notification

SWEEP = "relata.activities.tasks.reminders_deliver"
ROOT = Path(__file__).resolve().parents[3]


def due_tasks(member, count: int, title: str) -> list[Task]:
    """Tasks whose reminders are due now: due in 5 minutes, reminded 10 minutes before."""
    tasks = [
        task_create(
            member,
            values={
                "type": task_type(member).pk,
                "title": f"{title} {n}",
                "due_at": timezone.now() + dt.timedelta(minutes=5),
                "remind_before": 10,
            },
        )
        for n in range(count)
    ]
    return tasks


def wait_for(condition, seconds: float = 40) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def assert_each_reminded_once(tasks: list[Task]) -> None:
    for task in tasks:
        task.refresh_from_db()
        assert task.reminded_at is not None, task.title
        assert (
            Notification.objects.filter(kind="task.reminder", key__startswith=f"task-reminder:{task.pk}:").count() == 1
        )


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_reminders_are_delivered_once_across_a_worker_restart(redis_app):
    from conftest import make_personas

    personas = make_personas()
    queue = redis_app.conf.task_default_queue
    first = due_tasks(personas.manager1, 5, "Первая волна")
    with start_worker(redis_app, pool="solo", perform_ping_check=False, loglevel="WARNING", queues=[queue]):
        redis_app.send_task(SWEEP, queue=queue)
        assert wait_for(lambda: Notification.objects.count() == 5)
    # The worker is gone; beat goes on sending sweeps (three of them queue up) and new
    # reminders fall due meanwhile.
    second = due_tasks(personas.manager2, 4, "Вторая волна")
    for _n in range(3):
        redis_app.send_task(SWEEP, queue=queue)
    with start_worker(redis_app, pool="solo", perform_ping_check=False, loglevel="WARNING", queues=[queue]):
        assert wait_for(lambda: Notification.objects.count() >= 9)
        redis_app.send_task(SWEEP, queue=queue)  # one more for good measure, after all are sent
        time.sleep(1.5)
    assert Notification.objects.count() == 9
    assert_each_reminded_once(first + second)
    assert set(Notification.objects.values_list("user_id", flat=True)) == {
        personas.manager1.user_id,
        personas.manager2.user_id,
    }


def _worker(database_url: str, queue: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15",
    }
    return subprocess.Popen(  # noqa: S603  (our own worker, fixed arguments)
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue, "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _declare(app, queue: str) -> None:
    """Bind the queue now: Redis drops messages sent to a queue no consumer declared yet,
    and the worker processes take a few seconds to start."""
    from kombu import Exchange, Queue

    with app.connection_for_write() as conn:
        Queue(queue, Exchange(queue, type="direct"), routing_key=queue)(conn).declare()


def _blocked_on_notifications() -> bool:
    with connection.cursor() as cursor:
        # Statistics are a snapshot per transaction: take a fresh one each time.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE %s",
            ['%INSERT INTO "core_notification"%'],
        )
        return bool(cursor.fetchone()[0])


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_loses_nothing_and_repeats_nothing(redis_app):
    """A worker process is killed (SIGKILL) while its sweep has claimed reminders and is
    writing their notifications: its transaction dies with it, and the next worker
    delivers every reminder exactly once. Needs one database shared by the test and the
    worker process, which SQLite's in-memory test database is not."""
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot reach SQLite's in-memory test database; runs on PostgreSQL")
    from conftest import make_personas

    personas = make_personas()
    queue = redis_app.conf.task_default_queue
    _declare(redis_app, queue)
    tasks = due_tasks(personas.manager1, 6, "Напомнить")
    settings_dict = connection.settings_dict
    database_url = (
        f"postgres://{settings_dict['USER'] or 'postgres'}@{settings_dict['HOST'] or '127.0.0.1'}:"
        f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
    )
    first = _worker(database_url, queue)
    try:
        with transaction.atomic():
            # Hold the notifications table: the worker claims a reminder, then waits on
            # its INSERT, in the middle of its transaction.
            with connection.cursor() as cursor:
                cursor.execute('LOCK TABLE "core_notification" IN EXCLUSIVE MODE')
            redis_app.send_task(SWEEP, queue=queue)
            assert wait_for(_blocked_on_notifications, 60), "the worker never reached the notifications"
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        assert not Notification.objects.exists()
        assert not Task.objects.filter(reminded_at__isnull=False).exists()  # its claims died with it
    finally:
        if first.poll() is None:
            first.kill()
    second = _worker(database_url, queue)
    try:
        redis_app.send_task(SWEEP, queue=queue)  # the next beat
        redis_app.send_task(SWEEP, queue=queue)
        assert wait_for(lambda: Notification.objects.count() >= 6, 60)
        time.sleep(1.5)
    finally:
        second.terminate()
        second.wait(timeout=30)
    assert Notification.objects.count() == 6
    assert_each_reminded_once(tasks)
