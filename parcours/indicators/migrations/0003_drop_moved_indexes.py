"""Drop the indexes of 0002: the reception app now declares them on its models.

SQLite rebuilds a table when a column changes (reception 0005) and loses indexes created by
raw SQL; declared indexes are rebuilt with it.
"""

from django.db import migrations

# (name, table, columns) as created by 0002, so that going back restores them.
INDEXES = [
    (
        "indicators_check_accompanied_idx",
        "reception_employmentcheck",
        '"accompaniment_date") WHERE ("accompaniment_date" IS NOT NULL',
    ),
    ("indicators_contract_signed_idx", "reception_contract", '"signed_on"'),
]


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
