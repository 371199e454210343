"""The points ledger: earning on paid orders, spending as a discount, adjustments by
hand and expiry. Every change appends entries and moves `Card.balance` under the card's
row lock (see relata/loyalty/models.py and the package docstring for the lock order)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_DOWN, ROUND_FLOOR, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relata.clients.models import Client
from relata.core.access import get_visible, require, scope_queryset
from relata.core.audit import record_event
from relata.core.errors import ValidationError, invalid
from relata.core.inputs import as_id
from relata.core.models import Membership
from relata.core.money import CENT
from relata.loyalty.models import Card, EntryKind, PointsEntry, Programme, Tier
from relata.loyalty.selectors.loyalty import cards_visible_to
from relata.loyalty.services.common import clean_note, clean_points, collect
from relata.orders.hooks import DefaultDiscount
from relata.orders.models import Order, OrderStatus, Payment
from relata.orders.services.orders import payment_create

EXPIRY_BATCH = 500


def lock_card(card_id: int) -> Card:
    """The card, its row locked until the transaction ends."""
    return Card.objects.select_for_update(of=("self",)).select_related("programme", "tier").get(pk=card_id)


def tier_for_spend(programme: Programme, *, spend: Decimal | None) -> Tier | None:
    """The highest tier of the programme whose threshold the spend reaches."""
    return Tier.objects.filter(programme=programme, threshold__lte=spend or Decimal(0)).order_by("-threshold").first()


def lifetime_spend(card: Card) -> Decimal:
    """What was paid in money (not points) on the orders that earned on the card, less
    the orders cancelled since (their earnings taken back)."""
    totals = PointsEntry.objects.filter(card=card, kind__in=[EntryKind.EARNED, EntryKind.REVERSED]).aggregate(
        earned=Sum("amount", filter=Q(kind=EntryKind.EARNED)), reversed=Sum("amount", filter=Q(kind=EntryKind.REVERSED))
    )
    return (totals["earned"] or Decimal(0)) - (totals["reversed"] or Decimal(0)) + Decimal("0.00")


def _expiry(programme: Programme, now: dt.datetime) -> dt.datetime | None:
    return now + dt.timedelta(days=programme.lifetime_days) if programme.lifetime_days else None


def _append(card: Card, *, kind: str, points: int, **fields: Any) -> PointsEntry:
    """Write one entry and move the (locked) card's balance by its points."""
    entry = PointsEntry.objects.create(workspace_id=card.workspace_id, card=card, kind=kind, points=points, **fields)
    card.balance += points
    card.save(update_fields=["balance", "updated_at"])
    return entry


def _consume(card: Card, points: int) -> None:
    """Take `points` (≤ balance) from the card's lots, oldest first."""
    left = points
    for lot in PointsEntry.objects.filter(card=card, remaining__gt=0).order_by("created_at", "id"):
        take = min(left, lot.remaining or 0)
        lot.remaining = (lot.remaining or 0) - take
        lot.save(update_fields=["remaining"])
        left -= take
        if left == 0:
            return
    raise AssertionError(f"card {card.pk}: lots hold less than its balance")  # the invariant is broken


def _expire_lots(card: Card, now: dt.datetime) -> int:
    """Expire the card's lots due by `now` (the card locked): one `expired` entry for each
    lot's unspent remainder. Returns the points taken."""
    taken = 0
    due = PointsEntry.objects.filter(card=card, remaining__gt=0, expires_at__lte=now).order_by("expires_at", "id")
    for lot in due:
        points = lot.remaining or 0
        lot.remaining = 0
        lot.save(update_fields=["remaining"])
        _append(card, kind=EntryKind.EXPIRED, points=-points, source=lot, note=_("Points past their lifetime"))
        taken += points
    return taken


def _only_points(balance: int) -> str:
    return ngettext("The card has only %(balance)d point.", "The card has only %(balance)d points.", balance) % {
        "balance": balance
    }


# --- Earning ------------------------------------------------------------------------------


def _earning_card(order: Order) -> Card | None:
    """The card an order earns on: the one that paid points on it, else the holder's
    oldest card of an active programme in the order's currency; never a blocked one."""
    cards = Card.objects.filter(
        workspace_id=order.workspace_id,
        holder_id=order.client_id,
        is_blocked=False,
        programme__is_active=True,
        programme__currency=order.currency,
    )
    used = PointsEntry.objects.filter(order=order, kind=EntryKind.SPENT).values("card_id")
    return cards.filter(pk__in=used).order_by("pk").first() or cards.order_by("issued_on", "pk").first()


