"""Deals, leads and plans the funnel, leads and forecast report tests build through the
sales services, at moments of their choosing (the clock is set, so the stage history's
StageVisit rows are the services' own)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from relata.clients.models import Client, LifecycleStatus
from relata.clients.services.clients import client_create
from relata.core.models import Membership
from relata.sales.models import Deal, LossReason, Pipeline, Stage
from relata.sales.services.deals import deal_create, deal_lose, deal_move, deal_win

MSK = zoneinfo.ZoneInfo("Europe/Moscow")


@contextmanager
def clock(moment: dt.datetime) -> Iterator[None]:
    """Everything inside happens at `moment` (services and `auto_now` stamps alike)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def pipeline(member: Membership) -> Pipeline:
    return Pipeline.objects.filter(workspace_id=member.workspace_id).order_by("position", "id").first()  # type: ignore[return-value]


def stages(member: Membership, of: Pipeline | None = None) -> list[Stage]:
    return list(Stage.objects.filter(pipeline=of or pipeline(member)).order_by("position", "id"))


def client(member: Membership, name: str, *, source: str = "", status: str = "") -> Client:
    values: dict[str, Any] = {"name": name, "source": source}
    if status:
        values["status"] = LifecycleStatus.objects.get(workspace_id=member.workspace_id, key=status).pk
    return client_create(member, kind="company", values=values)


def deal(member: Membership, at: dt.datetime, amount: str | None = "1000", **values: Any) -> Deal:
    values.setdefault("pipeline", pipeline(member).pk)
    values.setdefault("title", "Bricks")
    if values.get("client") is not None and not isinstance(values["client"], int):
        values["client"] = values["client"].pk
    if values.get("stage") is not None and not isinstance(values["stage"], int):
        values["stage"] = values["stage"].pk
    with clock(at):
        return deal_create(member, values={"amount": amount, **values})


def move(member: Membership, deal_: Deal, stage: Stage, at: dt.datetime) -> Deal:
    deal_.refresh_from_db()
    with clock(at):
        return deal_move(member, deal_.pk, stage_id=stage.pk, version=deal_.version)


def win(member: Membership, deal_: Deal, at: dt.datetime) -> Deal:
    deal_.refresh_from_db()
    with clock(at):
        return deal_win(member, deal_.pk, version=deal_.version)


def lose(member: Membership, deal_: Deal, at: dt.datetime, reason: str = "price") -> Deal:
    deal_.refresh_from_db()
    loss = LossReason.objects.get(workspace_id=member.workspace_id, key=reason)
    with clock(at):
        return deal_lose(member, deal_.pk, version=deal_.version, reason=loss.pk)


def rows(table: dict[str, Any], *keys: str) -> list[tuple[Any, ...]]:
    """The API table's rows as tuples of the named columns."""
    return [tuple(row[key] for key in keys) for row in table["rows"]]


def by_key(tables: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {table["key"]: table for table in tables}
