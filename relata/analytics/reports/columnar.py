"""The widgets' figures read from the workspace's columnar copy
(relata.analytics.services.columnar), when a widget may use it.

`copy_for(actor, filters, *models)` says whether it may: the copy exists, is of the
workspace's current currency and at most `ANALYTICS_COPY_MAX_AGE` seconds old; there is no
segment filter (a segment is any saved filter over the clients, which the copy does not
hold); and for each of `models` whose rows the reader sees only in part (scope "own" or
"team"), the copy's owners of those rows are the database's now (compared by their
fingerprints, PostgreSQL only). The reader's owners then narrow the copy's rows as the
access scope narrows the database's (`CopyScope`), so the copy counts exactly what the
reader may see. Otherwise the widget reads the database.

Each function here returns the same figures, in the same shapes, as the database query it
stands for in its report (relata/analytics/tests/test_columnar.py compares the two on
the same data): the definitions of revenue, of the manager filter (the order's owner in
sales, the client's owner in products and lifetime) and of the channel (the client's
source) are those of the reports' docstrings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

import duckdb
from django.conf import settings
from django.core.cache import cache
from django.db.models import Model
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from relata.analytics.models import ClientClass
from relata.analytics.reports.filters import ReportFilters
from relata.analytics.reports.table import Table
from relata.analytics.services.columnar import (
    CopyScope,
    CopyState,
    classes_computed_at,
    copy_state,
    owned_rows,
    owners_fingerprint,
)
from relata.clients.models import Client
from relata.core.access import owners_in_scope
from relata.core.models import Membership, Workspace
from relata.core.money import CENT
from relata.orders.models import Order
from relata.sales.models import Deal, StageVisit

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


# The copy's table whose owners decide who may count a model's rows (a stage visit is its
# deal's: `StageVisit.owner_field` is the deal's owner).
OWNED_BY: dict[type[Model], str] = {
    Client: "clients",
    ClientClass: "clients",  # a class is its client's
    Order: "orders",
    Deal: "deals",
    StageVisit: "deals",
}


def copy_for(actor: Membership, filters: ReportFilters, *models: type[Model]) -> CopyState | None:
    """The workspace's copy if this widget may read it, with the reader's scope over
    `models` (those whose scope the widget's database query applies): see the module's
    docstring."""
    if filters.segment is not None:
        return None
    state = copy_state(actor.workspace)
    if state is None or state.currency != actor.workspace.default_currency:
        return None
    if (timezone.now() - state.built_at).total_seconds() > settings.ANALYTICS_COPY_MAX_AGE:
        return None
    owners: dict[str, list[int]] = {}
    for model in models:
        allowed = owners_in_scope(actor, model)
        if allowed is None:
            continue
        table = OWNED_BY[model]
        if not _owners_current(state, actor.workspace, table):
            return None
        owners[table] = sorted(set(owners.get(table, allowed)) & set(allowed))
    return replace(state, scope=CopyScope(**owners))


def _owners_current(state: CopyState, workspace: Workspace, table: str) -> bool:
    """Whether the copy's owners of `table` are the database's now (compared by their
    fingerprints; the database's is kept `ANALYTICS_COPY_OWNERS_CHECK` seconds, so that
    the widgets of one dashboard share it)."""
    if not state.owners.get(table):  # SQLite: no fingerprints, the copy is for readers who see everything
        return False
    key = f"relata:analytics-copy-owners:{workspace.pk}:{table}:{state.built_at.isoformat()}"
    now = cache.get(key)
    if now is None:
        now = owners_fingerprint(owned_rows(workspace)[table])
        cache.set(key, now, settings.ANALYTICS_COPY_OWNERS_CHECK)
    return bool(now == state.owners[table])


def as_of(state: CopyState) -> str:
    """The note a widget computed from the copy carries."""
    moment = timezone.localtime(state.built_at)
    return _("Figures as of %(moment)s (the analytics copy of the sales, refreshed regularly).") % {
        "moment": formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    }


def noted(table: Table, state: CopyState) -> Table:
    """`table` with the copy's moment added to its note."""
    table.note = " ".join(part for part in (table.note, as_of(state)) if part)
    return table


def _connect(state: CopyState) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the copy, with the widgets' threads."""
    return duckdb.connect(str(state.path), read_only=True, config={"threads": settings.ANALYTICS_COPY_THREADS})


def _rows(state: CopyState, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with _connect(state) as con:
        return con.execute(sql, list(params)).fetchall()


class _Where:
    """Conditions and their parameters."""

    def __init__(self) -> None:
        self.conditions: list[str] = ["TRUE"]
        self.params: list[Any] = []

    def add(self, condition: str, *params: Any) -> None:
        self.conditions.append(condition)
        self.params.extend(params)

    def owned(self, column: str, owners: list[int] | None) -> None:
        """Only the rows whose `column` is one of `owners` (None: no condition)."""
        if owners is not None:
            self.add(f"list_contains(?::BIGINT[], {column})", owners)

    @property
    def sql(self) -> str:
        return " AND ".join(self.conditions)


# --- Sales (relata.analytics.reports.sales) -------------------------------------------------


def _sales_where(state: CopyState, filters: ReportFilters, first: dt.date, last: dt.date) -> _Where:
    """`sales_orders`: purchased from `first` to `last`, of the clients in the reader's
    scope and the channel, owned (the order) by the manager."""
    where = _Where()
    where.add("paid_on BETWEEN ? AND ?", first, last)
    where.owned("client_owner_id", state.scope.clients)
    if filters.channel:
        where.add("source = ?", filters.channel)
    if filters.manager is not None:
        where.add("owner_id = ?", filters.manager)
    if filters.product is not None:  # only that product's lines count
        where.add("product_id = ?", filters.product)
    return where


GROUPS = {"month": "date_trunc('month', paid_on)::DATE", "day": "paid_on"}


def sales_figures(
    state: CopyState,
    filters: ReportFilters,
    first: dt.date,
    last: dt.date,
    *,
    by: str | None = None,
    clients: bool = True,
) -> dict[tuple[Any, ...], tuple[Decimal, int, int]]:
    """`figures_by` over the sales of [first, last], grouped `by` month or day or not at
    all: (revenue, orders, clients) per (month,) or (day,), or under ()."""
    where = _sales_where(state, filters, first, last)
    table = "orders" if filters.product is None else "order_products"  # one row per order either way
    counted = "count(DISTINCT client_id)" if clients else "0"
    group = GROUPS[by] if by else "NULL"
    sql = (
        f"SELECT {group} AS g, sum(total), count(*), {counted} FROM {table} "  # noqa: S608 (no user text)
        f"WHERE {where.sql} GROUP BY g"
    )
    found = {}
    for key, revenue, count, distinct in _rows(state, sql, where.params):
        found[(key,) if by else ()] = (revenue, count, distinct)
    return found


def sales_products(state: CopyState, filters: ReportFilters) -> list[dict[str, Any]]:
    """The counted lines per product: quantity, revenue and distinct orders."""
    where = _sales_where(state, filters, filters.date_from, filters.date_to)
    sql = (
        "SELECT product_id, sum(quantity), sum(total), count(*) FROM order_products "  # noqa: S608
        f"WHERE {where.sql} GROUP BY product_id"
    )
    return [
        {"product_id": pk, "quantity": quantity, "revenue": revenue, "orders": orders}
        for pk, quantity, revenue, orders in _rows(state, sql, where.params)
    ]


def sales_orders_without(state: CopyState, filters: ReportFilters, products: list[int]) -> int:
    """The distinct orders of the counted lines of other products than `products`."""
    where = _sales_where(state, filters, filters.date_from, filters.date_to)
    if products:
        where.add(f"(product_id IS NULL OR product_id NOT IN ({', '.join('?' * len(products))}))", *products)
    sql = f"SELECT count(DISTINCT order_id) FROM order_products WHERE {where.sql}"  # noqa: S608
    return int(_rows(state, sql, where.params)[0][0])


# --- Products (relata.analytics.reports.products) and lifetime ------------------------------


def _clients_where(state: CopyState, filters: ReportFilters) -> _Where:
    """`of_clients_in`: the clients in the reader's scope, of the channel and owned by the
    manager."""
    where = _Where()
    where.owned("client_owner_id", state.scope.clients)
    if filters.channel:
        where.add("source = ?", filters.channel)
    if filters.manager is not None:
        where.add("client_owner_id = ?", filters.manager)
    return where


def product_revenue(state: CopyState, filters: ReportFilters) -> list[dict[str, Any]]:
    """`purchased_lines` per product: the revenue."""
    where = _clients_where(state, filters)
    where.owned("owner_id", state.scope.orders)  # the purchases the reader may see
    where.add("paid_on BETWEEN ? AND ?", filters.date_from, filters.date_to)
    sql = f"SELECT product_id, sum(total) FROM order_products WHERE {where.sql} GROUP BY product_id"  # noqa: S608
    return [{"product_id": pk, "revenue": revenue} for pk, revenue in _rows(state, sql, where.params)]


def lifetime_figures(state: CopyState, filters: ReportFilters) -> dict[str, Any]:
    """The lifetime summary's figures: clients, revenue, orders, the median of the
    clients' revenue and the distinct client–product pairs, over every purchase up to the
    period's end."""
    where = _clients_where(state, filters)
    bought = f"paid_on <= ? AND {where.sql}"
    # The median is the mean of the lower and upper middle values (the same one for an odd
    # count): each a quantile_disc, exact for decimals.
    sql = f"""
        SELECT count(*), sum(spent), sum(bought), quantile_disc(spent, 0.5), -quantile_disc(-spent, 0.5)
        FROM (SELECT client_id, sum(total) AS spent, count(*) AS bought FROM orders WHERE {bought} GROUP BY client_id)
    """  # noqa: S608 (no user text: placeholders only)
    count, revenue, orders, low, high = _rows(state, sql, [filters.date_to, *where.params])[0]
    pairs_sql = f"SELECT count(*) FROM client_products WHERE first_paid_on <= ? AND {where.sql}"  # noqa: S608
    pairs = _rows(state, pairs_sql, [filters.date_to, *where.params])[0][0]
    return {
        "count": count,
        "revenue": revenue,
        "orders": int(orders or 0),
        "median": (low + high) / 2 if count else None,
        "pairs": pairs,
    }


# --- The funnel (relata.analytics.reports.funnel) ----------------------------------------


def _stage_index(stage_ids: list[int], column: str) -> tuple[str, list[int]]:
    """The stage's place in the pipeline (0 = first, -1 for another pipeline's stage)."""
    whens = " ".join("WHEN ? THEN ?" for _stage in stage_ids)
    params = [value for index, pk in enumerate(stage_ids) for value in (pk, index)]
    return f"CASE {column} {whens} ELSE -1 END", params


def funnel_figures(
    state: CopyState,
    filters: ReportFilters,
    pipeline: int,
    stage_ids: list[int],
    currency: str,
    period: tuple[dt.datetime, dt.datetime],
    now: dt.datetime,
) -> tuple[dict[int, tuple[int, Decimal]], dict[tuple[int, str], int], dict[int, tuple[dt.timedelta, int]]]:
    """The funnel's `StageFigures` (reached, now here, time in) of the pipeline's deals
    created in `period` ([from, to) moments), of the channel's clients and owned (the
    deal) by the manager."""
    where = _Where()
    where.add("pipeline_id = ?", pipeline)
    where.add("created_us >= ? AND created_us < ?", _micro(period[0]), _micro(period[1]))
    where.owned("owner_id", state.scope.deals)
    if filters.channel:  # of the channel's clients that the reader sees
        where.add("source = ?", filters.channel)
        where.owned("client_owner_id", state.scope.clients)
    if filters.manager is not None:
        where.add("owner_id = ?", filters.manager)
    marks = ", ".join("?" * len(stage_ids))
    visit_index, visit_params = _stage_index(stage_ids, "x")
    deal_index, deal_params = _stage_index(stage_ids, "stage_id")
    # A deal's furthest stage: the latest of the pipeline's stages it visited, else its own.
    reached_sql = f"""
        SELECT depth, count(*), sum(CASE WHEN currency = ? THEN amount END) FROM (
            SELECT coalesce(
                       list_max(list_transform(
                           list_filter(visited, lambda x: x IN ({marks})), lambda x: {visit_index}
                       )),
                       {deal_index}
                   ) AS depth, currency, amount
            FROM deals WHERE {where.sql}
        ) GROUP BY depth
    """  # noqa: S608 (no user text: placeholders only)
    reached_params = [currency, *stage_ids, *visit_params, *deal_params, *where.params]
    here_sql = f"SELECT stage_id, status, count(*) FROM deals WHERE {where.sql} GROUP BY stage_id, status"  # noqa: S608
    time_sql = f"""
        SELECT stage_id, sum(closed_us + open_stays * ? - open_since_us), count(*)
        FROM stays WHERE {where.sql} AND stage_id IN ({marks}) GROUP BY stage_id
    """  # noqa: S608
    with _connect(state) as con:
        reached = {
            depth: (n, Decimal(total or 0).quantize(CENT))
            for depth, n, total in con.execute(reached_sql, reached_params).fetchall()
        }
        now_here = {(stage, status): n for stage, status, n in con.execute(here_sql, where.params).fetchall()}
        time_in = {
            stage: (dt.timedelta(microseconds=int(total)), n)
            for stage, total, n in con.execute(time_sql, [_micro(now), *where.params, *stage_ids]).fetchall()
        }
    return reached, now_here, time_in


def _micro(moment: dt.datetime) -> int:
    """An aware moment as microseconds since the epoch (the copy's instants)."""
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


# --- Manager performance: sales (relata.analytics.reports.managers) -----------------------


def manager_sales(
    state: CopyState, filters: ReportFilters, closed: tuple[dt.datetime, dt.datetime], currency: str
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """`managers._sales` per owner: the deals closed in `closed` ([from, to) moments) as
    (owner, won, lost, won amount, won with an amount, microseconds from creation to
    winning), and the revenue of the purchases in the period as (owner, revenue); of the
    pipeline and of the channel's clients when those filters are set."""
    deals = _Where()
    deals.add("status IN ('won', 'lost') AND closed_us >= ? AND closed_us < ?", _micro(closed[0]), _micro(closed[1]))
    deals.owned("owner_id", state.scope.deals)
    orders = _Where()
    orders.add("paid_on BETWEEN ? AND ?", filters.date_from, filters.date_to)
    orders.owned("owner_id", state.scope.orders)
    if filters.pipeline is not None:
        deals.add("pipeline_id = ?", filters.pipeline)
        orders.add("deal_pipeline_id = ?", filters.pipeline)
    if filters.channel:  # of the channel's clients that the reader sees
        for where in (deals, orders):
            where.add("source = ?", filters.channel)
            where.owned("client_owner_id", state.scope.clients)
    priced = "status = 'won' AND currency = ? AND amount IS NOT NULL"
    deals_sql = f"""
        SELECT owner_id, count(*) FILTER (WHERE status = 'won'), count(*) FILTER (WHERE status = 'lost'),
               sum(amount) FILTER (WHERE {priced}), count(*) FILTER (WHERE {priced}),
               sum(closed_us - created_us) FILTER (WHERE status = 'won')
        FROM deals WHERE {deals.sql} GROUP BY owner_id
    """  # noqa: S608 (no user text: placeholders only)
    orders_sql = f"SELECT owner_id, sum(total) FROM orders WHERE {orders.sql} GROUP BY owner_id"  # noqa: S608
    with _connect(state) as con:
        found_deals = con.execute(deals_sql, [currency, currency, *deals.params]).fetchall()
        found_orders = con.execute(orders_sql, orders.params).fetchall()
    return found_deals, found_orders


# --- Client classes (relata.analytics.reports.classes_tables) ------------------------------


def classes_copied(state: CopyState, workspace: Workspace) -> bool:
    """Whether the copy holds the workspace's current client classes (none recomputed
    since it was built)."""
    return state.classes == classes_computed_at(workspace)


def class_groups(state: CopyState, filters: ReportFilters) -> list[dict[str, Any]]:
    """The classes of the clients in the filters per (abc, xyz, rfm_segment): clients and
    revenue."""
    where = _clients_where(state, filters)
    sql = (
        "SELECT abc, xyz, rfm_segment, count(*), sum(revenue) FROM classes "  # noqa: S608
        f"WHERE {where.sql} GROUP BY abc, xyz, rfm_segment"
    )
    return [
        {"abc": abc, "xyz": xyz, "rfm_segment": segment, "clients": clients, "revenue": revenue}
        for abc, xyz, segment, clients, revenue in _rows(state, sql, where.params)
    ]
