"""Load the ROME referential shipped in data/ (France Travail, Licence Ouverte 2.0)."""

from django.db import migrations


def load(apps, schema_editor):
    from parcours.employment.loaders import load_rome

    load_rome(apps)


class Migration(migrations.Migration):
    dependencies = [("employment", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
