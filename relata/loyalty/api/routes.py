"""Loyalty through the API: programmes and tiers, cards, their ledger and purchases,
spending points on an order and adjusting them by hand."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.core.access import require
from relata.loyalty.api.schemas import (
    AdjustIn,
    BlockIn,
    CardFilter,
    CardIn,
    CardOut,
    EntryOut,
    ProgrammeChangeIn,
    ProgrammeIn,
    ProgrammeOut,
    PurchaseOut,
    SpendIn,
    TierChangeIn,
    TierIn,
    TierOut,
    sent,
)
from relata.loyalty.models import Card, PointsEntry, Programme, Tier
from relata.loyalty.selectors.loyalty import (
    card_get,
    card_ledger,
    card_purchases,
    cards_visible_to,
    programme_get,
    programmes_visible_to,
    purchase_points,
    tier_get,
    tiers_visible_to,
)
from relata.loyalty.services.cards import card_issue, card_set_blocked
from relata.loyalty.services.points import points_adjust, points_spend
from relata.loyalty.services.programmes import (
    PROGRAMME_FIELDS,
    TIER_FIELDS,
    programme_create,
    programme_update,
    tier_create,
    tier_update,
)

router = Router(tags=["loyalty"])


@router.get("/loyalty/programmes", response=list[ProgrammeOut], summary="Loyalty programmes with their tiers")
@paginate(PagePagination)
def programme_list(request: HttpRequest) -> QuerySet[Programme]:
    actor = actor_of(request)
    require(actor, "loyalty", "view")
    return programmes_visible_to(actor)


@router.post("/loyalty/programmes", response={201: ProgrammeOut}, summary="Create a loyalty programme")
def programme_new(request: HttpRequest, payload: ProgrammeIn) -> Status[Programme]:
    actor = actor_of(request)
    programme = programme_create(actor, values=payload.dict(exclude_unset=True))
    return Status(201, programme_get(actor, programme.pk))


def _merged(record: Any, fields: list[str], payload: Any) -> tuple[int, dict[str, Any]]:
    """The record's current values with the payload's sent fields over them."""
    sent_values = payload.dict(exclude_unset=True)
    version = sent_values.pop("version")
    return version, {**{name: getattr(record, name) for name in fields}, **sent_values}


@router.patch("/loyalty/programmes/{programme_id}", response=ProgrammeOut, summary="Change a loyalty programme")
def programme_change(request: HttpRequest, programme_id: int, payload: ProgrammeChangeIn) -> Programme:
    """New rules apply from now on: points already earned keep their expiry."""
    actor = actor_of(request)
    version, values = _merged(programme_get(actor, programme_id), PROGRAMME_FIELDS, payload)
    programme = programme_update(actor, programme_id, version=version, values=values)
    return programme_get(actor, programme.pk)


@router.patch("/loyalty/tiers/{tier_id}", response=TierOut, summary="Change a tier")
def tier_change(request: HttpRequest, tier_id: int, payload: TierChangeIn) -> Tier:
    """Cards move to their new tier at their next earning."""
    actor = actor_of(request)
    version, values = _merged(tier_get(actor, tier_id), TIER_FIELDS, payload)
    return tier_update(actor, tier_id, version=version, values=values)


@router.get("/loyalty/programmes/{programme_id}/tiers", response=list[TierOut], summary="A programme's tiers")
def tier_list(request: HttpRequest, programme_id: int) -> QuerySet[Tier]:
    actor = actor_of(request)
    programme = programme_get(actor, programme_id)
    return tiers_visible_to(actor, programme_id=programme.pk)


@router.post("/loyalty/programmes/{programme_id}/tiers", response={201: TierOut}, summary="Add a tier")
def tier_new(request: HttpRequest, programme_id: int, payload: TierIn) -> Status[Tier]:
    actor = actor_of(request)
    programme = programme_get(actor, programme_id)
    return Status(201, tier_create(actor, programme.pk, values=payload.dict(exclude_unset=True)))


@router.get("/loyalty/cards", response=list[CardOut], summary="Cards, newest first (filter by holder or number)")
@paginate(PagePagination)
def card_list(request: HttpRequest, filters: Query[CardFilter]) -> QuerySet[Card]:
    actor = actor_of(request)
    require(actor, "loyalty", "view")
    return cards_visible_to(
        actor, holder_id=filters.holder_id, number=filters.number, programme_id=filters.programme_id
    )


@router.post("/loyalty/cards", response={201: CardOut}, summary="Issue a card to a client")
def card_new(request: HttpRequest, payload: CardIn) -> Status[Card]:
    actor = actor_of(request)
    card = card_issue(actor, values=sent(payload))
    return Status(201, card_get(actor, card.pk))


@router.get("/loyalty/cards/{card_id}", response=CardOut, summary="One card with its balance and tier")
def card_detail(request: HttpRequest, card_id: int) -> Card:
    return card_get(actor_of(request), card_id)


@router.get("/loyalty/cards/{card_id}/ledger", response=list[EntryOut], summary="The card's points, newest first")
@paginate(PagePagination)
def card_ledger_list(request: HttpRequest, card_id: int) -> QuerySet[PointsEntry]:
    actor = actor_of(request)
    return card_ledger(actor, card_get(actor, card_id))


@router.get(
    "/loyalty/cards/{card_id}/purchases",
    response=list[PurchaseOut],
    summary="Orders that earned or spent points on the card (as far as you may see orders)",
)
@paginate(PagePagination)
def card_purchase_list(request: HttpRequest, card_id: int) -> list[dict[str, Any]]:
    actor = actor_of(request)
    card = card_get(actor, card_id)
    orders = list(card_purchases(actor, card))
    points = purchase_points(card, orders)
    return [
        {
            "order_id": order.pk,
            "number": order.number,
            "status": order.status,
            "currency": order.currency,
            "total": order.total,
            "paid_amount": order.paid_amount,
            "created_at": order.created_at,
            "points_earned": points[order.pk]["earned"],
            "points_spent": points[order.pk]["spent"],
            "discount": points[order.pk]["discount"],
        }
        for order in orders
    ]


@router.post(
    "/loyalty/cards/{card_id}/spend",
    response={201: EntryOut},
    summary="Pay part of an order with the card's points (recorded as a payment of the order)",
)
def card_spend(request: HttpRequest, card_id: int, payload: SpendIn) -> Status[PointsEntry]:
    actor = actor_of(request)
    card = card_get(actor, card_id)
    return Status(
        201, points_spend(actor, card.pk, order_id=payload.order_id, points=payload.points, note=payload.note)
    )


@router.post("/loyalty/cards/{card_id}/block", response=CardOut, summary="Block or unblock a card")
def card_block(request: HttpRequest, card_id: int, payload: BlockIn) -> Card:
    actor = actor_of(request)
    card = card_get(actor, card_id)
    card_set_blocked(actor, card.pk, blocked=payload.blocked, note=payload.note)
    return card_get(actor, card.pk)


@router.post("/loyalty/cards/{card_id}/adjust", response={201: EntryOut}, summary="Add or take away points by hand")
def card_adjust(request: HttpRequest, card_id: int, payload: AdjustIn) -> Status[PointsEntry]:
    actor = actor_of(request)
    card = card_get(actor, card_id)
    return Status(201, points_adjust(actor, card.pk, points=payload.points, note=payload.note))
