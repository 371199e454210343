"""Shared helpers of the benchmarks: the database, timing, printing."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management import call_command
from django.db import connection

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))


def _create_postgres_database() -> None:
    """Create the benchmark database on first use (PostgreSQL only)."""
    import psycopg

    settings = connection.settings_dict
    if connection.vendor != "postgresql":
        return
    dsn = f"postgresql://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}/postgres"
    with psycopg.connect(dsn, password=settings.get("PASSWORD") or None, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{settings["NAME"]}"')


def prepare_database() -> None:
    _create_postgres_database()
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; scale {SCALE}; best of {REPEAT}")


def scaled(n: int) -> int:
    return max(1, int(n * SCALE))


def measure(call: Callable[[], Any]) -> float:
    """Median wall time in milliseconds over REPEAT runs after one warm-up run."""
    call()
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def report(label: str, ours_ms: float, baseline_ms: float) -> None:
    ratio = ours_ms / baseline_ms if baseline_ms else float("inf")
    print(f"  {label:<52} {ours_ms:9.2f} ms   hand-written SQL {baseline_ms:9.2f} ms   ratio {ratio:5.2f}")


def raw(sql: str, params: list[Any]) -> Callable[[], Any]:
    def call() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return call


def bulk_session(cursor: Any) -> None:
    """Settings of a bulk load's transaction (PostgreSQL). Constraints are checked as each
    COPY ends, not queued to the commit: a queue of millions of pending checks would also
    forbid rebuilding the indexes in the same transaction."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET LOCAL synchronous_commit = off")
    cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")


@contextmanager
def indexes_rebuilt(tables: list[str], rebuild: bool) -> Iterator[None]:
    """While the body loads rows into `tables`, their secondary indexes (not primary keys,
    not those behind constraints) are dropped when `rebuild`, then built again: from many
    rows on, rebuilding beats inserting into them."""
    indexes: list[tuple[str, str]] = []
    if rebuild:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                [tables],
            )
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        for _name, definition in indexes:
            cursor.execute(definition)
