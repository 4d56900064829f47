"""Issue 13: each attendance change names the declared transition it applied (states.py)."""

from django.db import migrations, models

# (from, to) → name, as declared in reception/states.py when this migration was written.
NAMES = {
    ("", "pending"): "convoke",
    ("pending", "present"): "mark_present",
    ("absent", "present"): "mark_present",
    ("excused", "present"): "mark_present",
    ("pending", "absent"): "mark_absent",
    ("present", "absent"): "mark_absent",
    ("excused", "absent"): "mark_absent",
    ("pending", "excused"): "excuse",
    ("present", "excused"): "excuse",
    ("absent", "excused"): "excuse",
    ("present", "pending"): "reset",
    ("absent", "pending"): "reset",
    ("excused", "pending"): "reset",
    ("pending", "rescheduled"): "reschedule",
    ("absent", "rescheduled"): "reschedule",
    ("excused", "rescheduled"): "reschedule",
}


def fill(apps, schema_editor):
    ConvocationTransition = apps.get_model("reception", "ConvocationTransition")
    for (source, target), name in NAMES.items():
        ConvocationTransition.objects.filter(from_status=source, to_status=target).update(
            name=name
        )


class Migration(migrations.Migration):
    dependencies = [("reception", "0009_frozen_facts_on_cir_and_accompaniment")]

    operations = [
        migrations.AddField(
            model_name="convocationtransition",
            name="name",
            field=models.CharField(
                choices=[
                    ("convoke", "Convocation"),
                    ("mark_present", "Présence"),
                    ("mark_absent", "Absence"),
                    ("excuse", "Absence excusée"),
                    ("reset", "Retour à « convoqué »"),
                    ("reschedule", "Report à une autre session"),
                ],
                default="",
                max_length=20,
                verbose_name="transition",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
