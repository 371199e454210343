"""Database functions that behave the same on PostgreSQL and SQLite.

SQLite's LOWER() and LIKE fold only ASCII letters, so "Бетон" would not match "бетон";
on SQLite the functions below are Python's, registered on every new connection (an
honest equivalent: the same answers, computed by scanning)."""

from __future__ import annotations

from typing import Any

from django.db import connection as default_connection
from django.db.backends.signals import connection_created
from django.db.models import Func, Q, TextField
from django.db.models.lookups import Contains
from django.dispatch import receiver

SQLITE_FUNCTIONS: dict[str, tuple[int, Any]] = {
    "relata_casefold": (1, lambda value: value.casefold() if isinstance(value, str) else value),
}


def register_sqlite_function(name: str, arity: int, function: Any) -> None:
    """Add a Python function to every SQLite connection (and to the current one)."""
    SQLITE_FUNCTIONS[name] = (arity, function)
    if default_connection.vendor == "sqlite" and default_connection.connection is not None:
        default_connection.connection.create_function(name, arity, function, deterministic=True)


@receiver(connection_created, dispatch_uid="relata.core.sqlite_functions")
def _register_on_connect(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        for name, (arity, function) in SQLITE_FUNCTIONS.items():
            connection.connection.create_function(name, arity, function, deterministic=True)


def ensure_sqlite_functions() -> None:
    """For a connection opened before a function was registered (idempotent)."""
    if default_connection.vendor == "sqlite":
        default_connection.ensure_connection()
        _register_on_connect(None, default_connection)


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
