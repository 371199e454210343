"""The columnar copy of a large workspace's sales (issue 7: dashboard widgets within a
second at 1,000,000 clients).

Row-by-row PostgreSQL cannot aggregate a year of a large workspace's sales (a million
orders, three million lines) in a second on a small server: the best hand-written single
statements take 2–6 s there. DuckDB, a columnar engine embedded in the process, reads the
same figures from a compact copy in a few hundred milliseconds. The copy is derived data,
like the client classes: built from the database by `columnar_refresh` (Celery beat, every
`ANALYTICS_COPY_REFRESH` seconds, for workspaces with at least `ANALYTICS_COPY_MIN_LINES`
purchased order lines), never written by anything else and never the only source of a
figure: `relata.analytics.reports.columnar` uses it only while it is fresh, without a
segment filter, and either for readers who see every row of the workspace or, on
PostgreSQL, for readers with scope "own" or "team" while the copy's owners of the rows
they would count are still the database's (`owners_fingerprint`, taken in the same
snapshot as the rows): a copy some minutes old may miss the latest sales, but it never
counts a row its reader may not see now. Otherwise the reports read the database.

The copy holds the purchases (`reports.purchases`: paid in full, in the default currency,
dated by `paid_on`), their lines per order and product, each client's products, the deals
with the stages they visited and their stays per stage (see BUILD), each row with its
client's owner and source as they stood when it was built, sorted by date so that a
period reads only its own blocks. One
DuckDB file per workspace under `ANALYTICS_COPY_DIR`, written to a temporary file and
renamed over the old one: readers see the old copy or the new one, never a half-built one.
On PostgreSQL the rows leave the database by COPY; on SQLite (small bases) row by row.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relata.analytics.models import ClientClass
from relata.analytics.reports.purchases import lines_of, purchases
from relata.clients.models import Client
from relata.core.access import require
from relata.core.jobs import JobContext, job_handler
from relata.core.models import Job, JobState, Membership, Workspace
from relata.orders.models import OrderLine
from relata.sales.models import Deal, StageVisit

logger = logging.getLogger(__name__)

FORMAT = 7  # bumped when the copy's tables change: an older copy is then not used
FAR_FUTURE = dt.date(9999, 1, 1)

# (name, DuckDB type) of the columns read from the database, in order, per table.
RAW_ORDERS = [
    ("id", "BIGINT"),
    ("client_id", "BIGINT"),
    ("owner_id", "BIGINT"),
    ("paid_on", "DATE"),
    ("total", "DECIMAL(18,2)"),
    ("deal_id", "BIGINT"),
]
RAW_LINES = [
    ("order_id", "BIGINT"),
    ("product_id", "BIGINT"),
    ("quantity", "DECIMAL(18,3)"),
    ("total", "DECIMAL(18,2)"),
]
RAW_CLIENTS = [("id", "BIGINT"), ("owner_id", "BIGINT"), ("source", "VARCHAR")]
RAW_DEALS = [
    ("id", "BIGINT"),
    ("pipeline_id", "BIGINT"),
    ("stage_id", "BIGINT"),
    ("status", "VARCHAR"),
    ("owner_id", "BIGINT"),
    ("client_id", "BIGINT"),
    ("created_at", "TIMESTAMPTZ"),
    ("closed_at", "TIMESTAMPTZ"),
    ("amount", "DECIMAL(18,2)"),
    ("currency", "VARCHAR"),
]
RAW_CLASSES = [
    ("client_id", "BIGINT"),
    ("abc", "VARCHAR"),
    ("xyz", "VARCHAR"),
    ("rfm_segment", "VARCHAR"),
    ("revenue", "DECIMAL(18,2)"),
]
RAW_VISITS = [("deal_id", "BIGINT"), ("stage_id", "BIGINT"), ("entered_at", "TIMESTAMPTZ"), ("left_at", "TIMESTAMPTZ")]

RAW = {
    "raw_orders": RAW_ORDERS,
    "raw_lines": RAW_LINES,
    "raw_clients": RAW_CLIENTS,
    "raw_deals": RAW_DEALS,
    "raw_visits": RAW_VISITS,
    "raw_classes": RAW_CLASSES,
}

BUILD = """
CREATE TABLE orders AS
    SELECT o.id, o.client_id, o.owner_id, o.paid_on, o.total,
           c.owner_id AS client_owner_id, coalesce(c.source, '') AS source, d.pipeline_id AS deal_pipeline_id
    FROM raw_orders o LEFT JOIN raw_clients c ON c.id = o.client_id LEFT JOIN raw_deals d ON d.id = o.deal_id
    ORDER BY o.paid_on, o.id;
