"""The filters every analytics report takes (issue 7, item 7): a period, and optionally a
client segment, a manager, a channel (the client's source), a product and a pipeline.

`report_filters` reads them from a page's GET parameters or the API's query and checks
every id against what the actor may see, so a report can never be narrowed by (or reveal)
a segment, product or pipeline outside the actor's scope. A report then starts from
`clients_in(actor, filters)` — the visible clients, narrowed — and adds its own rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from relata.analytics.services.classes import add_months
from relata.catalog.selectors.products import products_visible_to
from relata.clients.models import Client
from relata.clients.selectors.clients import clients_visible_to
from relata.clients.selectors.lists import segment_queryset
from relata.clients.selectors.segments import segments_visible_to
from relata.core.access import owner_filter
from relata.core.models import Membership
from relata.core.selectors.members import members_visible_to
from relata.sales.selectors.deals import pipelines_visible_to

M = TypeVar("M", bound=Model)

MAX_DAYS = 366 * 5  # a report over more than five years is a mistake, not a question


@dataclass(frozen=True)
class ReportFilters:
    date_from: dt.date
    date_to: dt.date  # inclusive
    manager: int | None = None  # a user id (the owner of clients, deals, leads)
    segment: int | None = None
    channel: str = ""  # the client's source, exactly
    product: int | None = None
    pipeline: int | None = None

    def as_params(self) -> dict[str, str]:
        """The filters as query parameters (for export links and the charts' data URLs)."""
        params = {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat()}
        for name in ("manager", "segment", "channel", "product", "pipeline"):
            value = getattr(self, name)
            if value not in (None, ""):
                params[name] = str(value)
        return params

    def with_period(self, date_from: dt.date, date_to: dt.date) -> ReportFilters:
        return replace(self, date_from=date_from, date_to=date_to)


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last twelve whole months and the current one so far."""
    today = today or timezone.localdate()
    return add_months(today.replace(day=1), -12), today


def report_filters(actor: Membership, params: Mapping[str, Any]) -> ReportFilters:
    """Checked filters from query parameters; a ValidationError names each bad one."""
    errors: dict[str, str] = {}
    start, end = default_period()
    date_from = _date(params.get("date_from"), start, "date_from", errors)
    date_to = _date(params.get("date_to"), end, "date_to", errors)
    if not errors and date_from > date_to:
        errors["date_to"] = _("The end of the period is before its start.")
    elif not errors and (date_to - date_from).days > MAX_DAYS:
        errors["date_to"] = _("A report covers at most five years.")
    manager = _id(params.get("manager"), "manager", errors)
    if manager is not None and not members_visible_to(actor).filter(user_id=manager).exists():
        errors["manager"] = _("There is no such member in this workspace.")
    segment = _id(params.get("segment"), "segment", errors)
    if segment is not None and not segments_visible_to(actor).filter(pk=segment).exists():
        errors["segment"] = _("There is no such segment.")
    product = _id(params.get("product"), "product", errors)
    if product is not None and not products_visible_to(actor).filter(pk=product).exists():
        errors["product"] = _("There is no such product.")
    pipeline = _id(params.get("pipeline"), "pipeline", errors)
    if pipeline is not None and not pipelines_visible_to(actor).filter(pk=pipeline).exists():
        errors["pipeline"] = _("There is no such pipeline.")
    channel = str(params.get("channel") or "").strip()[:100]
    if errors:
        raise ValidationError(errors)
    return ReportFilters(date_from, date_to, manager, segment, channel, product, pipeline)


def clients_in(actor: Membership, filters: ReportFilters) -> QuerySet[Client]:
    """The clients a report counts: visible to the actor, in the segment, of the channel
    and owned by the manager when those filters are set."""
    if filters.segment is not None:
        queryset = segment_queryset(actor, segments_visible_to(actor).get(pk=filters.segment))
    else:
        queryset = clients_visible_to(actor)
    if filters.channel:
        queryset = queryset.filter(source=filters.channel)
    if filters.manager is not None:
        queryset = queryset.filter(owner_id=filters.manager)
    return queryset


def of_clients_in(
    queryset: QuerySet[M], actor: Membership, filters: ReportFilters, *, path: str = "client"
) -> QuerySet[M]:
    """`queryset` (rows with a `workspace` and a client at `path`) kept to the
    rows of `clients_in(actor, filters)` — the same rows as `path__in=clients_in(…)`,
    without reading every visible client into a semi-join: the actor's scope, the channel
    and the manager are conditions on the row's own client (no condition at all for an
    actor who sees every client). A segment is any saved filter, so it stays a semi-join."""
    queryset = queryset.filter(workspace_id=actor.workspace_id)  # the clients are the workspace's
    if filters.segment is not None:
        return queryset.filter(**{f"{path}__in": clients_in(actor, filters).order_by().values("pk")})
    # What scope_queryset(actor, Client) requires, on the row's client.
    if not actor.is_active or (Client.access_module and not actor.can(Client.access_module, "view")):
        return queryset.none()
    conditions = owner_filter(actor, f"{path}__{Client.owner_field}") if Client.owner_field else {}
    if filters.channel:
        conditions[f"{path}__source"] = filters.channel
    if filters.manager is not None:
        conditions[f"{path}__owner_id"] = filters.manager
    return queryset.filter(**conditions)


def channels_of(actor: Membership) -> list[str]:
    """The clients' sources in use, for the channel filter's choices."""
    sources = clients_visible_to(actor).exclude(source="").order_by("source").values_list("source", flat=True)
    return list(sources.distinct()[:200])


def _date(raw: Any, default: dt.date, name: str, errors: dict[str, str]) -> dt.date:
    if raw in (None, ""):
        return default
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        errors[name] = _("Enter a date as YYYY-MM-DD.")
        return default


def _id(raw: Any, name: str, errors: dict[str, str]) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        errors[name] = _("Choose one from the list.")
        return None
    if value <= 0:
        errors[name] = _("Choose one from the list.")
        return None
    return value
