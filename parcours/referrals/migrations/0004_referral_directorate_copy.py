"""Issue 13 (ADR 0013): each referral keeps the DT that followed the person when it was made."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    Person = apps.get_model("people", "Person")
    person = Person.objects.filter(pk=OuterRef("person_id"))
    Referral.objects.update(directorate=Subquery(person.values("directorate")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0003_scheme_text_limits_and_phone_check"),
        ("territories", "0002_load_reference_data"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="directorate",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="territories.directorate",
                verbose_name="direction territoriale",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="referral",
            name="directorate",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="territories.directorate",
                verbose_name="direction territoriale",
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(fields=["directorate", "sent_at"], name="referral_dt_sent_idx"),
        ),
    ]
