"""Reads of loyalty, through the access mechanism: `loyalty.view`, and for cards (and
their ledgers) also the holder within the actor's scope of the client base."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Prefetch, QuerySet, Sum
from django.db.models.functions import Coalesce

from relata.clients.models import Client
from relata.core.access import get_visible, scope_queryset
from relata.core.models import Membership
from relata.core.money import CENT
from relata.loyalty.models import Card, EntryKind, PointsEntry, Programme, Tier
from relata.orders.models import Order, OrderStatus


def programmes_visible_to(actor: Membership) -> QuerySet[Programme]:
    tiers = Prefetch("tiers", queryset=Tier.objects.order_by("threshold", "id"))
    return (
        scope_queryset(actor, Programme.objects.all())
        .annotate(card_count=Count("cards"))
        .prefetch_related(tiers)
        .order_by("name", "id")
    )


def programme_get(actor: Membership, pk: int) -> Programme:
    return get_visible(actor, programmes_visible_to(actor), pk)


def active_programmes(actor: Membership) -> QuerySet[Programme]:
    return scope_queryset(actor, Programme.objects.filter(is_active=True)).order_by("name", "id")


def tiers_visible_to(actor: Membership, *, programme_id: int | None = None) -> QuerySet[Tier]:
    tiers = scope_queryset(actor, Tier.objects.all())
    if programme_id is not None:
        tiers = tiers.filter(programme_id=programme_id)
    return tiers.order_by("programme_id", "threshold", "id")


def tier_get(actor: Membership, pk: int) -> Tier:
    return get_visible(actor, tiers_visible_to(actor), pk)


def cards_visible_to(
    actor: Membership, *, holder_id: int | None = None, number: str = "", programme_id: int | None = None
) -> QuerySet[Card]:
    """Cards whose holder the actor can see (`loyalty.view` and the client scope)."""
    holders = scope_queryset(actor, Client.objects.all()).values("pk")
    cards = scope_queryset(actor, Card.objects.filter(holder__in=holders))
    if holder_id is not None:
        cards = cards.filter(holder_id=holder_id)
    if number:
        cards = cards.filter(number__icontains=number.strip())
    if programme_id is not None:
        cards = cards.filter(programme_id=programme_id)
    return cards.select_related("programme", "holder", "tier").order_by("-issued_on", "-id")


def card_get(actor: Membership, pk: int) -> Card:
    return get_visible(actor, cards_visible_to(actor), pk)


def card_ledger(actor: Membership, card: Card) -> QuerySet[PointsEntry]:
    """The card's entries, newest first (the card must come from `card_get`)."""
    return (
        scope_queryset(actor, PointsEntry.objects.filter(card_id=card.pk))
        .select_related("order", "author")
        .order_by("-created_at", "-id")
    )


def card_purchases(actor: Membership, card: Card) -> QuerySet[Order]:
    """The orders of the card's holder that earned or spent points on the card, as far as
    the actor may see orders (`catalog.view` and its scope), newest first. Their points
    come from `purchase_points`."""
    order_ids = PointsEntry.objects.filter(card_id=card.pk, order__isnull=False).values("order_id")
    orders = Order.objects.filter(pk__in=order_ids, client_id=card.holder_id)
    return scope_queryset(actor, orders).order_by("-created_at", "-id")


def purchase_points(card: Card, orders: list[Order]) -> dict[int, dict[str, int]]:
    """{order id: {"earned": n, "spent": n, "discount": money}} of the card for these orders."""
    rows = (
        PointsEntry.objects.filter(card_id=card.pk, order_id__in=[o.pk for o in orders])
        .values("order_id", "kind")
        .annotate(points=Coalesce(Sum("points"), 0), amount=Sum("amount"))
    )
    result: dict[int, dict[str, Any]] = {o.pk: {"earned": 0, "spent": 0, "discount": None} for o in orders}
    for row in rows:
        entry = result[row["order_id"]]
        if row["kind"] == EntryKind.EARNED:
            entry["earned"] = row["points"]
        elif row["kind"] == EntryKind.SPENT:
            entry["spent"] = -row["points"]
            # SQLite sums decimals as floats: back to cents.
            entry["discount"] = Decimal(str(row["amount"])).quantize(CENT) if row["amount"] is not None else None
    return result


def client_cards(actor: Membership, client: Client) -> QuerySet[Card]:
    return cards_visible_to(actor, holder_id=client.pk)


def client_cards_panel(actor: Membership, client: Any) -> dict[str, Any]:
    """The client card's panel: the client's cards with tier and balance."""
    return {
        "client": client,
        "cards": list(client_cards(actor, client)[:10]),
        "can_issue": actor.can("loyalty", "create"),
    }


def orders_payable_with_points(actor: Membership, card: Card) -> QuerySet[Order]:
    """The holder's orders the actor may record payments of (`catalog.change` in scope),
    in the programme's currency, neither cancelled nor paid in full."""
    orders = Order.objects.filter(
        client_id=card.holder_id, currency=card.programme.currency, paid_amount__lt=F("total")
    )
    orders = orders.exclude(status=OrderStatus.CANCELLED)
    return scope_queryset(actor, orders, "change").order_by("-created_at", "-id")
