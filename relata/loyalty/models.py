"""Loyalty: programmes with tiers, cards held by clients, and the points ledger.

`PointsEntry` rows are the ledger: append-only, one per change of a card's points, with
signed points (earned ≥ 0; spent and expired < 0; adjusted either sign). Credits (earned
and positive adjustments) are *lots* with `remaining` points that spends, negative
adjustments and expiry consume first in, first out; `remaining` is the only column a
service changes after the row is written (and only downwards).

`Card.balance` is kept in a column, written only in the transaction that appends an entry
and under `select_for_update()` on the card: the same lock that serialises two spends of
the last points (which must consume lots FIFO anyway), so the column costs nothing more
and lists show balances without aggregating the ledger. `balance == Σ points ==
Σ remaining of the lots` holds after every service (tested).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from relata.core.models import VersionedModel, WorkspaceModel
from relata.core.money import MONEY_DIGITS


class ImmutableEntry(Exception):
    """A ledger entry is never changed (beyond consuming its lot) or deleted."""


class Programme(WorkspaceModel, VersionedModel):
    name = models.CharField(_("name"), max_length=150)
    currency = models.CharField(_("currency"), max_length=3)
    earn_rate = models.DecimalField(_("points per 100 paid"), max_digits=8, decimal_places=2)
    point_value = models.DecimalField(_("value of a point"), max_digits=12, decimal_places=4)
    max_share = models.DecimalField(_("share of an order payable by points, %"), max_digits=5, decimal_places=2)
    lifetime_days = models.PositiveIntegerField(_("points lifetime, days"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    access_module: ClassVar[str | None] = "loyalty"

    class Meta:
        verbose_name = _("loyalty programme")
        verbose_name_plural = _("loyalty programmes")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint("workspace", Lower("name"), name="loyalty_programme_name_ci"),
            models.CheckConstraint(condition=models.Q(earn_rate__gte=0), name="loyalty_programme_earn_rate"),
            models.CheckConstraint(condition=models.Q(point_value__gt=0), name="loyalty_programme_point_value"),
            models.CheckConstraint(
                condition=models.Q(max_share__gte=0, max_share__lte=100), name="loyalty_programme_max_share"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Tier(WorkspaceModel, VersionedModel):
    """A level of a programme: a card reaches it when the lifetime spend paid with it is
    at least `threshold`; holders get `discount` % and earn `multiplier` × points."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField(_("name"), max_length=100)
    threshold = models.DecimalField(_("lifetime spend to reach it"), max_digits=MONEY_DIGITS, decimal_places=2)
    discount = models.DecimalField(_("discount, %"), max_digits=5, decimal_places=2, default=Decimal(0))
    multiplier = models.DecimalField(_("earn multiplier"), max_digits=5, decimal_places=2, default=Decimal(1))

    access_module: ClassVar[str | None] = "loyalty"

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["programme", "threshold", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "programme", "threshold"], name="loyalty_tier_threshold_once"),
            models.CheckConstraint(condition=models.Q(threshold__gte=0), name="loyalty_tier_threshold"),
            models.CheckConstraint(
                condition=models.Q(discount__gte=0, discount__lte=100), name="loyalty_tier_discount"
            ),
            models.CheckConstraint(condition=models.Q(multiplier__gt=0), name="loyalty_tier_multiplier"),
        ]

    def __str__(self) -> str:
        return self.name


class Card(WorkspaceModel):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="cards", verbose_name=_("programme")
    )
    number = models.CharField(_("number"), max_length=40)
    holder = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="loyalty_cards", verbose_name=_("holder")
    )
    tier = models.ForeignKey(
        Tier, on_delete=models.PROTECT, null=True, blank=True, related_name="cards", verbose_name=_("tier")
    )
    issued_on = models.DateField(_("issued"))
    is_blocked = models.BooleanField(_("blocked"), default=False)
    balance = models.IntegerField(_("balance, points"), default=0)

    access_module: ClassVar[str | None] = "loyalty"

    class Meta:
        verbose_name = _("loyalty card")
        verbose_name_plural = _("loyalty cards")
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["workspace", "holder"], name="loyalty_card_ws_holder")]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="loyalty_card_number_once"),
            models.CheckConstraint(condition=models.Q(balance__gte=0), name="loyalty_card_balance"),
        ]

    def __str__(self) -> str:
        return self.number


class EntryKind(models.TextChoices):
    EARNED = "earned", pgettext_lazy("points", "Earned")
    SPENT = "spent", pgettext_lazy("points", "Spent")
    EXPIRED = "expired", pgettext_lazy("points", "Expired")
    ADJUSTED = "adjusted", pgettext_lazy("points", "Adjusted")
    # A paid order cancelled: the points it earned are taken back, those spent on it given back.
    REVERSED = "reversed", pgettext_lazy("points", "Taken back")
    RETURNED = "returned", pgettext_lazy("points", "Returned")


class PointsEntry(WorkspaceModel):
    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="entries", verbose_name=_("card"))
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    points = models.IntegerField(_("points"))
    # earned: the money paid the points were earned on; spent: the discount they gave;
    # reversed: the earned entry's amount, which no longer counts towards the tier.
    amount = models.DecimalField(_("amount"), max_digits=MONEY_DIGITS, decimal_places=2, null=True, blank=True)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("order")
    )
    payment = models.ForeignKey(
        "orders.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("payment")
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    remaining = models.IntegerField(_("remaining"), null=True, blank=True)
    source = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("expired lot")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    access_module: ClassVar[str | None] = "loyalty"

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "card"], name="loyalty_entry_ws_card"),
            models.Index(fields=["workspace", "order"], name="loyalty_entry_ws_order"),
            models.Index(
                fields=["expires_at"],
                condition=models.Q(remaining__gt=0, expires_at__isnull=False),
                name="loyalty_entry_expiring",
            ),
        ]
        constraints = [
            # One earning per order, whichever card: earning is idempotent.
            models.UniqueConstraint(
                fields=["workspace", "order"], condition=models.Q(kind="earned"), name="loyalty_entry_earned_once"
            ),
            # A lot expires once; an earning is taken back, and a spending given back, once.
            models.UniqueConstraint(
                fields=["source"], condition=models.Q(kind="expired"), name="loyalty_entry_expired_once"
            ),
            models.UniqueConstraint(
                fields=["source"], condition=models.Q(kind="reversed"), name="loyalty_entry_reversed_once"
            ),
            models.UniqueConstraint(
                fields=["source"], condition=models.Q(kind="returned"), name="loyalty_entry_returned_once"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="earned") | models.Q(points__gte=0), name="loyalty_entry_earned_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind__in=["spent", "expired"]) | models.Q(points__lt=0),
                name="loyalty_entry_debits_negative",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="reversed") | models.Q(points__lte=0), name="loyalty_entry_reversed_debit"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="returned") | models.Q(points__gt=0), name="loyalty_entry_returned_credit"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="adjusted") | ~models.Q(points=0), name="loyalty_entry_adjusted_not_zero"
            ),
            models.CheckConstraint(
                condition=models.Q(remaining__isnull=True)
                | models.Q(remaining__gte=0, remaining__lte=models.F("points")),
                name="loyalty_entry_remaining",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.points}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Once written, only a lot's `remaining` may change (consumed by spends and expiry).
        if self.pk is not None and set(kwargs.get("update_fields") or ()) - {"remaining"}:
            raise ImmutableEntry("points entries are append-only")
        if self.pk is not None and not kwargs.get("update_fields"):
            raise ImmutableEntry("points entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableEntry("points entries are append-only")
