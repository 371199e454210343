"""The event table is append-only: the database itself refuses UPDATE on it, so not even
a bug or a raw query can rewrite history. (DELETE stays possible for the cascade when
an operator deletes a whole workspace.)"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION core_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_event is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_event_no_update BEFORE UPDATE ON core_event
    FOR EACH ROW EXECUTE FUNCTION core_event_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS core_event_no_update ON core_event;
DROP FUNCTION IF EXISTS core_event_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER core_event_no_update BEFORE UPDATE ON core_event
BEGIN
    SELECT RAISE(ABORT, 'core_event is append-only');
END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS core_event_no_update;"


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(up, down)]
