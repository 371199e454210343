"""Database functions that behave the same on PostgreSQL and SQLite.

SQLite's LOWER() and LIKE fold only ASCII letters, so "Бетон" would not match "бетон";
on SQLite the functions below are Python's, registered on every new connection (an
honest equivalent: the same answers, computed by scanning)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection as default_connection
from django.db import transaction
from django.db.backends.signals import connection_created
from django.db.models import Field, Func, Q, TextField
from django.db.models.lookups import Contains, In
from django.dispatch import receiver

SQLITE_FUNCTIONS: dict[str, tuple[int, Any]] = {
    "relata_casefold": (1, lambda value: value.casefold() if isinstance(value, str) else value),
}


def register_sqlite_function(name: str, arity: int, function: Any) -> None:
    """Add a Python function to every SQLite connection (and to the current one)."""
    SQLITE_FUNCTIONS[name] = (arity, function)
    if default_connection.vendor == "sqlite" and default_connection.connection is not None:
        _add_missing(default_connection)


def _add_missing(connection: Any) -> None:
    """Create on the connection the functions it does not have yet, and only those.
    Redefining a function fails ("Error creating function") while a statement is active
    on the connection, which happens when a live test server's thread shares the test
    thread's in-memory database; so a function is created once per raw connection."""
    raw = connection.connection
    state = getattr(connection, "_relata_sqlite_functions", None)
    if state is None or state[0] is not raw:
        state = (raw, set[str]())
        connection._relata_sqlite_functions = state
    for name, (arity, function) in SQLITE_FUNCTIONS.items():
        if name not in state[1]:
            raw.create_function(name, arity, function, deterministic=True)
            state[1].add(name)


@receiver(connection_created, dispatch_uid="relata.core.sqlite_functions")
def _register_on_connect(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        _add_missing(connection)


def ensure_sqlite_functions() -> None:
    """For a connection opened before a function was registered (idempotent)."""
    if default_connection.vendor == "sqlite":
        default_connection.ensure_connection()
        _add_missing(default_connection)


class Casefold(Func):
    """Case-insensitive form of a text for comparisons, Unicode-aware on both databases
    (compare with a Python-casefolded value)."""

    function = "LOWER"
    output_field = TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        ensure_sqlite_functions()
        return super().as_sql(compiler, connection, function="relata_casefold", **extra)


def contains_any(text: str, *fields: str) -> Q:
    """Any of `fields` contains `text` in any case, Unicode-aware on SQLite too (where
    `icontains` folds only ASCII, so "кирпич" would not find "Кирпич")."""
    folded = text.strip().casefold()
    condition = Q()
    for name in fields:
        condition |= Q(Contains(Casefold(name), folded))
    return condition


@contextmanager
def exact_lookups() -> Iterator[None]:
    """Let the planner answer the enclosed queries only with plain index scans.

    For bulk equality lookups (`match_name IN (1,000 names)`) on a column that has both a
    btree and a trigram GIN index. With statistics older than the table (a first import
    into a new base grows it faster than autovacuum analyses it), PostgreSQL picks the
    GIN index for `= ANY(…)`: 10–25 s per chunk instead of 20 ms, measured by
    `bench.client_import` on a fresh database. GIN indexes only serve bitmap scans, so
    turning those off for these queries leaves the btree. Needs a transaction (the
    setting is local to it, and restored on the way out); nothing to do on SQLite.
    """
    connection = default_connection
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_bitmapscan'), set_config('enable_bitmapscan', 'off', true)")
        previous = cursor.fetchone()[0]
        yield  # on an error the savepoint's rollback restores the setting
        cursor.execute("SELECT set_config('enable_bitmapscan', %s, true)", [previous])


@Field.register_lookup
class AnyOf(In):
    """`field__any_of=[…]`: `field = ANY(%s)` with the values as one array on PostgreSQL,
    IN elsewhere. For bulk equality lookups of a thousand values (an import's chunk):
    IN makes Django process and PostgreSQL parse a thousand parameters, half the
    lookup's time (bench.client_import)."""

    lookup_name = "any_of"

    def as_postgresql(self, compiler: Any, connection: Any) -> Any:
        if not self.rhs_is_direct_value():
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(value, connection, prepared=True) for value in self.rhs if value is not None]
        return f"{lhs} = ANY(%s)", (*lhs_params, values)
