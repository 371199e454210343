"""Celery tasks of analytics: thin, idempotent."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="relata.analytics.tasks.classes_recompute_all", acks_late=True)
def classes_recompute_all() -> int:
    """Recompute the client classes of every workspace (Celery beat, daily)."""
    from relata.analytics.services.recompute import classes_recompute_all as recompute

    return recompute()
