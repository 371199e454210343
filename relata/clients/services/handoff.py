"""A client follows its work to another manager when another app's workflow decides so
(a conveyor pipeline hands a deal to the next team)."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from relata.clients.models import Client
from relata.core.audit import record_event
from relata.core.models import Membership


def client_follow_owner(actor: Membership, client_id: int, *, from_user_id: int, to_user_id: int) -> bool:
    """Give the client to `to_user_id` if `from_user_id` still owns it; True if it moved.

    The caller has decided the hand-off (the actor need not hold `clients.assign`); a
    client owned by someone else stays where it is. Writes the owner-change event."""
    moved = Client.objects.filter(pk=client_id, workspace_id=actor.workspace_id, owner_id=from_user_id).update(
        owner_id=to_user_id, version=F("version") + 1, updated_at=timezone.now()
    )
    if moved:
        client = Client.objects.get(pk=client_id)
        record_event(
            kind="record.owner_changed",
            workspace=actor.workspace,
            actor=actor.user,
            target=client,
            changes={"owner": [from_user_id, to_user_id]},
        )
    return bool(moved)
