"""The demo workspace's client classes: computed once over the two years of demo orders,
so that the dashboards, the classes page and the client cards show ABC, XYZ and RFM from
the first login (the daily job keeps them fresh afterwards)."""

from __future__ import annotations

from relata.analytics.models import ClientClass
from relata.analytics.services.recompute import classes_recompute
from relata.core.demo import register_demo_step
from relata.core.models import Workspace

ORDER = 40  # after the orders (35) and the loyalty cards (36)


def analytics_demo(workspace: Workspace) -> None:
    """Idempotent: a workspace that has classes keeps them."""
    if ClientClass.objects.filter(workspace_id=workspace.pk).exists():
        return
    classes_recompute(workspace)


register_demo_step(analytics_demo, order=ORDER)
