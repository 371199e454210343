"""The catalog's API shapes. (No `from __future__ import annotations` in the API modules:
Ninja reads the annotations at import time.)

Money, VAT rates and currencies are accepted as typed (numbers or text such as "1 200,50")
and checked by the services, so that a bad value gets the same message as in the forms.
"""

import datetime as dt
import decimal
from typing import Any

from ninja import Field, Schema

from relata.catalog.models import PriceList, PriceListItem

Amount = decimal.Decimal | int | str


def sent(payload: Schema, *, renames: dict[str, str] | None = None) -> dict[str, Any]:
    """The fields the client actually sent, under the services' names (category_id → category)."""
    values = payload.dict(exclude_unset=True)
    values.pop("version", None)
    for api_name, name in (renames or {}).items():
        if api_name in values:
            values[name] = values.pop(api_name)
    return values


# --- Categories ---------------------------------------------------------------------------


class CategoryOut(Schema):
    id: int
    name: str
    parent_id: int | None
    position: int
    created_at: dt.datetime
    updated_at: dt.datetime


class CategoryIn(Schema):
    name: str
    parent_id: int | None = Field(None, description="The parent category; none: the top level.")
    position: int | None = Field(None, description="Order among the siblings; empty: after them.")


class CategoryPatch(Schema):
    """Only the fields sent change; `parent_id: null` moves the category to the top level."""

    name: str | None = None
    parent_id: int | None = None
    position: int | None = None


# --- Products -----------------------------------------------------------------------------


class ProductOut(Schema):
    id: int
    kind: str = Field(..., description="product or service")
    name: str
    sku: str
    category_id: int | None
    unit: str = Field(..., description="piece, thousand, kg, tonne, metre, m2, m3, litre, hour, service, pallet, wagon")
    vat_rate: decimal.Decimal | None = Field(..., description="Per cent; null: without VAT.")
    description: str
    is_active: bool = Field(..., description="False: out of use (kept, no longer offered).")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ProductFields(Schema):
    kind: str | None = Field(None, description="product (default) or service")
    name: str | None = None
    sku: str | None = Field(None, description="Unique in the catalog in any case, if given.")
    category_id: int | None = None
    unit: str | None = Field(None, description="Default: piece (service for services).")
    vat_rate: Amount | None = Field(None, description="0, 5, 7, 10, 20 or 22; null: without VAT. Default 22.")
    description: str | None = None


class ProductIn(ProductFields):
    name: str  # type: ignore[assignment]


class ProductPatch(ProductFields):
    version: int = Field(..., ge=1, description="The version read; a stale one is refused with 409.")


class ProductFilter(Schema):
    q: str = Field("", description="A fragment of the name or SKU, in any case.")
    category_id: int | None = Field(None, description="Products of the category and its subcategories.")
    kind: str = Field("", description="product or service")
    is_active: bool | None = Field(None, description="true: in use, false: out of use; default: all.")


# --- Price lists --------------------------------------------------------------------------


class PriceListOut(Schema):
    id: int
    name: str
    currency: str
    segment_id: int | None = Field(..., description="null: the base list of the currency.")
    priority: int
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_segment_id(price_list: PriceList) -> int | None:
        return price_list.segment_id


class PriceListIn(Schema):
    name: str
    currency: str = Field("", description="Three letters; default: the workspace's currency.")
    segment_id: int | None = Field(None, description="The clients' segment; none: the base list.")
    priority: int = Field(0, description="Higher wins when a client is in several segments.")
    is_active: bool = True


class PriceListPatch(Schema):
    """Only the fields sent change; `segment_id: null` makes it the base list."""

    name: str | None = None
    currency: str | None = None
    segment_id: int | None = None
    priority: int | None = None
    is_active: bool | None = None


class PriceOut(Schema):
    price_list_id: int
    product_id: int
    product_name: str
    sku: str
    price: decimal.Decimal
    updated_at: dt.datetime

    @staticmethod
    def resolve_product_name(item: PriceListItem) -> str:
        return item.product.name

    @staticmethod
    def resolve_sku(item: PriceListItem) -> str:
        return item.product.sku


class PriceIn(Schema):
    price: Amount = Field(..., description="Zero or more, two decimal places (“1 200,50” is read too).")


class QuoteOut(Schema):
    product_id: int
    client_id: int | None
    currency: str
    price: decimal.Decimal | None = Field(..., description="null: no active list of the currency prices it.")
    price_list_id: int | None
    price_list_name: str
    vat_rate: decimal.Decimal | None = Field(..., description="The product's VAT rate, per cent; null: without VAT.")