def points_earn_for_order(actor: Membership, order: Order, payment: Payment) -> PointsEntry | None:
    """The order-paid hook (relata.orders.hooks), in the payment's transaction with the
    order locked. Once the order is paid in full, its client's card earns
    floor(money paid × earn rate / 100 × the tier's multiplier) points — money paid being
    the order's payments less those made with points — expiring after the programme's
    lifetime; then the card's tier follows its lifetime spend. Once per order: a second
    call does nothing (and a unique constraint backs that up)."""
    if order.status not in (OrderStatus.PAID, OrderStatus.CLOSED) or order.paid_amount < order.total:
        return None
    if PointsEntry.objects.filter(workspace_id=order.workspace_id, order=order, kind=EntryKind.EARNED).exists():
        return None
    found = _earning_card(order)
    if found is None:
        return None
    card = lock_card(found.pk)
    if card.is_blocked:
        return None
    programme = card.programme
    discount = PointsEntry.objects.filter(order=order, kind=EntryKind.SPENT).aggregate(total=Sum("amount"))["total"]
    paid = max(order.paid_amount - (discount or Decimal(0)), Decimal("0.00"))
    multiplier = card.tier.multiplier if card.tier else Decimal(1)
    points = int((paid * programme.earn_rate / 100 * multiplier).to_integral_value(rounding=ROUND_FLOOR))
    now = timezone.now()
    entry = _append(
        card,
        kind=EntryKind.EARNED,
        points=points,
        remaining=points,
        amount=paid,
        order=order,
        payment=payment,
        expires_at=_expiry(programme, now) if points else None,
        author=actor.user,
        note=_("Order № %(number)s paid") % {"number": order.number},
    )
    record_event(
        kind="loyalty.points_earned",
        workspace=actor.workspace,
        actor=actor.user,
        target=card,
        data={"order": order.pk, "points": points, "paid": paid, "multiplier": multiplier},
    )
    _refresh_tier(actor, card)
    return entry


def _refresh_tier(actor: Membership, card: Card) -> None:
    tier = tier_for_spend(card.programme, spend=lifetime_spend(card))
    if tier == card.tier:
        return
    before = card.tier_id
    card.tier = tier
    card.save(update_fields=["tier", "updated_at"])
    record_event(
        kind="loyalty.tier_reached",
        workspace=actor.workspace,
        actor=actor.user,
        target=card,
        changes={"tier": [before, card.tier_id]},
    )


# --- An order cancelled -------------------------------------------------------------------


def points_reverse_for_order(actor: Membership, order: Order) -> list[PointsEntry]:
    """The order-cancelled hook (relata.orders.hooks), in the cancellation's transaction
    with the order locked, then each card. Points spent on the order are given back (a new
    lot with the programme's lifetime from now), then the points it earned are taken back:
    from that lot's remainder first, then from the oldest lots — at most the balance, since
    a balance never goes negative; what was already spent elsewhere stays spent and the
    event records the shortfall. The earning's amount stops counting towards the tier.
    Once per entry (unique constraints): a second call does nothing."""
    entries = list(
        PointsEntry.objects.filter(
            workspace_id=order.workspace_id, order=order, kind__in=[EntryKind.SPENT, EntryKind.EARNED]
        ).order_by("card_id", "id")
    )
    done = set(
        PointsEntry.objects.filter(source__in=entries, kind__in=[EntryKind.RETURNED, EntryKind.REVERSED]).values_list(
            "source_id", flat=True
        )
    )
    written: list[PointsEntry] = []
    now = timezone.now()
    for card_id in sorted({e.card_id for e in entries if e.pk not in done}):
        card = lock_card(card_id)
        _expire_lots(card, now)
        mine = [e for e in entries if e.card_id == card_id and e.pk not in done]
        note = _("Order № %(number)s cancelled") % {"number": order.number}
        returned = taken = short = 0
        for spent in (e for e in mine if e.kind == EntryKind.SPENT):
            points = -spent.points
            expires = _expiry(card.programme, now)
            written.append(
                _append(
                    card,
                    kind=EntryKind.RETURNED,
                    points=points,
                    remaining=points,
                    expires_at=expires,
                    amount=spent.amount,
                    order=order,
                    source=spent,
                    author=actor.user,
                    note=note,
                )
            )
            returned += points
        for earned in (e for e in mine if e.kind == EntryKind.EARNED):
            earned.refresh_from_db(fields=["remaining"])
            take = min(earned.points, card.balance)
            from_lot = min(earned.remaining or 0, take)
            if from_lot:
                earned.remaining = (earned.remaining or 0) - from_lot
                earned.save(update_fields=["remaining"])
            if take > from_lot:
                _consume(card, take - from_lot)
            written.append(
                _append(
                    card,
                    kind=EntryKind.REVERSED,
                    points=-take,
                    amount=earned.amount,
                    order=order,
                    source=earned,
                    author=actor.user,
                    note=note,
                )
            )
            taken += take
            short += earned.points - take
        record_event(
            kind="loyalty.points_reversed",
            workspace=actor.workspace,
            actor=actor.user,
            target=card,
            data={"order": order.pk, "returned": returned, "taken": taken, "short": short},
        )
        _refresh_tier(actor, card)
    return written


