"""The analytics API's shapes. (No `from __future__ import annotations` in the API
modules: Ninja reads the annotations at import time.)"""

import datetime as dt
import decimal

from ninja import Field, Schema


class ClientClassOut(Schema):
    client_id: int
    client_name: str = Field(..., alias="client.name")
    abc: str = Field(..., description='"A", "B", "C", or "" (no revenue).')
    xyz: str = Field(..., description='"X", "Y", "Z", or "" (all months zero).')
    variation: decimal.Decimal | None = Field(..., description="Coefficient of variation of monthly purchases, %.")
    r: int = Field(..., description="Recency score 1–5 (5: most recent).")
    f: int = Field(..., description="Frequency score 1–5 (5: most orders).")
    m: int = Field(..., description="Monetary score 1–5 (5: highest revenue).")
    rfm_segment: str
    revenue: decimal.Decimal
    orders: int
    last_purchase: dt.date
    recency_days: int
    period_start: dt.date
    period_end: dt.date = Field(..., description="The first day after the period.")
    computed_at: dt.datetime


class ClassFilter(Schema):
    abc: str | None = Field(None, pattern="^[ABC]$")
    xyz: str | None = Field(None, pattern="^[XYZ]$")
    segment: str | None = Field(None, pattern="^(champions|loyal|potential|attention|at_risk|hibernating|lost)$")


class MatrixCellOut(Schema):
    abc: str
    xyz: str
    clients: int
    revenue: decimal.Decimal


class MatrixOut(Schema):
    cells: list[MatrixCellOut] = Field(..., description='Every ABC×XYZ pair ("" : no class).')
    clients: int
    revenue: decimal.Decimal


class RecomputeIn(Schema):
    period_end: str | None = Field(
        None, description="First day after the period (YYYY-MM-01); default: this month's first."
    )
    months: int | None = Field(None, description="Calendar months in the period, 1–36; default: the settings'.")


class SettingsOut(Schema):
    abc_a: decimal.Decimal = Field(..., description="A: the top share of revenue, %.")
    abc_b: decimal.Decimal = Field(..., description="B: the next share, %; C holds the rest.")
    xyz_x: decimal.Decimal = Field(..., description="X: coefficient of variation up to, %.")
    xyz_y: decimal.Decimal = Field(..., description="Y: up to, %; Z above.")
    period_months: int = Field(..., description="Months the classes look back over by default.")
    version: int


class SettingsIn(Schema):
    """Only the fields sent change; send the `version` you read (409 when stale)."""

    abc_a: decimal.Decimal | None = None
    abc_b: decimal.Decimal | None = None
    xyz_x: decimal.Decimal | None = None
    xyz_y: decimal.Decimal | None = None
    period_months: int | None = None
    version: int | None = None
