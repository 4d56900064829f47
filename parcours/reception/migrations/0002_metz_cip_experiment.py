"""The CIP experiment of DT Metz (seed 001): subsidy agreement 8 Dec 2025 – 30 Nov 2026."""

import datetime

from django.db import migrations


def add_metz_experiment(apps, schema_editor):
    Directorate = apps.get_model("territories", "Directorate")
    CipExperiment = apps.get_model("reception", "CipExperiment")
    metz = Directorate.objects.filter(code="metz").first()
    if metz is None:
        return
    CipExperiment.objects.get_or_create(
        directorate=metz,
        starts_on=datetime.date(2025, 12, 8),
        defaults={
            "name": "Expérimentation CIP – AGIR 57 (AMLI), DT Metz",
            "ends_on": datetime.date(2026, 11, 30),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("reception", "0001_initial")]

    operations = [migrations.RunPython(add_metz_experiment, migrations.RunPython.noop)]