def tier_discount(client: Client, currency: str) -> DefaultDiscount | None:
    """The order-discount hook: the discount of the tier of the client's card (not
    blocked, of an active programme in the order's currency); the best one if several."""
    card = (
        Card.objects.filter(
            workspace_id=client.workspace_id,
            holder_id=client.pk,
            is_blocked=False,
            programme__is_active=True,
            programme__currency=currency,
            tier__discount__gt=0,
        )
        .select_related("tier")
        .order_by("-tier__discount", "pk")
        .first()
    )
    if card is None or card.tier is None:
        return None
    reason = _("Loyalty card %(number)s, tier %(tier)s") % {"number": card.number, "tier": card.tier.name}
    return DefaultDiscount(card.tier.discount, reason)


# --- Spending -----------------------------------------------------------------------------


@transaction.atomic
def points_spend(actor: Membership, card_id: int, *, order_id: Any, points: Any, note: Any = "") -> PointsEntry:
    """Pay part of an order with the card's points: the discount (points × the point's
    value, rounded down to the cent) is recorded as a payment of the order, so the amount
    due drops and `Order.paid_amount` stays the sum of its payments. Limits: the card's
    balance, the programme's share of the order's total payable by points (all points
    spent on the order counted), and the amount due. The card must be the order client's,
    not blocked, of an active programme in the order's currency; the order neither
    cancelled nor paid in full. Needs `loyalty.view` and `catalog.change` (the order
    within scope). Locks: the order, then the card; due lots expire first."""
    card = get_visible(actor, cards_visible_to(actor), card_id)
    require(actor, "catalog", "change")
    pk = as_id(order_id)
    order = scope_queryset(actor, Order.objects.all(), "change").filter(pk=pk).first() if pk else None
    if order is None:
        raise invalid("order", _("Choose an order of the card's holder."), code="required" if pk is None else "invalid")
    order = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
    card = lock_card(card.pk)
    programme = card.programme
    errors: dict[str, list[ValidationError]] = {}
    wanted = 0
    try:
        wanted = clean_points(points)
    except ValidationError as error:
        collect(errors, error)
    cleaned_note = ""
    try:
        cleaned_note = clean_note(note)
    except ValidationError as error:
        collect(errors, error)
    if card.is_blocked:
        errors.setdefault("card", []).append(ValidationError(_("This card is blocked."), code="blocked"))
    elif not programme.is_active:
        errors.setdefault("card", []).append(ValidationError(_("The card's programme is not active.")))
    if order.client_id != card.holder_id:
        errors.setdefault("order", []).append(ValidationError(_("This order is not of the card's holder.")))
    elif order.currency != programme.currency:
        message = _("The order is in %(order)s, the card's programme in %(programme)s.") % {
            "order": order.currency,
            "programme": programme.currency,
        }
        errors.setdefault("order", []).append(ValidationError(message))
    elif order.status == OrderStatus.CANCELLED:
        errors.setdefault("order", []).append(ValidationError(_("This order is cancelled."), code="cancelled"))
    elif order.due <= 0:
        errors.setdefault("order", []).append(ValidationError(_("This order is paid in full."), code="paid"))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    _expire_lots(card, now)
    value = (wanted * programme.point_value).quantize(CENT, rounding=ROUND_DOWN)
    spent_before = PointsEntry.objects.filter(order=order, kind=EntryKind.SPENT).aggregate(total=Sum("amount"))[
        "total"
    ] or Decimal(0)
    share_cap = (order.total * programme.max_share / 100).quantize(CENT, rounding=ROUND_DOWN)
    share_left: Decimal = max(share_cap - spent_before, Decimal("0.00"))

    def at_most(money: Decimal) -> int:
        return int((money / programme.point_value).to_integral_value(rounding=ROUND_FLOOR))

    if wanted > card.balance:
        raise invalid("points", _only_points(card.balance), code="balance")
    if value > share_left:
        raise invalid(
            "points",
            ngettext(
                "Points may pay at most %(share)s%% of this order: spend at most %(points)d point.",
                "Points may pay at most %(share)s%% of this order: spend at most %(points)d points.",
                at_most(share_left),
            )
            % {"share": format(programme.max_share.normalize(), "f"), "points": at_most(share_left)},
            code="share",
        )
    if value > order.due:
        raise invalid(
            "points",
            ngettext(
                "Only %(due)s %(currency)s is owed on this order: spend at most %(points)d point.",
                "Only %(due)s %(currency)s is owed on this order: spend at most %(points)d points.",
                at_most(order.due),
            )
            % {"due": order.due, "currency": order.currency, "points": at_most(order.due)},
            code="due",
        )
    if value <= 0:
        raise invalid("points", _("These points are worth less than 0.01 %(currency)s.") % {"currency": order.currency})
    _consume(card, wanted)
    entry = _append(
        card,
        kind=EntryKind.SPENT,
        points=-wanted,
        amount=value,
        order=order,
        author=actor.user,
        note=cleaned_note,
    )
    record_event(
        kind="loyalty.points_spent",
        workspace=actor.workspace,
        actor=actor.user,
        target=card,
        data={"order": order.pk, "points": wanted, "amount": value},
    )
    payment = payment_create(
        actor,
        order.pk,
        values={
            "amount": value,
            "note": ngettext(
                "Loyalty points: card %(number)s, %(points)d point",
                "Loyalty points: card %(number)s, %(points)d points",
                wanted,
            )
            % {"number": card.number, "points": wanted},
        },
    )
    # The entry is written before the payment so that the order-paid hook, which runs in
    # payment_create, counts this discount as points and not as money paid; linking the
    # payment to it is part of writing it.
    PointsEntry.objects.filter(pk=entry.pk).update(payment=payment)
    entry.payment = payment
    return entry


