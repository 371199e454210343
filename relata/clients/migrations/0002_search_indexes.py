"""Trigram indexes for the search box and the duplicate finder (PostgreSQL only).

`search_text` holds the client's names, phone digits, e-mails and tax ids in lower
case; a trigram GIN index answers `LIKE '%fragment%'` and similarity (typo) queries
from the index at a million clients. SQLite has no such index: there the search scans
(see relata.clients.selectors.search), which is fine at the sizes SQLite is meant for.
pg_trgm is a trusted extension: the database owner may create it.
"""

from django.db import migrations

PG_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS clients_client_search_trgm ON clients_client USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS clients_client_match_trgm ON clients_client USING gin (match_name gin_trgm_ops)",
]
PG_DOWN = [
    "DROP INDEX IF EXISTS clients_client_match_trgm",
    "DROP INDEX IF EXISTS clients_client_search_trgm",
]


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_UP:
            schema_editor.execute(statement)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("clients", "0001_initial")]

    operations = [migrations.RunPython(up, down)]