-- One row per order and product (an order's lines of one product added up): a product's
-- orders are then its rows, counted without a DISTINCT.
CREATE TABLE order_products AS
    SELECT l.order_id, l.product_id, sum(l.quantity) AS quantity, sum(l.total) AS total,
           o.paid_on, o.client_id, o.owner_id, o.client_owner_id, o.source
    FROM raw_lines l JOIN orders o ON o.id = l.order_id
    GROUP BY l.order_id, l.product_id, o.paid_on, o.client_id, o.owner_id, o.client_owner_id, o.source
    ORDER BY o.paid_on, l.order_id;
-- The client classes of the last recomputation, with their clients' owners and sources.
CREATE TABLE classes AS
    SELECT k.client_id, k.abc, k.xyz, k.rfm_segment, k.revenue, c.owner_id AS client_owner_id,
           coalesce(c.source, '') AS source
    FROM raw_classes k LEFT JOIN raw_clients c ON c.id = k.client_id;
-- The products each client has bought, from its first purchase of each.
CREATE TABLE client_products AS
    SELECT client_id, product_id, min(paid_on) AS first_paid_on, client_owner_id, source
    FROM order_products WHERE product_id IS NOT NULL
    GROUP BY client_id, product_id, client_owner_id, source
    ORDER BY first_paid_on;
-- Instants as microseconds since the epoch: no time zone to get wrong when reading.
-- A deal carries the stages it has visited; a stay is a deal's time in one stage (its
-- visits there added up: the closed ones in microseconds, the open ones as their count
-- and the sum of their starts, to be counted up to the moment of reading), with the
-- deal's columns that the funnel filters on.
CREATE TABLE deals AS
    SELECT d.id, d.pipeline_id, d.stage_id, d.status, d.owner_id, d.client_id, c.source, c.owner_id AS client_owner_id,
           epoch_us(d.created_at) AS created_us, epoch_us(d.closed_at) AS closed_us, d.amount, d.currency,
           coalesce((SELECT list(DISTINCT v.stage_id) FROM raw_visits v WHERE v.deal_id = d.id), []) AS visited
    FROM raw_deals d LEFT JOIN raw_clients c ON c.id = d.client_id
    ORDER BY created_us;
CREATE TABLE stays AS
    SELECT v.deal_id, v.stage_id, d.pipeline_id, d.owner_id, d.source, d.client_owner_id, d.created_us,
           coalesce(sum(epoch_us(v.left_at) - epoch_us(v.entered_at)), 0) AS closed_us,
           count(*) FILTER (WHERE v.left_at IS NULL) AS open_stays,
           coalesce(sum(epoch_us(v.entered_at)) FILTER (WHERE v.left_at IS NULL), 0) AS open_since_us
    FROM raw_visits v JOIN deals d ON d.id = v.deal_id
    GROUP BY v.deal_id, v.stage_id, d.pipeline_id, d.owner_id, d.source, d.client_owner_id, d.created_us
    ORDER BY d.created_us;
"""


@dataclass(frozen=True)
class CopyScope:
    """The owners whose rows a reader may count (None: every row), per table of the copy:
    the clients' owners, the purchases' owners and the deals' owners."""

    clients: list[int] | None = None
    orders: list[int] | None = None
    deals: list[int] | None = None


@dataclass(frozen=True)
class CopyState:
    """What a copy's `meta` table records."""

    path: Path
    workspace_id: int
    workspace_created: dt.datetime
    currency: str
    built_at: dt.datetime
    orders: int
    lines: int
    format: int
    owners: dict[str, str]  # per table ("clients", "orders", "deals"): its owners' fingerprint
    classes: str  # when the client classes it holds were computed (ISO; "": none)
    scope: CopyScope = field(default_factory=CopyScope)  # the reader's, set by reports.columnar.copy_for


def copy_path(workspace_id: int) -> Path:
    return Path(settings.ANALYTICS_COPY_DIR) / f"workspace-{workspace_id}.duckdb"


def copy_state(workspace: Workspace) -> CopyState | None:
    """The workspace's copy as its `meta` table describes it; None without a usable copy
    (none built, unreadable, of an older format, or left by another database whose
    workspace had the same id)."""
    path = copy_path(workspace.pk)
    if not path.exists():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            row = con.execute(
                "SELECT workspace_id, workspace_created, currency, built_at, orders, lines, format, owners, classes "
                "FROM meta"
            ).fetchone()
    except duckdb.Error:
        return None
    if row is None:
        return None
    owners = json.loads(row[7])
    state = CopyState(path, row[0], _moment(row[1]), row[2], _moment(row[3]), row[4], row[5], row[6], owners, row[8])
    if (state.workspace_id, state.workspace_created, state.format) != (workspace.pk, workspace.created_at, FORMAT):
        return None
    return state


