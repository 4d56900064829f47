"""Counts of referrals per scheme and status, kept by row triggers on both engines (issue 12).

Triggers, not the services: `bulk_create` (the dataset, the bench) and cascades send no signal
and pass no service, and the counts must hold whatever writes the rows. The existing rows are
counted once here.
"""

import django.db.models.deletion
from django.db import migrations, models

COUNTS = "referrals_schemestatuscount"
REFERRALS = "referrals_referral"

POSTGRESQL = [
    f"""
    CREATE FUNCTION referrals_count_status() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE {COUNTS} SET number = number - 1
             WHERE scheme_id = OLD.scheme_id AND status = OLD.status;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO {COUNTS} (scheme_id, status, number) VALUES (NEW.scheme_id, NEW.status, 1)
            ON CONFLICT (scheme_id, status) DO UPDATE SET number = {COUNTS}.number + 1;
        END IF;
        RETURN NULL;
    END $$
    """,
    f"""CREATE TRIGGER referrals_count_insert_delete AFTER INSERT OR DELETE ON {REFERRALS}
    FOR EACH ROW EXECUTE FUNCTION referrals_count_status()""",
    f"""CREATE TRIGGER referrals_count_update AFTER UPDATE OF status, scheme_id ON {REFERRALS}
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
                       OR OLD.scheme_id IS DISTINCT FROM NEW.scheme_id)
    EXECUTE FUNCTION referrals_count_status()""",
]
POSTGRESQL_REVERSE = [
    f"DROP TRIGGER IF EXISTS referrals_count_update ON {REFERRALS}",
    f"DROP TRIGGER IF EXISTS referrals_count_insert_delete ON {REFERRALS}",
    "DROP FUNCTION IF EXISTS referrals_count_status()",
]
_ADD = (
    f"INSERT INTO {COUNTS} (scheme_id, status, number) VALUES (NEW.scheme_id, NEW.status, 1) "
    f"ON CONFLICT (scheme_id, status) DO UPDATE SET number = number + 1;"
)
_REMOVE = (
    f"UPDATE {COUNTS} SET number = number - 1 "
    "WHERE scheme_id = OLD.scheme_id AND status = OLD.status;"
)
SQLITE = [
    f"CREATE TRIGGER referrals_count_insert AFTER INSERT ON {REFERRALS} BEGIN {_ADD} END",
    f"CREATE TRIGGER referrals_count_delete AFTER DELETE ON {REFERRALS} BEGIN {_REMOVE} END",
    f"""CREATE TRIGGER referrals_count_update AFTER UPDATE OF status, scheme_id ON {REFERRALS}
    WHEN OLD.status IS NOT NEW.status OR OLD.scheme_id IS NOT NEW.scheme_id
    BEGIN {_REMOVE} {_ADD} END""",
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS referrals_count_{name}" for name in ("insert", "delete", "update")
]
FILL = (
    f"INSERT INTO {COUNTS} (scheme_id, status, number) "  # noqa: S608 (constant names)
    f"SELECT scheme_id, status, COUNT(*) FROM {REFERRALS} GROUP BY scheme_id, status"
)


def _run(schema_editor, statements) -> None:
    for statement in statements:
        schema_editor.execute(statement)


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, POSTGRESQL if vendor == "postgresql" else SQLITE)
    schema_editor.execute(FILL)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, POSTGRESQL_REVERSE if vendor == "postgresql" else SQLITE_REVERSE)


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0007_referral_scheme_dt_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='SchemeStatusCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('draft', 'Brouillon'), ('sent', 'Envoyée'), ('waitlisted', "Acceptée, en liste d'attente"), ('accepted', 'Acceptée'), ('refused', 'Refusée'), ('expired', 'Expirée sans réponse'), ('entered', 'Entrée dans le dispositif'), ('completed', 'Parcours terminé'), ('dropped_out', 'Sortie anticipée'), ('withdrawn', "Retirée par l'orienteur"), ('transferred', 'Transférée vers un autre dispositif')], max_length=20, verbose_name='état')),
                ('number', models.BigIntegerField(default=0, verbose_name='nombre')),
                ('scheme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='referrals.scheme', verbose_name='dispositif')),
            ],
            options={
                'verbose_name': "nombre d'orientations par statut",
                'verbose_name_plural': "nombres d'orientations par statut",
                'constraints': [models.UniqueConstraint(fields=('scheme', 'status'), name='scheme_status_count_once')],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
