"""Load regions, départements, OFII directorates and INSEE countries (data/)."""

from django.db import migrations


def load(apps, schema_editor):
    from parcours.territories.loaders import load_territories

    load_territories(apps)


class Migration(migrations.Migration):
    dependencies = [("territories", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