def order_lines_count(workspace: Workspace) -> int:
    """The workspace's order lines, purchased or not: the cheap measure of its size that
    decides whether a copy is worth keeping."""
    return OrderLine.objects.filter(workspace_id=workspace.pk).count()


def columnar_refresh(workspace: Workspace) -> CopyState:
    """Build the workspace's copy anew and put it in place of the old one."""
    directory = Path(settings.ANALYTICS_COPY_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    built_at = timezone.now()  # before reading: a row written during the build is newer than the copy
    owned = owned_rows(workspace)
    orders = owned["orders"]
    with tempfile.TemporaryDirectory(dir=directory) as scratch:
        fields = {name: [column for column, _type in columns] for name, columns in RAW.items()}
        sources: dict[str, QuerySet[Any]] = {
            "raw_orders": orders.values_list(*fields["raw_orders"]),
            "raw_lines": lines_of(orders).values_list(*fields["raw_lines"]),
            "raw_clients": owned["clients"].values_list(*fields["raw_clients"]),
            "raw_deals": owned["deals"].values_list(*fields["raw_deals"]),
            "raw_visits": StageVisit.objects.filter(workspace_id=workspace.pk).values_list(*fields["raw_visits"]),
            "raw_classes": ClientClass.objects.filter(workspace_id=workspace.pk).values_list(*fields["raw_classes"]),
        }
        outermost = not connection.in_atomic_block  # else a savepoint, which cannot choose its isolation
        with transaction.atomic():
            if connection.vendor == "postgresql" and outermost:
                # One snapshot for every table: no line without its order.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            paths = {table: _export(rows.order_by(), scratch, table) for table, rows in sources.items()}
            owners = {table: owners_fingerprint(rows) for table, rows in owned.items()}
            classes = classes_computed_at(workspace)
        target = Path(scratch) / "copy.duckdb"
        with duckdb.connect(str(target), config={"memory_limit": settings.ANALYTICS_COPY_MEMORY}) as con:
            con.execute("SET TimeZone = 'UTC'")  # for instants written without an offset (SQLite)
            for table, path in paths.items():
                if os.path.getsize(path) == 0:  # no rows (no deals yet): DuckDB cannot read an empty CSV
                    columns = ", ".join(f"{name} {kind}" for name, kind in RAW[table])
                    con.execute(f"CREATE TEMP TABLE {table} ({columns})")
                    continue
                types = ", ".join(f"'{name}': '{kind}'" for name, kind in RAW[table])
                con.execute(
                    f"CREATE TEMP TABLE {table} AS SELECT * FROM read_csv(?, header = false, columns = {{{types}}}, "  # noqa: S608 (names of RAW)
                    "nullstr = '', allow_quoted_nulls = false, quote = '\"', escape = '\"', delim = ',')",
                    [path],
                )
            counted = "SELECT (SELECT count(*) FROM raw_orders), (SELECT count(*) FROM raw_lines)"
            counts = con.execute(counted).fetchall()[0]
            con.execute(BUILD)
            con.execute(
                "CREATE TABLE meta AS SELECT ?::BIGINT AS workspace_id, ?::VARCHAR AS workspace_created, "
                "?::VARCHAR AS currency, ?::VARCHAR AS built_at, ?::BIGINT AS orders, ?::BIGINT AS lines, "
                "?::INTEGER AS format, ?::DOUBLE AS seconds, ?::VARCHAR AS owners, ?::VARCHAR AS classes",
                [
                    workspace.pk,
                    workspace.created_at.isoformat(),
                    workspace.default_currency,
                    built_at.isoformat(),
                    counts[0],
                    counts[1],
                    FORMAT,
                    time.monotonic() - started,
                    json.dumps(owners),
                    classes,
                ],
            )
            con.execute("CHECKPOINT")
        os.replace(target, copy_path(workspace.pk))
    state = copy_state(workspace)
    if state is None:  # only if the file was replaced or removed meanwhile
        raise RuntimeError(f"the analytics copy of workspace {workspace.pk} is not readable after its rebuild")
    return state


def classes_computed_at(workspace: Workspace) -> str:
    """When the workspace's client classes were computed, as ISO text ("" before the first
    recomputation): a recomputation replaces every row at once, with one moment."""
    moment = ClientClass.objects.filter(workspace_id=workspace.pk).values_list("computed_at", flat=True).first()
    return moment.isoformat() if moment is not None else ""


def owned_rows(workspace: Workspace) -> dict[str, QuerySet[Any]]:
    """The rows of the copy whose owners decide who may count them: the workspace's
    clients, purchases and deals (a stage visit is its deal's)."""
    return {
        "clients": Client.objects.filter(workspace_id=workspace.pk),
        "orders": purchases(workspace, start=None, end=FAR_FUTURE),
        "deals": Deal.objects.filter(workspace_id=workspace.pk),
    }


def owners_fingerprint(rows: QuerySet[Any]) -> str:
    """A fingerprint of which row has which owner: it changes when any row changes owner
    (or is added or removed), so a copy whose fingerprints equal the database's holds the
    owners of now. PostgreSQL: the count and a sum of a 64-bit hash of each row's id times
    its owner; "" on SQLite, where a copy is only for readers who see every row."""
    if connection.vendor != "postgresql":
        return ""
    inner, params = rows.order_by().values(row_id=F("pk"), row_owner=F("owner_id")).query.sql_with_params()
    sql = (
        "SELECT count(*), sum((hashint8extended(t.row_id, 1) %% 1000000007) * coalesce(t.row_owner, 0)) "  # noqa: S608
        f"FROM ({inner}) t"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        count, total = cursor.fetchone()
    return f"{count}:{total or 0}"


def columnar_drop(workspace: Workspace) -> bool:
    """Remove the workspace's copy (when it has become small); True if there was one."""
    try:
        copy_path(workspace.pk).unlink()
    except FileNotFoundError:
        return False
    return True


def columnar_refresh_all(*, now: dt.datetime | None = None) -> int:
    """Refresh the copies that are due (Celery beat): every active workspace with at least
    `ANALYTICS_COPY_MIN_LINES` order lines whose copy is older than
    `ANALYTICS_COPY_REFRESH` seconds; a workspace below that size loses its copy. Returns
    the number of copies built."""
    now = now or timezone.now()
    built = 0
    for workspace in Workspace.objects.filter(is_active=True).order_by("pk"):
        if order_lines_count(workspace) < settings.ANALYTICS_COPY_MIN_LINES:
            columnar_drop(workspace)
            continue
        state = copy_state(workspace)
        if state is None or (now - state.built_at).total_seconds() >= settings.ANALYTICS_COPY_REFRESH:
            try:
                columnar_refresh(workspace)
            except Exception:  # one workspace's failure (a full disk) must not hold up the others'
                logger.exception("the analytics copy of workspace %s could not be rebuilt", workspace.pk)
                continue
            built += 1
    return built


def _export(rows: QuerySet[Any], scratch: str, name: str) -> str:
    """The rows of `rows` (a values_list) written to a CSV file; its path."""
    path = os.path.join(scratch, f"{name}.csv")
    sql, params = rows.query.sql_with_params()
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            open(path, "wb") as out,
            cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy,
        ):
            for block in copy:
                out.write(block)
        return path
    with connection.cursor() as cursor, open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(10_000):
            writer.writerows(["" if value is None else value for value in row] for row in chunk)
    return path


def _moment(value: str) -> dt.datetime:
    """A moment stored as ISO text (DuckDB's time zones would need pytz)."""
    moment = dt.datetime.fromisoformat(value)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, dt.UTC)


