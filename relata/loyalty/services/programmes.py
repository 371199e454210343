"""Programmes and their tiers: created (`loyalty.create`) and changed (`loyalty.change`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from relata.core.access import get_visible, require, scope_queryset
from relata.core.audit import diff, record_event, snapshot
from relata.core.concurrency import save_versioned
from relata.core.errors import ValidationError, invalid
from relata.core.inputs import flag, save_unique, text, whole
from relata.core.models import Membership
from relata.core.money import MONEY_LIMIT, clean_currency
from relata.loyalty.models import Programme, Tier
from relata.loyalty.services.common import clean_number, collect

PROGRAMME_FIELDS = ["name", "currency", "earn_rate", "point_value", "max_share", "lifetime_days", "is_active"]
TIER_FIELDS = ["name", "threshold", "discount", "multiplier"]
MAX_LIFETIME_DAYS = 36_500


def _programme_values(actor: Membership, values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[ValidationError]] = {}
    cleaned: dict[str, Any] = {}
    checks: dict[str, Any] = {
        "name": lambda: text(values, "name", 150, required=_("Enter the programme's name.")),
        "currency": lambda: clean_currency(values.get("currency"), default=actor.workspace.default_currency),
        "earn_rate": lambda: clean_number(values.get("earn_rate"), "earn_rate", low=Decimal(0), high=Decimal(10000)),
        "point_value": lambda: clean_number(
            values.get("point_value"), "point_value", low=Decimal(0), high=Decimal(10000), places=4, above=True
        ),
        "max_share": lambda: clean_number(values.get("max_share"), "max_share", low=Decimal(0), high=Decimal(100)),
        "lifetime_days": lambda: whole(values.get("lifetime_days") or 0, "lifetime_days", high=MAX_LIFETIME_DAYS),
        "is_active": lambda: flag(values.get("is_active", True), "is_active"),
    }
    for name, check in checks.items():
        try:
            cleaned[name] = check()
        except ValidationError as error:
            collect(errors, error)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _name_taken(actor: Membership, name: str, exclude: int | None = None) -> bool:
    programmes = Programme.objects.filter(workspace_id=actor.workspace_id).annotate(lname=Lower("name"))
    if exclude is not None:
        programmes = programmes.exclude(pk=exclude)
    return programmes.filter(lname=name.lower()).exists()


def name_taken() -> str:
    return _("A programme with this name exists already.")


@transaction.atomic
def programme_create(actor: Membership, *, values: dict[str, Any]) -> Programme:
    """A new programme: `name` (unique in the workspace), `currency` (default the
    workspace's), `earn_rate` (points per 100 paid), `point_value` (money per point spent),
    `max_share` (% of an order payable by points), `lifetime_days` (0: points never
    expire), `is_active`."""
    require(actor, "loyalty", "create")
    cleaned = _programme_values(actor, values)
    if _name_taken(actor, cleaned["name"]):
        raise invalid("name", name_taken(), code="unique")
    programme = save_unique(
        lambda: Programme.objects.create(workspace_id=actor.workspace_id, **cleaned), "name", name_taken()
    )
    record_event(
        kind="loyalty.programme_created",
        workspace=actor.workspace,
        actor=actor.user,
        target=programme,
        data=snapshot(programme, PROGRAMME_FIELDS),
    )
    return programme


@transaction.atomic
def programme_update(actor: Membership, programme_id: int, *, version: int, values: dict[str, Any]) -> Programme:
    """Change a programme (409 with a stale `version`). New rules apply from now on:
    points already earned keep their expiry."""
    programme = get_visible(actor, Programme, programme_id, for_write=True)
    cleaned = _programme_values(actor, values)
    if _name_taken(actor, cleaned["name"], exclude=programme.pk):
        raise invalid("name", name_taken(), code="unique")
    if cleaned["currency"] != programme.currency and programme.cards.exists():
        # Points earned in one currency would be spent in another.
        raise invalid("currency", _("The programme has cards: its currency cannot change."))
    before = snapshot(programme, PROGRAMME_FIELDS)
    for name, value in cleaned.items():
        setattr(programme, name, value)
    save_unique(
        lambda: save_versioned(programme, expected_version=version, fields=PROGRAMME_FIELDS), "name", name_taken()
    )
    changes = diff(before, snapshot(programme, PROGRAMME_FIELDS))
    if changes:
        record_event(
            kind="loyalty.programme_changed",
            workspace=actor.workspace,
            actor=actor.user,
            target=programme,
            changes=changes,
        )
    return programme


def _tier_values(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[ValidationError]] = {}
    cleaned: dict[str, Any] = {}
    checks: dict[str, Any] = {
        "name": lambda: text(values, "name", 100, required=_("Enter the tier's name.")),
        "threshold": lambda: clean_number(values.get("threshold"), "threshold", low=Decimal(0), high=MONEY_LIMIT),
        "discount": lambda: clean_number(
            values.get("discount") or 0, "discount", low=Decimal(0), high=Decimal(100), required=False
        ),
        "multiplier": lambda: clean_number(
            values.get("multiplier") or 1, "multiplier", low=Decimal(0), high=Decimal(100), above=True
        ),
    }
    for name, check in checks.items():
        try:
            cleaned[name] = check()
        except ValidationError as error:
            collect(errors, error)
    if errors:
        raise ValidationError(errors)
    return cleaned


def threshold_taken() -> str:
    return _("Another tier of this programme has this threshold.")


def _threshold_taken(tier_programme: Programme, threshold: Decimal, exclude: int | None = None) -> bool:
    tiers = Tier.objects.filter(programme=tier_programme, threshold=threshold)
    if exclude is not None:
        tiers = tiers.exclude(pk=exclude)
    return tiers.exists()


@transaction.atomic
def tier_create(actor: Membership, programme_id: int, *, values: dict[str, Any]) -> Tier:
    """A tier of the programme: `name`, `threshold` (lifetime spend to reach it, unique in
    the programme), `discount` %, `multiplier` of earned points (default 1). Cards reach
    it at their next earning (tiers are derived from spend, never set by hand)."""
    require(actor, "loyalty", "create")
    programme = get_visible(actor, scope_queryset(actor, Programme.objects.all()), programme_id)
    cleaned = _tier_values(values)
    if _threshold_taken(programme, cleaned["threshold"]):
        raise invalid("threshold", threshold_taken(), code="unique")
    tier = save_unique(
        lambda: Tier.objects.create(workspace_id=actor.workspace_id, programme=programme, **cleaned),
        "threshold",
        threshold_taken(),
    )
    record_event(
        kind="loyalty.tier_created",
        workspace=actor.workspace,
        actor=actor.user,
        target=programme,
        data={"tier": tier.pk, **snapshot(tier, TIER_FIELDS)},
    )
    return tier


@transaction.atomic
def tier_update(actor: Membership, tier_id: int, *, version: int, values: dict[str, Any]) -> Tier:
    """Change a tier (409 with a stale `version`); cards move at their next earning."""
    tier = get_visible(actor, Tier, tier_id, for_write=True)
    cleaned = _tier_values(values)
    if _threshold_taken(tier.programme, cleaned["threshold"], exclude=tier.pk):
        raise invalid("threshold", threshold_taken(), code="unique")
    before = snapshot(tier, TIER_FIELDS)
    for name, value in cleaned.items():
        setattr(tier, name, value)
    save_unique(
        lambda: save_versioned(tier, expected_version=version, fields=TIER_FIELDS), "threshold", threshold_taken()
    )
    changes = diff(before, snapshot(tier, TIER_FIELDS))
    if changes:
        record_event(
            kind="loyalty.tier_changed",
            workspace=actor.workspace,
            actor=actor.user,
            target=tier.programme,
            changes=changes,
            data={"tier": tier.pk},
        )
    return tier
