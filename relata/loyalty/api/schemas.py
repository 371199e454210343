"""The loyalty API's shapes. (No `from __future__ import annotations` in the API modules:
Ninja reads the annotations at import time.) Numbers are accepted as typed and checked
by the services."""

import datetime as dt
import decimal
from typing import Any

from ninja import Field, Schema

Number = decimal.Decimal | int | str


def sent(payload: Schema) -> dict[str, Any]:
    """The fields the client sent, under the services' names (holder_id → holder)."""
    values = payload.dict(exclude_unset=True)
    return {(name[:-3] if name.endswith("_id") else name): value for name, value in values.items()}


class TierOut(Schema):
    id: int
    programme_id: int
    name: str
    threshold: decimal.Decimal = Field(..., description="Lifetime spend (money paid) to reach the tier.")
    discount: decimal.Decimal = Field(..., description="Discount for holders, %.")
    multiplier: decimal.Decimal = Field(..., description="Earned points are multiplied by it.")
    version: int


class TierIn(Schema):
    name: str = ""
    threshold: Number | None = None
    discount: Number | None = None
    multiplier: Number | None = None


class ProgrammeOut(Schema):
    id: int
    name: str
    currency: str
    earn_rate: decimal.Decimal = Field(..., description="Points per 100 of the currency paid.")
    point_value: decimal.Decimal = Field(..., description="Money a point is worth when spent.")
    max_share: decimal.Decimal = Field(..., description="Share of an order payable by points, %.")
    lifetime_days: int = Field(..., description="Days earned points live; 0: they never expire.")
    is_active: bool
    version: int
    tiers: list[TierOut]


class ProgrammeIn(Schema):
    name: str = ""
    currency: str | None = None
    earn_rate: Number | None = None
    point_value: Number | None = None
    max_share: Number | None = None
    lifetime_days: int | None = None
    is_active: bool = True


class ProgrammeChangeIn(Schema):
    """Only the fields sent change; `version` is the one you read (409 when stale)."""

    version: int
    name: str | None = None
    currency: str | None = None
    earn_rate: Number | None = None
    point_value: Number | None = None
    max_share: Number | None = None
    lifetime_days: int | None = None
    is_active: bool | None = None


class TierChangeIn(Schema):
    """Only the fields sent change; `version` is the one you read (409 when stale)."""

    version: int
    name: str | None = None
    threshold: Number | None = None
    discount: Number | None = None
    multiplier: Number | None = None


class BlockIn(Schema):
    blocked: bool = Field(..., description="true: block the card (no earning or spending); false: unblock it.")
    note: str = ""


class CardOut(Schema):
    id: int
    number: str
    programme_id: int
    holder_id: int
    holder_name: str = Field(..., alias="holder.name")
    tier_id: int | None
    tier_name: str | None = Field(None, alias="tier.name")
    issued_on: dt.date
    is_blocked: bool
    balance: int = Field(..., description="Points on the card (the sum of its ledger).")


class CardFilter(Schema):
    holder_id: int | None = None
    number: str = Field("", description="Part of the number.")
    programme_id: int | None = None


class CardIn(Schema):
    programme_id: int | None = None
    holder_id: int | None = None
    number: str = ""
    issued_on: str | None = Field(None, description="YYYY-MM-DD; empty: today.")


class EntryOut(Schema):
    id: int
    kind: str = Field(
        ...,
        description="earned, spent, expired, adjusted; of a cancelled order: reversed (its earning taken back) "
        "and returned (points spent on it given back)",
    )
    points: int = Field(..., description="Signed: spent, expired and reversed are negative.")
    amount: decimal.Decimal | None = Field(
        None, description="earned: money paid; spent and returned: the discount; reversed: the earning's money."
    )
    order_id: int | None
    payment_id: int | None
    expires_at: dt.datetime | None
    remaining: int | None = Field(None, description="Of earned and added points: what is not spent or expired.")
    author_id: int | None
    note: str
    created_at: dt.datetime


class PurchaseOut(Schema):
    order_id: int
    number: int
    status: str
    currency: str
    total: decimal.Decimal
    paid_amount: decimal.Decimal
    created_at: dt.datetime
    points_earned: int
    points_spent: int
    discount: decimal.Decimal | None = Field(None, description="Money paid with points.")


class SpendIn(Schema):
    order_id: int | None = None
    points: Number | None = None
    note: str = ""


class AdjustIn(Schema):
    points: Number | None = Field(None, description="Signed: positive adds, negative takes away.")
    note: str = ""
