"""Issue 12 (ADR 0022): each referral change keeps its referral's person, for the contact
losses. Added nullable, filled with one UPDATE (… FROM on PostgreSQL), then required and
indexed with the change's time.

Self-contained: the statements are written here, not imported from run-time code.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE referrals_referraltransition AS t SET person_id = r.person_id "
            "FROM referrals_referral AS r WHERE r.id = t.referral_id "
            "AND t.person_id IS DISTINCT FROM r.person_id"
        )
        return
    ReferralTransition = apps.get_model("referrals", "ReferralTransition")
    Referral = apps.get_model("referrals", "Referral")
    referral = Referral.objects.filter(pk=OuterRef("referral_id"))
    ReferralTransition.objects.update(person=Subquery(referral.values("person")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0005_scheme_kind_job_position"),
        ("people", "0014_person_list_index_on_upper_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="referraltransition",
            name="person",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="people.person",
                verbose_name="personne",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="referraltransition",
            name="person",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="people.person",
                verbose_name="personne",
            ),
        ),
        migrations.AddIndex(
            model_name="referraltransition",
            index=models.Index(fields=["at", "person"], name="referral_transition_at_person"),
        ),
    ]
