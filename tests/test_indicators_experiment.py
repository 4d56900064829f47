"""The experiment's monthly indicators (seed 001) and PFA attendance, on hand-built records."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.indicators.bands import UNKNOWN_AGE
from parcours.indicators.catalogue import MONTHLY_REPORT
from parcours.indicators.definitions import get_report
from parcours.indicators.periods import Month, Period
from parcours.indicators.reports import compute_report
from parcours.indicators.tables import TOTAL
from parcours.reception.models import AttendanceStatus
from parcours.territories.models import Directorate
from tests.factories import PersonFactory, directorate
from tests.factories_indicators import (
    ConvocationFactory,
    SessionFactory,
    accompanied,
    born,
    check_on,
)

pytestmark = pytest.mark.django_db

JAN_27 = datetime.date(2026, 1, 27)
JANUARY = Month(2026, 1)
FEBRUARY = Month(2026, 2)


def monthly(month=JANUARY, dt="metz", period=None):
    metz = directorate(dt)
    report = compute_report(get_report(MONTHLY_REPORT), [metz], period or Period.single(month))
    return lambda code, m=month: report.monthly_table(code, metz.pk, m)


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (25, "0-25"),
        (26, "26-45"),
        (45, "26-45"),
        (46, "46-64"),
        (64, "46-64"),
        (65, "65+"),
    ],
)
def test_a_person_is_counted_in_the_band_of_their_age_on_the_interview_day(age, band):
    check_on(JAN_27, person=PersonFactory(birth_date=born(age, JAN_27), sex="F"))
    table = monthly()("accompanied")
    assert table.get("F", band) == 1
    assert table.grand_total == 1


def test_the_day_before_a_birthday_still_counts_in_the_younger_band():
    birth = born(26, JAN_27) + datetime.timedelta(days=1)  # 26 tomorrow
    check_on(JAN_27, person=PersonFactory(birth_date=birth, sex="H"))
    assert monthly()("accompanied").get("H", "0-25") == 1


def test_unknown_sex_and_unknown_birth_date_are_counted_not_dropped():
    check_on(JAN_27, person=PersonFactory(sex="X", birth_date=born(30, JAN_27)))
    check_on(JAN_27, person=PersonFactory(sex="F", birth_date=None))
    table = monthly()("accompanied")
    assert table.get("X", "26-45") == 1
    assert table.get("F", UNKNOWN_AGE) == 1
    assert table.grand_total == 2


def test_a_person_seen_twice_in_a_month_counts_once():
    person = PersonFactory()
    check_on(datetime.date(2026, 1, 6), person=person)
    check_on(JAN_27, person=person)
    assert monthly()("accompanied").grand_total == 1


def test_a_person_seen_in_two_months_counts_in_each_month_and_twice_over_both():
    person = PersonFactory(sex="H", birth_date=born(40, JAN_27))
    check_on(JAN_27, person=person)
    check_on(datetime.date(2026, 2, 10), person=person)
    table = monthly(period=Period(JANUARY, FEBRUARY))
    assert table("accompanied", JANUARY).grand_total == 1
    assert table("accompanied", FEBRUARY).grand_total == 1
    report = compute_report(
        get_report(MONTHLY_REPORT), [directorate("metz")], Period(JANUARY, FEBRUARY)
    )
    assert report.table("accompanied").get("H", "26-45") == 2


def test_accompanied_counts_people_out_of_scope_too():
    check_on(JAN_27, situation="cdi")
    check_on(JAN_27, situation="student")
    check_on(JAN_27, situation="job_seeker")
    assert monthly()("accompanied").grand_total == 3


def test_already_registered_counts_people_in_scope_not_on_rsa_nor_agir():
    check_on(JAN_27, already_ft=True)
    check_on(JAN_27, already_ft=True, rsa_recipient=True)  # counted with RSA/AGIR instead
    check_on(JAN_27, situation="cdd", already_ft=True)  # not concerned
    table = monthly()
    assert table("already_ft").grand_total == 1
    assert table("rsa_or_agir").grand_total == 1


def test_rsa_or_agir_counts_a_person_with_both_once():
    check_on(JAN_27, rsa_recipient=True, agir_followed=True)
    check_on(JAN_27, agir_followed=True)
    assert monthly()("rsa_or_agir").grand_total == 2


def test_registered_by_the_cip_counts_registrations_made_during_the_interview():
    check_on(JAN_27, registered=True)
    check_on(JAN_27)
    assert monthly()("registered_by_cip").grand_total == 1


def test_an_accompaniment_counts_in_the_month_it_took_place():
    check = check_on(JAN_27, person=PersonFactory(birth_date=born(26, datetime.date(2026, 2, 3))))
    accompanied(check, datetime.date(2026, 2, 3))
    check_on(JAN_27)  # appointment not accompanied: never counted
    table = monthly(period=Period(JANUARY, FEBRUARY))
    assert table("first_appointment_accompanied", JANUARY).grand_total == 0
    february = table("first_appointment_accompanied", FEBRUARY)
    assert february.grand_total == 1
    assert february.get("F", "26-45") == 1  # 26 on the day of the accompaniment


def test_figures_belong_to_the_directorate_of_the_session():
    check_on(JAN_27, dt="metz")
    check_on(JAN_27, dt="strasbourg", person=PersonFactory())
    assert monthly()("accompanied").grand_total == 1
    assert monthly(dt="strasbourg")("accompanied").grand_total == 1


def test_attendance_counts_convocations_by_status_and_leaves_rescheduled_out():
    session = SessionFactory(date=JAN_27)
    later = SessionFactory(date=datetime.date(2026, 2, 3))
    for status in ["present", "present", "absent", "excused", "pending"]:
        ConvocationFactory(session=session, status=status)
    ConvocationFactory(session=session, status=AttendanceStatus.RESCHEDULED, rescheduled_to=later)
    table = monthly()
    assert table("convoked").grand_total == 5
    assert table("present").grand_total == 2
    assert table("absent").grand_total == 1
    assert table("excused").grand_total == 1
    assert table("attendance_unrecorded").grand_total == 1


def test_totals_equal_the_sum_of_the_cells():
    for age, sex in [(20, "F"), (30, "H"), (50, "X"), (70, "F"), (None, "H")]:
        birth = born(age, JAN_27) if age is not None else None
        check_on(JAN_27, person=PersonFactory(sex=sex, birth_date=birth))
    table = monthly()("accompanied")
    assert table.grand_total == 5
    assert sum(table.row_total(r) for r in table.row_codes) == table.value(TOTAL, TOTAL)
    assert sum(table.column_total(c) for c in table.column_codes) == 5


def _queries_for(directorates, period):
    """(statements run, of which SELECTs): transaction control and settings aside, one read."""
    with CaptureQueriesContext(connection) as queries:
        compute_report(get_report(MONTHLY_REPORT), directorates, period)
    selects = [
        q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
    ]
    return len(queries), len(selects)


def test_the_report_runs_one_query_whatever_the_directorates_months_and_cells():
    check_on(JAN_27)
    small = _queries_for([directorate("metz")], Period.single(JANUARY))
    for day, dt in [
        (datetime.date(2026, 3, 3), "metz"),
        (datetime.date(2026, 5, 5), "strasbourg"),
        (datetime.date(2026, 7, 7), "amiens"),
        (datetime.date(2026, 9, 9), "reims"),
    ]:
        for age in (20, 30, 50, 70):
            check_on(day, dt=dt, person=PersonFactory(birth_date=born(age, day)))
    big = _queries_for(list(Directorate.objects.all()), Period.year(2026))
    assert small == big
    assert big[1] == 1


def test_the_indexes_the_reports_need_exist():
    # SQLite rebuilds a table when a column changes: declared indexes must survive that.
    with connection.cursor() as cursor:
        checks = connection.introspection.get_constraints(cursor, "reception_employmentcheck")
        contracts = connection.introspection.get_constraints(cursor, "reception_contract")
        convocations = connection.introspection.get_constraints(cursor, "reception_convocation")
    assert checks["reception_check_accompanied"]["columns"] == ["accompaniment_date"]
    assert checks["reception_check_dt_day"]["columns"] == ["directorate_id", "session_date"]
    assert convocations["reception_convocation_dt_day"]["columns"] == [
        "directorate_id",
        "session_date",
    ]
    assert contracts["reception_contract_signed"]["columns"] == ["signed_on"]
