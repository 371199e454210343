"""Dashboards through the API: the widgets of your role's dashboard, one widget's table
(with the dashboard's filters), each role's layout for those who set it, and the analytics
copy the heavy widgets read (its time, and a rebuild on demand)."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from relata.analytics.api.reports import ReportQuery, TableOut, filters_of
from relata.analytics.reports.table import Table
from relata.analytics.reports.widgets import WIDGETS
from relata.analytics.selectors.copies import copy_status
from relata.analytics.services.columnar import columnar_refresh_start
from relata.analytics.services.dashboards import (
    dashboard_save,
    dashboard_widgets,
    layout_of,
    role_for_dashboard,
    widget_get,
)
from relata.api.auth import actor_of
from relata.core.access import require
from relata.core.api.schemas import JobOut

router = Router(tags=["analytics"])


class WidgetOut(Schema):
    key: str
    label: str
    report_url: str = Field(..., description="The URL name of the whole report's page.")


class LayoutOut(Schema):
    role_id: int
    widgets: list[str] = Field(..., description="Widget keys in order.")
    version: int | None = Field(None, description="None: the role's default layout, never saved.")
    available: list[WidgetOut]


class LayoutIn(Schema):
    widgets: list[str] = Field(..., description="Widget keys in order: known, each once, 1–12.")
    version: int | None = Field(None, description="The version you read (409 when stale); none for a default.")


def _widget_out(key: str) -> WidgetOut:
    widget = WIDGETS[key]
    return WidgetOut(key=widget.key, label=str(widget.label), report_url=widget.report_url)


@router.get("/analytics/dashboard", response=list[WidgetOut], summary="The widgets of your role's dashboard")
def my_dashboard(request: HttpRequest) -> list[WidgetOut]:
    return [_widget_out(w.key) for w in dashboard_widgets(actor_of(request))]


@router.get("/analytics/widgets/{key}", response=TableOut, summary="One widget's table")
def widget_table(request: HttpRequest, key: str, query: Query[ReportQuery]) -> Table:
    """Computed now within your scope, with the filters given (period, manager, segment,
    channel, product)."""
    actor = actor_of(request)
    widget = widget_get(actor, key)
    return widget.compute(actor, filters_of(actor, query))


@router.get("/analytics/dashboards/{role_id}", response=LayoutOut, summary="A role's dashboard layout")
def layout_read(request: HttpRequest, role_id: int) -> LayoutOut:
    """Needs `analytics.change`."""
    role = role_for_dashboard(actor_of(request), role_id)
    widgets, version = layout_of(role)
    return LayoutOut(role_id=role.pk, widgets=widgets, version=version, available=[_widget_out(k) for k in WIDGETS])


@router.put("/analytics/dashboards/{role_id}", response=LayoutOut, summary="Set a role's dashboard widgets")
def layout_write(request: HttpRequest, role_id: int, payload: LayoutIn) -> LayoutOut:
    """Needs `analytics.change`; audited."""
    actor = actor_of(request)
    saved = dashboard_save(actor, role_id, widgets=payload.widgets, version=payload.version)
    return LayoutOut(
        role_id=saved.role_id, widgets=saved.widgets, version=saved.version, available=[_widget_out(k) for k in WIDGETS]
    )


class CopyOut(Schema):
    built_at: dt.datetime | None = Field(
        None, description="When the analytics copy was built; null: the workspace has none (widgets read the database)."
    )
    orders: int = Field(0, description="Purchases in the copy.")
    lines: int = Field(0, description="Order lines in the copy.")


@router.get("/analytics/copy", response=CopyOut, summary="The analytics copy the heavy widgets read")
def copy_read(request: HttpRequest) -> CopyOut:
    actor = actor_of(request)
    require(actor, "analytics", "view")
    state = copy_status(actor).state
    if state is None:
        return CopyOut()
    return CopyOut(built_at=state.built_at, orders=state.orders, lines=state.lines)


@router.post("/analytics/copy/refresh", response={202: JobOut}, summary="Rebuild the analytics copy now (a job)")
def copy_refresh(request: HttpRequest) -> Status:
    """Needs `analytics.change`; 422 for a workspace too small to have a copy (its widgets
    read the database, always current). Follow the returned job for its progress."""
    job = columnar_refresh_start(actor_of(request))
    job.refresh_from_db()
    return Status(202, job)
