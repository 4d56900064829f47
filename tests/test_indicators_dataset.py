"""The benchmark dataset: deterministic, valid against every constraint, and re-runnable."""

import pytest
from django.db import transaction

from parcours.indicators.catalogue import MONTHLY_REPORT
from parcours.indicators.dataset import existing_persons, generate
from parcours.indicators.definitions import get_report
from parcours.indicators.periods import Period
from parcours.indicators.reports import compute_report
from parcours.people.models import Person
from parcours.reception.models import Convocation, EmploymentCheck
from parcours.referrals.models import Referral
from parcours.territories.models import Directorate

pytestmark = pytest.mark.django_db


def _sorted(rows):
    # Names repeat (homonyms, as in life) and a birth date may be unknown: sort as text.
    return sorted(rows, key=lambda row: tuple(str(value) for value in row))


def fingerprint():
    return (
        _sorted(
            Person.objects.values_list(
                "last_name", "first_names", "sex", "birth_date", "directorate__code"
            )
        ),
        _sorted(Convocation.objects.values_list("person__last_name", "session__date", "status")),
        _sorted(Referral.objects.values_list("person__last_name", "status")),
    )


class Rollback(Exception):
    pass


def test_the_same_size_gives_the_same_rows():
    try:
        with transaction.atomic():
            generate(400)
            first = fingerprint()
            raise Rollback
    except Rollback:
        pass
    assert not Person.objects.exists()
    generate(400)
    assert fingerprint() == first


def test_every_stage_of_the_pathway_is_present_and_a_second_run_adds_nothing():
    generate(1500)
    assert existing_persons() == 1500
    statuses = set(Convocation.objects.values_list("status", flat=True))
    assert {"present", "absent", "excused", "rescheduled"} <= statuses
    assert EmploymentCheck.objects.filter(registered_today=True).exists()
    assert EmploymentCheck.objects.filter(accompaniment="done").exists()
    assert {"sent", "refused", "entered", "completed", "dropped_out"} <= set(
        Referral.objects.values_list("status", flat=True)
    )
    counts = (Person.objects.count(), Convocation.objects.count(), Referral.objects.count())
    generate(1500)
    assert (Person.objects.count(), Convocation.objects.count(), Referral.objects.count()) == counts


def test_the_reports_read_the_dataset():
    generate(1500)
    report = compute_report(
        get_report(MONTHLY_REPORT), list(Directorate.objects.all()), Period.year(2019)
    )
    assert report.table("accompanied").grand_total > 1000
    assert report.table("convoked").grand_total >= report.table("present").grand_total


def test_names_repeat_as_in_life_so_a_search_meets_homonyms():
    generate(400)
    haddad = Person.objects.search("haddad")
    assert haddad.count() >= 5
    assert set(haddad.values_list("last_name", flat=True)) == {"HADDAD"}
