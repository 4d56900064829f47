"""Trigram indexes on the names, for the person search at national scale (PostgreSQL only).

Issue 12: `Person.objects.search` matches any part of a name (`icontains`, that is
`UPPER(name) LIKE UPPER('%…%')`), which no B-tree serves; pg_trgm's GIN indexes on the same
expressions do. SQLite (development, tests) keeps its scan: this migration does nothing there.
The extension needs a role allowed to create it (docs/deployment.md).
"""

from django.db import migrations

NAMES = ["last_name", "usual_name", "first_names"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in NAMES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS person_{column}_trgm_idx ON people_person "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in NAMES:
        schema_editor.execute(f"DROP INDEX IF EXISTS person_{column}_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [("people", "0006_department_transfer")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
