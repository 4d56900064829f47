"""Load the languages most spoken by CIR signatories (data/languages.csv)."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "languages.csv"


def load(apps, schema_editor):
    Language = apps.get_model("people", "Language")
    with DATA.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            Language.objects.update_or_create(
                code=row["code"], defaults={"name": row["name"], "is_rtl": row["rtl"] == "1"}
            )


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
