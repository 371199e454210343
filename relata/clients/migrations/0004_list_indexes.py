"""Indexes for the lists of clients at scale (PostgreSQL only, like 0002).

A list page asks for the first 50 rows and a count capped at 10,001 (CountedPaginator),
filtered by the quick filters (status, owner, city…). At a million clients:

- `clients_client_ws_kind_status` (workspace, kind, status, owner, with city): a list's
  kind and status and the scope "own" are index conditions, and the city filter is checked
  in the index, so the capped count is an index-only scan instead of reading up to
  200,000 rows of the table (bench/client_list.py: 0.5–0.7 s → 20–50 ms);
- `clients_client_ws_kind_status_name`: the list filtered by a status in its default
  order (by name) reads only that status's clients, in order, instead of walking every
  client of the kind by name until 50 match (130 ms → 5 ms for a rare status and city);
- `clients_client_city_trgm`: "city contains …" (the quick filter compares
  LOWER(city) LIKE '%…%') answered from a trigram index, for the other orders and for a
  city without a status.
"""

from django.db import migrations

PG_UP = [
    "CREATE INDEX IF NOT EXISTS clients_client_ws_kind_status ON clients_client "
    "(workspace_id, kind, status_id, owner_id) INCLUDE (city)",
    "CREATE INDEX IF NOT EXISTS clients_client_ws_kind_status_name ON clients_client "
    "(workspace_id, kind, status_id, name)",
    "CREATE INDEX IF NOT EXISTS clients_client_city_trgm ON clients_client USING gin (lower(city) gin_trgm_ops)",
    # Statistics of the new expression LOWER(city): without them the planner takes every
    # "city contains" for a rare one and reads the table through the trigram index.
    "ANALYZE clients_client",
]
PG_DOWN = [
    "DROP INDEX IF EXISTS clients_client_city_trgm",
    "DROP INDEX IF EXISTS clients_client_ws_kind_status_name",
    "DROP INDEX IF EXISTS clients_client_ws_kind_status",
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
    dependencies = [("clients", "0003_seed_statuses")]

    operations = [migrations.RunPython(up, down)]
