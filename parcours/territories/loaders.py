"""Load the territorial reference tables of data/ into the database, idempotently.

Used by the data migration (with the historical app registry) and by the
`load_territories` command, so a fresh database and a refresh give the same rows.
"""

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_territories(apps=None) -> dict:
    """Create or update regions, départements, directorates and countries; return counts."""
    if apps is None:
        from django.apps import apps
    Region = apps.get_model("territories", "Region")
    Department = apps.get_model("territories", "Department")
    Directorate = apps.get_model("territories", "Directorate")
    Country = apps.get_model("territories", "Country")

    regions = {}
    for row in _rows("regions.csv"):
        regions[row["code"]], _ = Region.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"]}
        )
    departments = {}
    for row in _rows("departments.csv"):
        departments[row["code"]], _ = Department.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "region": regions[row["region"]]}
        )
    directorate_count = 0
    pending_moves: list[tuple[str, str]] = []
    for row in _rows("directorates.csv"):
        directorate, _ = Directorate.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "region": regions[row["region"]],
                "address": row["address"],
                "phone": row["phone"],
                "email": row["email"],
            },
        )
        codes = row["departments"].split()
        # Issue 13: a département already attached to a DT is never moved silently here (its
        # persons would stay with the old DT); `manage.py move_department` does it, logged.
        Department.objects.filter(code__in=codes, directorate__isnull=True).update(
            directorate=directorate
        )
        pending_moves.extend(
            (code, row["code"])
            for code in Department.objects.filter(code__in=codes)
            .exclude(directorate=directorate)
            .values_list("code", flat=True)
        )
        directorate_count += 1
    existing = set(Country.objects.values_list("insee_code", "name"))
    new_countries = [
        Country(insee_code=row["insee_code"], name=row["name"], group=int(row["group"]))
        for row in _rows("countries_insee.csv")
        if (row["insee_code"], row["name"]) not in existing
    ]
    Country.objects.bulk_create(new_countries)
    if any(field.name == "label" for field in Country._meta.get_fields()):
        update_country_labels(apps)
    return {
        "regions": len(regions),
        "departments": len(departments),
        "directorates": directorate_count,
        "countries": Country.objects.count(),
        # (département code, DT code) the reference data attach elsewhere: to move explicitly.
        "pending_moves": pending_moves,
    }


def update_country_labels(apps=None) -> int:
    """Give each country its French name and current/historical flag from the data file.

    Issue 16: the file's `label` is the name as printed (accents, usual form: « Algérie »,
    « Macédoine du Nord »); `current` is 0 for states and territories that no longer exist,
    which the person form offers only to the records that already hold them.
    """
    if apps is None:
        from django.apps import apps
    Country = apps.get_model("territories", "Country")
    wanted = {
        (row["insee_code"], row["name"]): (row.get("label", ""), row.get("current", "1") != "0")
        for row in _rows("countries_insee.csv")
    }
    changed = []
    for country in Country.objects.all():
        label, is_current = wanted.get((country.insee_code, country.name), (country.label, True))
        if (country.label, country.is_current) != (label, is_current):
            country.label, country.is_current = label, is_current
            changed.append(country)
    Country.objects.bulk_update(changed, ["label", "is_current"])
    return len(changed)
