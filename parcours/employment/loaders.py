"""Load the ROME referential (data/, France Travail, Licence Ouverte 2.0) idempotently."""

import csv
from pathlib import Path

from parcours.employment.search import normalise

DATA = Path(__file__).resolve().parent / "data"


def _rows(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_rome(apps=None) -> tuple[int, int]:
    """Create or update the 532 occupations and 11,061 job titles; returns both counts."""
    if apps is None:
        from django.apps import apps
    Occupation = apps.get_model("employment", "Occupation")
    JobTitle = apps.get_model("employment", "JobTitle")
    occupations = [
        Occupation(code=row["rome_code"], label=row["label"], family=row["rome_code"][:3])
        for row in _rows("rome_occupations.csv")
    ]
    Occupation.objects.bulk_create(
        occupations,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["label", "family"],
        batch_size=500,
    )
    titles = [
        JobTitle(
            ogr_code=int(row["ogr_code"]),
            label=row["label"],
            occupation_id=row["rome_code"],
            search_key=normalise(row["label"]),
        )
        for row in _rows("rome_job_titles.csv")
    ]
    JobTitle.objects.bulk_create(
        titles,
        update_conflicts=True,
        unique_fields=["ogr_code"],
        update_fields=["label", "occupation", "search_key"],
        batch_size=1000,
    )
    return len(occupations), len(titles)
