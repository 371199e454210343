"""Celery tasks of activities: thin, take ids, idempotent."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="relata.activities.tasks.reminders_deliver", acks_late=True)
def reminders_deliver() -> int:
    """The reminder sweep (Celery beat, every few seconds)."""
    from relata.activities.services.reminders import reminders_deliver as deliver

    return deliver()


@shared_task(name="relata.activities.tasks.task_rules_run", acks_late=True)
def task_rules_run() -> int:
    """Silence rules ("no contact for N days"), hourly."""
    from relata.activities.services.rules import rules_run_silence

    return rules_run_silence()
