"""Celery tasks of loyalty: thin, idempotent."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="relata.loyalty.tasks.points_expire", acks_late=True)
def points_expire() -> int:
    """Points past their lifetime (Celery beat, daily). Returns the points expired."""
    from relata.loyalty.services.points import points_expire as expire

    return expire()
