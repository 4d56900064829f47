"""The kept referral counts per scheme, DT and status (issue 12: a DT's sent list).

The counts of 0008 gain the referral's DT: the triggers are replaced by ones keyed by
(scheme, DT, status), the rows are counted again, and the sent list's rows get their index.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

COUNTS = "referrals_schemestatuscount"
REFERRALS = "referrals_referral"
# The triggers of 0008, dropped first and created again when going back.
FIRST = importlib.import_module("parcours.referrals.migrations.0008_scheme_status_count")

KEY = "scheme_id, directorate_id, status"
POSTGRESQL = [
    f"""
    CREATE FUNCTION referrals_count_status() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE {COUNTS} SET number = number - 1
             WHERE scheme_id = OLD.scheme_id AND directorate_id = OLD.directorate_id
               AND status = OLD.status;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO {COUNTS} ({KEY}, number)
            VALUES (NEW.scheme_id, NEW.directorate_id, NEW.status, 1)
            ON CONFLICT ({KEY}) DO UPDATE SET number = {COUNTS}.number + 1;
        END IF;
        RETURN NULL;
    END $$
    """,
    f"""CREATE TRIGGER referrals_count_insert_delete AFTER INSERT OR DELETE ON {REFERRALS}
    FOR EACH ROW EXECUTE FUNCTION referrals_count_status()""",
    f"""CREATE TRIGGER referrals_count_update
    AFTER UPDATE OF status, scheme_id, directorate_id ON {REFERRALS}
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
                       OR OLD.scheme_id IS DISTINCT FROM NEW.scheme_id
                       OR OLD.directorate_id IS DISTINCT FROM NEW.directorate_id)
    EXECUTE FUNCTION referrals_count_status()""",
]
_ADD = (
    f"INSERT INTO {COUNTS} ({KEY}, number) VALUES (NEW.scheme_id, NEW.directorate_id, "
    f"NEW.status, 1) ON CONFLICT ({KEY}) DO UPDATE SET number = number + 1;"
)
_REMOVE = (
    f"UPDATE {COUNTS} SET number = number - 1 WHERE scheme_id = OLD.scheme_id "
    "AND directorate_id = OLD.directorate_id AND status = OLD.status;"
)
SQLITE = [
    f"CREATE TRIGGER referrals_count_insert AFTER INSERT ON {REFERRALS} BEGIN {_ADD} END",
    f"CREATE TRIGGER referrals_count_delete AFTER DELETE ON {REFERRALS} BEGIN {_REMOVE} END",
    f"""CREATE TRIGGER referrals_count_update
    AFTER UPDATE OF status, scheme_id, directorate_id ON {REFERRALS}
    WHEN OLD.status IS NOT NEW.status OR OLD.scheme_id IS NOT NEW.scheme_id
      OR OLD.directorate_id IS NOT NEW.directorate_id
    BEGIN {_REMOVE} {_ADD} END""",
]
FILL = (
    f"INSERT INTO {COUNTS} ({KEY}, number) "  # noqa: S608 (constant names)
    f"SELECT {KEY}, COUNT(*) FROM {REFERRALS} GROUP BY {KEY}"
)


def _empty(schema_editor) -> None:
    # TRUNCATE on PostgreSQL: a DELETE leaves deferred foreign-key checks pending, which forbid
    # the ALTER TABLE that follows in the same transaction.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"TRUNCATE {COUNTS}")
    else:
        schema_editor.execute(f"DELETE FROM {COUNTS}")  # noqa: S608 (a constant name)


def check_now(apps, schema_editor):
    """PostgreSQL checks the new foreign key at the commit (deferred): the pending check
    forbids the indexes that follow in this transaction, so it is run now."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def drop_triggers(apps, schema_editor):
    """The triggers (0008's or these: the same names) and their counts: the key changes."""
    FIRST.drop_triggers(apps, schema_editor)
    _empty(schema_editor)


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in POSTGRESQL if vendor == "postgresql" else SQLITE:
        schema_editor.execute(statement)
    schema_editor.execute(FILL)


class Migration(migrations.Migration):

    dependencies = [
        ("referrals", "0008_scheme_status_count"),
        ("territories", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, FIRST.create_triggers),
        migrations.RemoveConstraint(
            model_name="schemestatuscount",
            name="scheme_status_count_once",
        ),
        migrations.AddField(
            model_name="schemestatuscount",
            name="directorate",
            # No row holds it: the table was emptied above and is counted again below.
            field=models.ForeignKey(
                default=0,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="territories.directorate",
                verbose_name="direction territoriale",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(check_now, check_now),
        migrations.AddIndex(
            model_name="schemestatuscount",
            index=models.Index(fields=["directorate", "status"], name="scheme_count_dt_idx"),
        ),
        migrations.AddConstraint(
            model_name="schemestatuscount",
            constraint=models.UniqueConstraint(
                fields=("scheme", "directorate", "status"), name="scheme_dt_status_count_once"
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["directorate", "status", "created_at"], name="referral_dt_status_idx"
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
