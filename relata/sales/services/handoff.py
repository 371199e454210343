"""Conveyor sales: a stage with a responsible team hands a deal entering it to one of the
team's members (cold caller → account manager → service), with its client when the
previous owner had it, an event on the timeline and a task for the new owner."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils.translation import gettext as _

from relata.activities.models import TaskType
from relata.activities.services.tasks import task_create
from relata.clients.lookup import member_sees_client
from relata.clients.services.handoff import client_follow_owner
from relata.core.audit import record_event
from relata.core.models import Membership
from relata.sales.models import Deal, DealStatus, HandoffPolicy, Stage


def handoff_target(deal: Deal, stage: Stage) -> Membership | None:
    """The member of the stage's team who receives the deal, or None when it stays (a
    parallel pipeline, a stage without a team, an owner already in the team, a team
    nobody in it could work the deal). Locks the stage row for the round-robin turn."""
    if not deal.pipeline.is_conveyor or stage.team_id is None:
        return None
    members = Membership.objects.filter(workspace_id=deal.workspace_id, team_id=stage.team_id, is_active=True)
    candidates = sorted(
        (m for m in members.select_related("role", "workspace", "user") if m.can("sales", "change")),
        key=lambda m: m.user_id,
    )
    if not candidates or any(m.user_id == deal.owner_id for m in candidates):
        return None
    locked = Stage.objects.select_for_update().get(pk=stage.pk)
    if locked.handoff == HandoffPolicy.LEAST_LOADED:
        loads = dict(
            Deal.objects.filter(
                workspace_id=deal.workspace_id, status=DealStatus.OPEN, owner_id__in=[m.user_id for m in candidates]
            )
            .values_list("owner_id")
            .annotate(n=Count("id"))
            .values_list("owner_id", "n")
        )
        return min(candidates, key=lambda m: (loads.get(m.user_id, 0), m.user_id))
    last = locked.last_handoff_user_id or 0
    chosen = next((m for m in candidates if m.user_id > last), candidates[0])
    Stage.objects.filter(pk=stage.pk).update(last_handoff_user_id=chosen.user_id)
    return chosen


def deal_hand_off(
    actor: Membership, deal: Deal, stage: Stage, *, previous: int, receiver: Membership, now: dt.datetime
) -> None:
    """After the deal's owner changed from `previous` to `receiver` (saved by the caller
    in the same transaction): the client follows if the previous owner had it, the
    hand-off is written, and the new owner gets a task to take the deal over."""
    if deal.client_id is not None:
        client_follow_owner(actor, deal.client_id, from_user_id=previous, to_user_id=receiver.user_id)
    record_event(
        kind="deal.handed_off",
        workspace=actor.workspace,
        actor=actor.user,
        target=deal,
        changes={"owner": [previous, receiver.user_id], "stage": [None, stage.pk]},
    )
    task_type = TaskType.objects.filter(workspace_id=deal.workspace_id, is_active=True).order_by("position").first()
    if task_type is None or not receiver.can("activities", "create"):
        return
    values = {
        "type": task_type.pk,
        "title": _("Take over the deal «%(deal)s» at the stage «%(stage)s»")
        % {"deal": deal.title, "stage": stage.name},
        "due_at": now + dt.timedelta(days=1),
    }
    if deal.client is not None and member_sees_client(receiver, deal.client):
        values["client"] = deal.client_id
    # Written in the receiver's name: it is their own task, on a client they now see
    # (the member who moved the deal may no longer see that client).
    task_create(receiver, values=values)