# --- Refreshing on demand (an administrator's "refresh now") -----------------------------

JOB_KIND = "analytics.copy_refresh"


def columnar_refresh_start(actor: Membership) -> Job:
    """Rebuild the workspace's copy now, as a job (`analytics.change`); a rebuild still
    waiting or running is returned instead of starting a second one. Refused for a
    workspace below `ANALYTICS_COPY_MIN_LINES`: its dashboards read the database, which
    is always current, and a copy would only make them older."""
    from relata.core.services.jobs import job_start

    require(actor, "analytics", "change")
    if order_lines_count(actor.workspace) < settings.ANALYTICS_COPY_MIN_LINES:
        raise ValidationError(
            _(
                "This workspace's dashboards read the database directly (it has fewer than %(lines)s order "
                "lines), so their figures are always current: there is no copy to refresh."
            )
            % {"lines": settings.ANALYTICS_COPY_MIN_LINES}
        )
    running = Job.objects.filter(
        workspace_id=actor.workspace_id, kind=JOB_KIND, state__in=[JobState.PENDING, JobState.RUNNING]
    ).first()
    if running is not None:
        return running
    return job_start(actor, kind=JOB_KIND, params={}, total=1)


@job_handler(JOB_KIND, gettext_lazy("Refresh of the analytics copy"))
def columnar_refresh_job(actor: Membership, context: JobContext) -> dict[str, Any]:
    require(actor, "analytics", "change")
    context.progress(0, 1, _("Copying the sales…"), force=True)
    state = columnar_refresh(actor.workspace)
    return {"orders": state.orders, "lines": state.lines, "built_at": state.built_at.isoformat()}
