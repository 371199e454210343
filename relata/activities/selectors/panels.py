"""What the activities app shows on a client's card."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from relata.activities.models import ActivityKind, TaskStatus
from relata.activities.selectors.tasks import tasks_visible_to
from relata.core.models import Membership

QUICK_KINDS = ["call", "email", "meeting", "note", "document_sent"]


def client_log_panel(actor: Membership, client: Model) -> dict[str, Any]:
    labels = dict(ActivityKind.choices)
    return {
        "client": client,
        "kinds": [(kind, labels[kind]) for kind in QUICK_KINDS],
        "more": [(kind, label) for kind, label in ActivityKind.choices if kind not in QUICK_KINDS],
        "can_log": actor.can("activities", "create"),
    }


def client_tasks_panel(actor: Membership, client: Model) -> dict[str, Any]:
    open_tasks = tasks_visible_to(actor).filter(client_id=client.pk, status=TaskStatus.OPEN).order_by("due_at", "pk")
    return {"client": client, "tasks": list(open_tasks[:10]), "count": open_tasks.count()}
