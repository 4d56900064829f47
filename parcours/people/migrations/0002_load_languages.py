"""Load the languages most spoken by CIR signatories (data/languages.csv)."""

from django.db import migrations


def load(apps, schema_editor):
    from parcours.people.loaders import load_languages

    load_languages(apps)


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