# --- Adjustments --------------------------------------------------------------------------


@transaction.atomic
def points_adjust(actor: Membership, card_id: int, *, points: Any, note: Any) -> PointsEntry:
    """Add (a lot that expires like earned points) or take away points by hand
    (`loyalty.change`), with a note saying why; never below a zero balance."""
    card = get_visible(actor, cards_visible_to(actor), card_id, for_write=True)
    errors: dict[str, list[ValidationError]] = {}
    delta = 0
    cleaned_note = ""
    try:
        delta = clean_points(points, signed=True)
    except ValidationError as error:
        collect(errors, error)
    try:
        cleaned_note = clean_note(note, required=True)
    except ValidationError as error:
        collect(errors, error)
    if errors:
        raise ValidationError(errors)
    card = lock_card(card.pk)
    now = timezone.now()
    _expire_lots(card, now)
    if delta < 0 and -delta > card.balance:
        raise invalid("points", _only_points(card.balance), code="balance")
    if delta < 0:
        _consume(card, -delta)
        entry = _append(card, kind=EntryKind.ADJUSTED, points=delta, author=actor.user, note=cleaned_note)
    else:
        entry = _append(
            card,
            kind=EntryKind.ADJUSTED,
            points=delta,
            remaining=delta,
            expires_at=_expiry(card.programme, now),
            author=actor.user,
            note=cleaned_note,
        )
    record_event(
        kind="loyalty.points_adjusted",
        workspace=actor.workspace,
        actor=actor.user,
        target=card,
        data={"points": delta, "note": cleaned_note},
    )
    return entry


# --- Expiry -------------------------------------------------------------------------------


def points_expire(*, now: dt.datetime | None = None, batch: int = EXPIRY_BATCH) -> int:
    """Expire every lot past its `expires_at` in all workspaces (the daily task): one short
    transaction per card, the card locked, so spends go on meanwhile. Idempotent — an
    expired lot has nothing left, and a second `expired` entry for it is refused by a
    unique constraint; spent points were taken from the lots before and stay spent.
    Returns the points expired."""
    moment = now or timezone.now()
    total = 0
    while True:
        due = list(
            PointsEntry.objects.filter(remaining__gt=0, expires_at__lte=moment)
            .order_by("expires_at", "id")
            .values_list("card_id", flat=True)[:batch]
        )
        if not due:
            return total
        by_card: dict[int, int] = defaultdict(int)
        for card_id in due:
            by_card[card_id] += 1
        progress = 0
        for card_id in sorted(by_card):
            with transaction.atomic():
                card = lock_card(card_id)
                taken = _expire_lots(card, moment)
                progress += taken
                if taken:
                    record_event(
                        kind="loyalty.points_expired",
                        workspace=card.workspace,
                        actor=None,
                        target=card,
                        data={"points": taken},
                        actor_label="system",
                    )
        total += progress
        if progress == 0:  # what was due was spent meanwhile; nothing else can be found
            return total
