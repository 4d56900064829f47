"""Reference data: regions, départements and the perimeters of OFII directorates."""

import pytest
from django.core.management import call_command

from parcours.territories.models import Country, Department, Directorate, Region


@pytest.mark.django_db
def test_every_department_of_metropolitan_france_and_overseas_is_loaded():
    assert Region.objects.count() == 18
    assert Department.objects.count() == 101
    assert set(
        Department.objects.filter(code__in=["2A", "2B", "971", "976"]).values_list(
            "code", flat=True
        )
    ) == {"2A", "2B", "971", "976"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "departments"),
    [
        ("strasbourg", ["67", "68"]),
        ("amiens", ["02", "60", "80"]),
        ("metz", ["54", "55", "57", "88"]),
        ("reims", ["08", "10", "51", "52"]),
    ],
)
def test_directorate_perimeters_are_lists_of_departments(code, departments):
    assert Directorate.objects.get(code=code).department_codes == departments


@pytest.mark.django_db
def test_a_department_belongs_to_one_directorate_at_most():
    strasbourg = Directorate.objects.get(code="strasbourg")
    metz = Directorate.objects.get(code="metz")
    moselle = Department.objects.get(code="57")
    moselle.directorate = strasbourg
    moselle.save()
    assert "57" in strasbourg.department_codes
    assert "57" not in metz.department_codes


@pytest.mark.django_db
def test_reloading_reference_data_is_idempotent():
    before = (Region.objects.count(), Department.objects.count(), Country.objects.count())
    call_command("load_territories")
    assert (Region.objects.count(), Department.objects.count(), Country.objects.count()) == before


@pytest.mark.django_db
def test_countries_keep_homonym_codes_apart():
    assert Country.objects.filter(insee_code="411").count() == 2
    assert Country.objects.filter(name="AFGHANISTAN").exists()
