"""Drop the indexes of 0002: the reception app now declares them on its models.

SQLite rebuilds a table when a column changes (reception 0005) and loses indexes created by
raw SQL; declared indexes are rebuilt with it.
"""

import importlib

from django.db import migrations

# The indexes as 0002 created them, so that going back restores them.
INDEXES = importlib.import_module("parcours.indicators.migrations.0002_report_indexes").INDEXES


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0002_report_indexes"),
        ("reception", "0005_event_facts_required"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f'DROP INDEX IF EXISTS "{name}";',
            reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns});',
        )
        for name, table, columns in INDEXES
    ]
