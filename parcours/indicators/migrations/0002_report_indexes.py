"""Indexes the reports need on the records they read (issue 5: "add the needed indexes").

The reception app owns these tables; the indexes live here because only the figures need
them: accompaniments are counted by the month they took place, CIR signatures by the month
they were signed. Partial and IF NOT EXISTS: the same SQL runs on SQLite and PostgreSQL, and a
later index declared by the reception app on the same column does no harm.
"""

from django.db import migrations

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
        ("indicators", "0001_initial"),
        ("reception", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns});',
            reverse_sql=f'DROP INDEX IF EXISTS "{name}";',
        )
        for name, table, columns in INDEXES
    ]
