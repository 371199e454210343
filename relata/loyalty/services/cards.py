"""Cards: issued to a client (`loyalty.create`), blocked and unblocked (`loyalty.change`)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from relata.clients.lookup import visible_client
from relata.core.access import get_visible, require, scope_queryset
from relata.core.audit import record_event
from relata.core.errors import ValidationError, invalid
from relata.core.inputs import as_id, date_or_today, save_unique
from relata.core.models import Membership
from relata.loyalty.models import Card, Programme
from relata.loyalty.selectors.loyalty import cards_visible_to
from relata.loyalty.services.common import clean_note, collect
from relata.loyalty.services.points import lock_card, tier_for_spend

MAX_NUMBER = 40


def number_taken() -> str:
    return _("A card with this number exists already.")


def _clean_number(value: Any) -> str:
    number = str(value or "").strip().replace(" ", "")
    if not number:
        raise invalid("number", _("Enter the card's number."), code="required")
    if len(number) > MAX_NUMBER:
        raise invalid("number", _("At most %(limit)d characters.") % {"limit": MAX_NUMBER})
    if not all(ch.isalnum() or ch == "-" for ch in number):
        raise invalid("number", _("Use letters, digits and hyphens only."))
    return number


@transaction.atomic
def card_issue(actor: Membership, *, values: dict[str, Any]) -> Card:
    """Issue a card of an active `programme` with `number` (unique in the workspace, any
    programme) to `holder`, a company or a person the actor can see; `issued_on` defaults
    to today. The card starts with no points, in the programme's tier for zero spend."""
    require(actor, "loyalty", "create")
    errors: dict[str, list[ValidationError]] = {}
    programme: Programme | None = None
    pk = as_id(values.get("programme"))
    programme = scope_queryset(actor, Programme.objects.all()).filter(pk=pk).first() if pk else None
    if programme is None:
        errors["programme"] = [ValidationError(_("Choose a loyalty programme."), code="required")]
    elif not programme.is_active:
        errors["programme"] = [ValidationError(_("This programme is not active: cards are not issued in it."))]
    holder = number = issued_on = None
    try:
        holder = visible_client(actor, values.get("holder"), "holder")
    except ValidationError as error:
        collect(errors, error)
    try:
        number = _clean_number(values.get("number"))
        if Card.objects.filter(workspace_id=actor.workspace_id, number__iexact=number).exists():
            raise invalid("number", number_taken(), code="unique")
    except ValidationError as error:
        collect(errors, error)
    try:
        issued_on = date_or_today(values.get("issued_on"), "issued_on")
    except ValidationError as error:
        collect(errors, error)
    if errors or programme is None or holder is None or number is None or issued_on is None:
        raise ValidationError(errors)
    card = save_unique(
        lambda: Card.objects.create(
            workspace_id=actor.workspace_id,
            programme=programme,
            number=number,
            holder=holder,
            issued_on=issued_on,
            tier=tier_for_spend(programme, spend=None),
        ),
        "number",
        number_taken(),
    )
    record_event(
        kind="loyalty.card_issued",
        workspace=actor.workspace,
        actor=actor.user,
        target=card,
        data={"programme": programme.pk, "holder": holder.pk, "number": number},
    )
    return card


@transaction.atomic
def card_set_blocked(actor: Membership, card_id: int, *, blocked: bool, note: str = "") -> Card:
    """Block a card (no spending or earning on it until unblocked) or unblock it."""
    card = get_visible(actor, cards_visible_to(actor), card_id, for_write=True)
    card = lock_card(card.pk)
    cleaned_note = clean_note(note)
    if card.is_blocked == blocked:
        return card
    card.is_blocked = blocked
    card.save(update_fields=["is_blocked", "updated_at"])
    record_event(
        kind="loyalty.card_blocked" if blocked else "loyalty.card_unblocked",
        workspace=actor.workspace,
        actor=actor.user,
        target=card,
        changes={"is_blocked": [not blocked, blocked]},
        data={"note": cleaned_note},
    )
    return card
