"""Sales plans through the API: list, read, create, change (optimistic locking), delete,
set a team's plans for a period at once, and plan versus actual for a period.

Reading needs `sales.view` (each sees the plans within their scope); every change needs
`sales.assign`.

No `from __future__ import annotations` here: Django Ninja reads the annotations of the
schemas and operations at import time.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from relata.api.auth import actor_of
from relata.api.pagination import PagePagination
from relata.core.access import require
from relata.core.errors import invalid
from relata.sales.models import PeriodKind, SalesPlan
from relata.sales.selectors.plans import (
    PlanProgress,
    parse_period,
    plan_get,
    plan_progress,
    plans_visible_to,
    workspace_today,
)
from relata.sales.services.plans import sales_plan_create, sales_plan_delete, sales_plan_update, sales_plans_set

router = Router(tags=["sales plans"])

PERIOD_HELP = "2026-12 (a month) or 2026-Q4; for a quarter, a month gives the quarter containing it. Default: now."


class PlanOut(Schema):
    id: int
    period_kind: str = Field(..., description="month or quarter")
    period_start: dt.date = Field(..., description="The first day of the month or quarter.")
    manager_id: int | None = Field(..., description="The manager's user id; null for a team's plan.")
    team_id: int | None = Field(..., description="The team's id; null for a manager's plan.")
    target_amount: Decimal
    currency: str
    target_count: int | None = Field(..., description="Target number of won deals, if set.")
    pipeline_id: int | None = Field(..., description="null: deals of every pipeline count.")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class PlanFields(Schema):
    period_kind: str | None = Field(None, description="month (default) or quarter.")
    period_start: dt.date | None = Field(None, description="The first day of the month or quarter.")
    manager_id: int | None = Field(None, description="A user id; give either this or team_id.")
    team_id: int | None = None
    target_amount: Decimal | None = None
    currency: str | None = Field(None, description="ISO 4217 code; default: the workspace's currency.")
    target_count: int | None = None
    pipeline_id: int | None = Field(None, description="Empty: every pipeline.")


class PlanIn(PlanFields):
    period_start: dt.date  # type: ignore[assignment]
    target_amount: Decimal  # type: ignore[assignment]


class PlanPatch(PlanFields):
    version: int = Field(..., ge=1)


class PlanRowIn(Schema):
    manager_id: int | None = None
    team_id: int | None = None
    target_amount: Decimal | None = Field(None, description="null: no plan (an existing one is deleted).")
    target_count: int | None = None
    version: int | None = Field(None, description="The version of the existing plan; null when there was none.")


class PlanSetIn(Schema):
    period_kind: str = "month"
    period_start: dt.date
    currency: str | None = None
    pipeline_id: int | None = None
    rows: list[PlanRowIn] = Field(..., max_length=500)


class ProgressOut(Schema):
    plan: PlanOut
    actual: Decimal = Field(..., description="Won in the period, in the plan's currency.")
    won_count: int
    percent: int | None = Field(..., description="Actual as a percent of the target; null for a zero target.")
    count_percent: int | None
    forecast: Decimal = Field(..., description="Open deals expected to close in the period, amount × probability.")
    other_currencies: dict[str, Decimal] = Field(..., description="Won in other currencies, not converted.")
    other_count: int


class ProgressQuery(Schema):
    kind: str = Field("month", description="month or quarter")
    period: str | None = Field(None, description=PERIOD_HELP)


RENAMES = {"manager_id": "manager", "team_id": "team", "pipeline_id": "pipeline"}


def plan_values(payload: Schema) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    data.pop("version", None)
    return {RENAMES.get(key, key): value for key, value in data.items()}


def _period(request: HttpRequest, query: ProgressQuery) -> tuple[str, dt.date]:
    actor = actor_of(request)
    if query.kind not in PeriodKind.values:
        raise invalid("kind", "Choose month or quarter.")
    start = parse_period(query.kind, query.period, today=workspace_today(actor))
    if start is None:
        raise invalid("period", f"Write the period as {PERIOD_HELP.split(';')[0]}.")
    return query.kind, start


@router.get("/sales-plans", response=list[PlanOut], summary="Plans you may see, newest period first")
@paginate(PagePagination)
def plan_list(request: HttpRequest, kind: str | None = None, period: str | None = None) -> QuerySet[SalesPlan]:
    actor = actor_of(request)
    require(actor, "sales", "view")
    queryset = plans_visible_to(actor)
    if kind is not None or period is not None:
        period_kind, start = _period(request, ProgressQuery(kind=kind or "month", period=period))
        queryset = queryset.filter(period_kind=period_kind, period_start=start)
    return queryset.order_by("-period_start", "period_kind", "id")


@router.get(
    "/sales-plans/progress",
    response=list[ProgressOut],
    summary="Plan versus actual for a month or quarter: target, won, percent, forecast",
)
def plan_progress_list(request: HttpRequest, query: Query[ProgressQuery]) -> list[PlanProgress]:
    actor = actor_of(request)
    require(actor, "sales", "view")
    kind, start = _period(request, query)
    return plan_progress(actor, kind, start)


@router.post("/sales-plans", response={201: PlanOut}, summary="Create a plan (needs sales.assign)")
def plan_new(request: HttpRequest, payload: PlanIn) -> Status[Any]:
    actor = actor_of(request)
    plan = sales_plan_create(actor, values=plan_values(payload))
    return Status(201, plan_get(actor, plan.pk))


@router.post(
    "/sales-plans/set",
    response=list[PlanOut],
    summary="Set the plans of several managers and teams for one period at once (all or nothing)",
)
def plan_set(request: HttpRequest, payload: PlanSetIn) -> list[SalesPlan]:
    actor = actor_of(request)
    rows = [{RENAMES.get(k, k): v for k, v in row.dict(exclude_unset=True).items()} for row in payload.rows]
    return sales_plans_set(
        actor,
        period_kind=payload.period_kind,
        period_start=payload.period_start,
        currency=payload.currency,
        pipeline=payload.pipeline_id,
        rows=rows,
    )


@router.get("/sales-plans/{plan_id}", response=PlanOut, summary="One plan")
def plan_detail(request: HttpRequest, plan_id: int) -> SalesPlan:
    return plan_get(actor_of(request), plan_id)


@router.patch("/sales-plans/{plan_id}", response=PlanOut, summary="Change a plan (optimistic locking)")
def plan_change(request: HttpRequest, plan_id: int, payload: PlanPatch) -> SalesPlan:
    actor = actor_of(request)
    sales_plan_update(actor, plan_id, version=payload.version, values=plan_values(payload))
    return plan_get(actor, plan_id)


@router.delete("/sales-plans/{plan_id}", response={204: None}, summary="Delete a plan")
def plan_remove(request: HttpRequest, plan_id: int) -> Status[None]:
    actor = actor_of(request)
    sales_plan_delete(actor, plan_id)
    return Status(204, None)
