"""Celery tasks of analytics: thin, idempotent."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="relata.analytics.tasks.classes_recompute_all", acks_late=True)
def classes_recompute_all() -> int:
    """Recompute the client classes of every workspace (Celery beat, daily)."""
    from relata.analytics.services.recompute import classes_recompute_all as recompute

    return recompute()


@shared_task(name="relata.analytics.tasks.columnar_refresh_all", acks_late=True)
def columnar_refresh_all() -> int:
    """Rebuild the analytics copies that are due (Celery beat)."""
    from relata.analytics.services.columnar import columnar_refresh_all as refresh

    return refresh()
