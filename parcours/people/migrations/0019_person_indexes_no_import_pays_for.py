"""Person indexes that every write paid for and no read used (issue 17: import throughput).

- The three GIN trigram indexes of migration 0007 on UPPER(last_name), UPPER(usual_name),
  UPPER(first_names) (PostgreSQL only): the person search has matched on `search_text` since
  migration 0011 (its own GIN and GiST trigram indexes, 0011 and 0015); nothing queries
  UPPER(name) LIKE any more (`grep` of `last_name__`, `icontains`: none on persons).
- Django's own index of the département foreign key, a copy of Meta's person_department_idx.
- Django's own index of the DT foreign key: every index of Meta starting with the DT
  (person_dt_name_idx and the others) serves a filter on the DT.

Measured on PostgreSQL 15 with 100,344 persons (`INSERT … SELECT` of 50,000 persons in a
rolled-back transaction): 4.58 s with them, 3.60 s without (docs/benchmarks.md).
"""

import django.db.models.deletion
from django.db import migrations, models

NAMES = ["last_name", "usual_name", "first_names"]


def drop_name_trigrams(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in NAMES:
        schema_editor.execute(f"DROP INDEX IF EXISTS person_{column}_trgm_idx")


def create_name_trigrams(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in NAMES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS person_{column}_trgm_idx ON people_person "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0018_person_import_commit_requested_at"),
        ("territories", "0003_country_french_names"),
    ]

    operations = [
        migrations.RunPython(drop_name_trigrams, create_name_trigrams, elidable=False),
        migrations.AlterField(
            model_name="person",
            name="department",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="persons",
                to="territories.department",
                verbose_name="département de résidence",
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="directorate",
            field=models.ForeignKey(
                db_index=False,
                help_text="La DT qui suit la personne ; celle du département par défaut.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="persons",
                to="territories.directorate",
                verbose_name="direction territoriale",
            ),
        ),
    ]
