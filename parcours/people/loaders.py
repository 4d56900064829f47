"""Load the people reference tables (languages) idempotently, for migrations and tests."""

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "languages.csv"


def load_languages(apps=None) -> int:
    if apps is None:
        from django.apps import apps
    Language = apps.get_model("people", "Language")
    with DATA.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        Language.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "is_rtl": row["rtl"] == "1"}
        )
    return len(rows)
