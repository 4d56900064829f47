"""The 27 January 2026 day of DOMAIN.md (seed 001), entered through the reception services,
gives the January 2026 report of DT Metz by sex and age band, with consistent totals."""

import datetime

import pytest

from parcours.indicators.catalogue import MONTHLY_REPORT
from parcours.indicators.definitions import get_report
from parcours.indicators.periods import Month, Period
from parcours.indicators.reports import compute_report
from parcours.indicators.tables import TOTAL
from parcours.organisations.roles import Role
from parcours.reception import services
from parcours.reception.models import CipExperiment
from tests.factories import PersonFactory, directorate, membership_for
from tests.factories_indicators import born

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 1, 27)

# Seed 001: "8 CDI, 4 CDD, 1 personne en formation, 1 allocataire du RSA, 3 inscrits à FT et
# donc 4 personnes non inscrites" (the CIP registered those 4). Sexes and ages are ours: the
# seed gives none, so they are chosen to put people on every band boundary.
PEOPLE = [
    # (situation, already FT, RSA, registered by the CIP, sex, age on the day)
    *[
        ("cdi", False, False, False, sex, age)
        for sex, age in [
            ("F", 30),
            ("H", 28),
            ("H", 35),
            ("F", 47),
            ("H", 52),
            ("F", 24),
            ("H", 25),
            ("X", 40),
        ]
    ],
    *[
        ("cdd", False, False, False, sex, age)
        for sex, age in [("F", 26), ("H", 45), ("H", 46), ("F", None)]
    ],
    ("vocational_training", False, False, False, "H", 19),
    ("job_seeker", False, True, False, "F", 38),
    *[
        ("job_seeker", True, False, False, sex, age)
        for sex, age in [("H", 33), ("F", 64), ("H", 65)]
    ],
    *[
        ("job_seeker", False, False, True, sex, age)
        for sex, age in [("F", 22), ("H", 29), ("H", 41), ("F", 58)]
    ],
]

EXPECTED = {
    # indicator: {(sex, band): count}
    "accompanied": {
        ("F", "0-25"): 2,
        ("F", "26-45"): 3,
        ("F", "46-64"): 3,
        ("F", "unknown"): 1,
        ("H", "0-25"): 2,
        ("H", "26-45"): 6,
        ("H", "46-64"): 2,
        ("H", "65+"): 1,
        ("X", "26-45"): 1,
    },
    "already_ft": {("H", "26-45"): 1, ("F", "46-64"): 1, ("H", "65+"): 1},
    "rsa_or_agir": {("F", "26-45"): 1},
    "registered_by_cip": {("F", "0-25"): 1, ("H", "26-45"): 2, ("F", "46-64"): 1},
    "first_appointment_accompanied": {},
    "convoked": None,  # same cells as "accompanied": everyone convoked came and was seen
    "present": None,
    "absent": {},
    "excused": {},
    "attendance_unrecorded": {},
}


def enter_the_day():
    metz = directorate("metz")
    # The seed's experiment period (may already be loaded as reference data).
    CipExperiment.objects.get_or_create(
        directorate=metz,
        starts_on=datetime.date(2025, 12, 8),
        defaults={"name": "Expérimentation CIP – AGIR 57", "ends_on": datetime.date(2026, 11, 30)},
    )
    agent = membership_for(Role.RECEPTION_AGENT).user
    cip = membership_for(Role.PARTNER_COUNSELLOR).user
    session = services.plan_session(
        metz, date=DAY, half_day="morning", place="Salle Lafayette", capacity=24, actor=agent
    )
    persons = [
        PersonFactory(sex=sex, birth_date=born(age, DAY) if age is not None else None)
        for *_flags, sex, age in PEOPLE
    ]
    convocations = services.convoke_many(session, persons, actor=agent)
    for index, (convocation, row) in enumerate(zip(convocations, PEOPLE, strict=True)):
        situation, already_ft, rsa, registered, _sex, _age = row
        services.record_attendance(convocation, "present", actor=agent, today=DAY)
        services.record_employment_check(
            convocation,
            situation=situation,
            already_ft=already_ft,
            rsa_recipient=rsa,
            registered_today=registered,
            ft_identifier=f"{index:07d}A" if registered else "",
            actor=cip,
        )
    return metz


def test_the_27_january_day_gives_the_january_report_of_dt_metz():
    metz = enter_the_day()
    january = Month(2026, 1)
    report = compute_report(get_report(MONTHLY_REPORT), [metz], Period.single(january))
    for code, cells in EXPECTED.items():
        table = report.monthly_table(code, metz.pk, january)
        expected = EXPECTED["accompanied"] if cells is None else cells
        assert {k: v for k, v in table.cells.items() if v} == expected, code
    accompanied = report.monthly_table("accompanied", metz.pk, january)
    assert accompanied.grand_total == 21
    assert [accompanied.row_total(sex) for sex in ("F", "H", "X")] == [9, 11, 1]
    assert accompanied.value(TOTAL, "26-45") == 10
    assert report.monthly_table("registered_by_cip", metz.pk, january).grand_total == 4
    assert report.monthly_table("already_ft", metz.pk, january).grand_total == 3
    assert report.monthly_table("rsa_or_agir", metz.pk, january).grand_total == 1


def test_the_day_counts_nowhere_else():
    metz = enter_the_day()
    report = compute_report(
        get_report(MONTHLY_REPORT),
        [metz, directorate("strasbourg")],
        Period(Month(2025, 12), Month(2026, 2)),
    )
    assert report.table("accompanied", months=[Month(2025, 12), Month(2026, 2)]).grand_total == 0
    assert report.table("accompanied", [directorate("strasbourg").pk]).grand_total == 0
