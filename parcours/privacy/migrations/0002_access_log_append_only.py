"""The database itself refuses to change or delete access-log rows (issue 6, "Access log").

PostgreSQL: a trigger refuses UPDATE always, and DELETE unless the transaction has set
`parcours.access_log_purge = 'on'` (only parcours.privacy.access_log.purge_access_log does),
and even then refuses rows younger than 6 months (CNIL minimum). SQLite (demo, tests): a
trigger refuses UPDATE; deletions are guarded by the model only, since the test runner empties
tables with DELETE.
"""

from django.db import migrations

TABLES = ("privacy_accesslog", "privacy_accesslogperson")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION privacy_access_log_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('parcours.access_log_purge', true) = 'on' THEN
        -- Nested: PL/pgSQL does not short-circuit AND, and only the log table has "at".
        IF TG_TABLE_NAME = 'privacy_accesslog' THEN
            IF OLD.at > now() - interval '6 months' THEN
                RAISE EXCEPTION 'access-log rows younger than 6 months cannot be purged'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
        END IF;
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION privacy_access_log_append_only();"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END;"
            )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor in ("postgresql", "sqlite"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only" + (
                f" ON {table}" if vendor == "postgresql" else ""
            ))
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS privacy_access_log_append_only()")


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
