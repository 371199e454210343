"""What the dashboard and the API say of the workspace's columnar copy
(relata.analytics.services.columnar)."""

from __future__ import annotations

from dataclasses import dataclass

from relata.analytics.services.columnar import JOB_KIND, CopyState, copy_state
from relata.core.models import Job, Membership
from relata.core.selectors.jobs import jobs_visible_to


@dataclass(frozen=True)
class CopyStatus:
    state: CopyState | None  # None: the workspace has no copy (its widgets read the database)
    job: Job | None  # the latest refresh the actor may see
    can_refresh: bool


def copy_status(actor: Membership) -> CopyStatus:
    return CopyStatus(
        state=copy_state(actor.workspace),
        job=jobs_visible_to(actor).filter(kind=JOB_KIND).order_by("-pk").first(),
        can_refresh=actor.can("analytics", "change"),
    )
