"""Storing the drawn deals in bulk, with what the services would have written along the
way: the stage history (one visit per stage passed, the last one open while the deal
is), the contact persons, and the events of the deal's life — created, handed over,
won or lost — dated when they happened.

Moves between stages write no "deal.stage_changed" events here: the stage history is
what the deal card and the funnel read, and three thousand invented moves would bury
the demo's own audit trail.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from relata.core.audit import json_value
from relata.core.models import Event, User, Workspace
from relata.sales.demo.funnel import DrawnDeal, Funnel
from relata.sales.models import Deal, DealContact, DealStatus, Stage, StageVisit

BATCH = 1000


def _deal(workspace: Workspace, drawn: DrawnDeal, reasons: dict[str, int]) -> Deal:
    stage = drawn.line.stages[drawn.stage]
    closing = {DealStatus.WON: 100, DealStatus.LOST: 0}
    probability = closing[DealStatus(drawn.status)] if drawn.status in closing else stage.probability
    return Deal(
        workspace_id=workspace.pk,
        title=drawn.title,
        pipeline=drawn.line.pipeline,
        stage=stage,
        status=drawn.status,
        client_id=drawn.client.pk,
        amount=drawn.amount,
        currency=workspace.default_currency or "RUB",
        probability=probability,
        expected_close_date=drawn.expected_close_date,
        competitors=drawn.competitors,
        description=drawn.description,
        stage_entered_at=drawn.visits[-1].entered_at,
        closed_at=drawn.closed_at,
        loss_reason_id=reasons[drawn.loss_reason] if drawn.loss_reason else None,
        loss_note=drawn.loss_note,
        owner_id=drawn.owner,
        created_by_id=drawn.created_by,
        # Every move and the closing went through a versioned save.
        version=len(drawn.visits) + (drawn.status != DealStatus.OPEN),
    )


def _events(workspace: Workspace, pairs: list[tuple[DrawnDeal, Deal]]) -> list[Event]:
    deal_type = ContentType.objects.get_for_model(Deal)
    emails = dict(User.objects.filter(memberships__workspace_id=workspace.pk).values_list("pk", "email"))

    def event(deal: Deal, kind: str, actor: int, at: Any, changes: dict[str, list[Any]]) -> Event:
        return Event(
            workspace_id=workspace.pk,
            actor_id=actor,
            actor_label=emails.get(actor, ""),
            kind=kind,
            target_type=deal_type,
            target_id=deal.pk,
            target_repr=deal.title[:200],
            changes=json_value(changes),
            occurred_at=at,
        )

    events = []
    for drawn, deal in pairs:
        first = drawn.line.stages[drawn.visits[0].stage]
        owner = drawn.handoffs[0].old if drawn.handoffs else drawn.owner
        created = {
            "title": deal.title,
            "client": deal.client_id,
            "amount": deal.amount,
            "currency": deal.currency,
            "probability": first.probability,
            "expected_close_date": deal.expected_close_date,
            "competitors": deal.competitors,
            "description": deal.description,
            "owner": owner,
            "pipeline": deal.pipeline_id,
            "stage": first.pk,
        }
        created = {name: [None, value] for name, value in sorted(created.items()) if value not in (None, "", [])}
        events.append(event(deal, "deal.created", drawn.created_by, drawn.created_at, created))
        for handoff in drawn.handoffs:
            events.append(event(deal, "deal.handed_off", handoff.by, handoff.at, {"owner": [handoff.old, handoff.new]}))
        if drawn.closed_at is None:
            continue
        before = drawn.line.stages[drawn.stage].probability
        closed: dict[str, list[Any]] = {
            "probability": [before, deal.probability],
            "status": [DealStatus.OPEN, deal.status],
        }
        if deal.status == DealStatus.LOST:
            closed["loss_reason"] = [None, deal.loss_reason_id]
            if deal.loss_note:
                closed["loss_note"] = ["", deal.loss_note]
        events.append(event(deal, f"deal.{deal.status}", drawn.owner, drawn.closed_at, dict(sorted(closed.items()))))
    return events


def write_deals(workspace: Workspace, funnel: Funnel, reasons: dict[str, int]) -> list[Deal]:
    """Store the deals (oldest first, so that ids grow with time), their stage history,
    contact persons and events; then put back the creation stamps that auto_now_add set
    to "now"."""
    ws = workspace.pk
    drawn = sorted(funnel.deals, key=lambda d: d.created_at)
    deals = [_deal(workspace, d, reasons) for d in drawn]
    Deal.objects.bulk_create(deals, batch_size=BATCH)
    pairs = list(zip(drawn, deals, strict=True))
    StageVisit.objects.bulk_create(
        [
            StageVisit(
                workspace_id=ws,
                deal=deal,
                stage=d.line.stages[visit.stage],
                entered_at=visit.entered_at,
                entered_by_id=visit.entered_by,
                left_at=visit.left_at,
                left_by_id=visit.left_by,
            )
            for d, deal in pairs
            for visit in d.visits
        ],
        batch_size=BATCH,
    )
    DealContact.objects.bulk_create(
        [DealContact(workspace_id=ws, deal=deal, person_id=pk) for d, deal in pairs for pk in d.contacts],
        batch_size=BATCH,
    )
    Event.objects.bulk_create(_events(workspace, pairs), batch_size=BATCH)
    for d, deal in pairs:
        deal.created_at = d.created_at
        deal.updated_at = d.closed_at or d.visits[-1].entered_at
    Deal.objects.bulk_update(deals, ["created_at", "updated_at"], batch_size=BATCH)
    StageVisit.objects.filter(workspace_id=ws).update(
        created_at=F("entered_at"), updated_at=Coalesce(F("left_at"), F("entered_at"))
    )
    came = Deal.objects.filter(pk=OuterRef("deal_id")).values("created_at")[:1]
    DealContact.objects.filter(workspace_id=ws).update(created_at=Subquery(came), updated_at=Subquery(came))
    # The round-robin pointer of each conveyor stage: who got the last deal handed over.
    for line in {id(d.line): d.line for d in drawn}.values():
        for stage in line.stages:
            if stage.team is not None and stage.team.name in funnel.turn:
                Stage.objects.filter(pk=stage.pk).update(last_handoff_user_id=funnel.turn[stage.team.name])
    return deals
