"""The copies of directorate, session date and sex on events (ADR 0007) follow their source.

The monthly figures read these copies instead of joining sessions and persons: a copy left
behind would move a person to the wrong month, DT or column of a report.
"""

import datetime
import importlib
import io
import types

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from parcours.indicators.catalogue import MONTHLY_REPORT
from parcours.indicators.definitions import get_report
from parcours.indicators.periods import Month, Period
from parcours.indicators.reports import compute_report
from parcours.people import services as people_services
from parcours.reception import facts, services
from parcours.reception.models import Convocation, EmploymentCheck
from tests.factories import PersonFactory, UserFactory, directorate
from tests.factories_indicators import ConvocationFactory
from tests.factories_reception import IN_EXPERIMENT, SessionFactory, metz_experiment
from tests.helpers import behind_the_back

pytestmark = pytest.mark.django_db

JANUARY, FEBRUARY = Month(2026, 1), Month(2026, 2)


def metz_figures(code, month, period=None):
    metz = directorate("metz")
    report = compute_report(get_report(MONTHLY_REPORT), [metz], period or Period.single(month))
    return report.monthly_table(code, metz.pk, month)


def test_convoking_and_the_cip_interview_copy_the_session_and_the_person():
    metz_experiment()
    session = SessionFactory(date=IN_EXPERIMENT)
    person = PersonFactory(sex="F")
    convocation = services.convoke(session, person, actor=None)
    convocation.refresh_from_db()
    assert (convocation.directorate_id, convocation.session_date, convocation.sex) == (
        session.directorate_id,
        IN_EXPERIMENT,
        "F",
    )
    services.record_attendance(convocation, "present", actor=None, today=IN_EXPERIMENT)
    check = services.record_employment_check(
        convocation, situation="job_seeker", actor=UserFactory()
    )
    check.refresh_from_db()
    assert (check.person_id, check.directorate_id, check.session_date, check.sex) == (
        person.pk,
        session.directorate_id,
        IN_EXPERIMENT,
        "F",
    )
    assert facts.stale_copies() == {"convocations": 0, "checks": 0, "contracts": 0}
    assert metz_figures("accompanied", JANUARY).get("F", "26-45") == 1


def test_a_corrected_sex_moves_the_person_to_the_right_column_of_the_report():
    person = PersonFactory(sex="H", birth_date=datetime.date(1990, 1, 1))
    ConvocationFactory(person=person, session__date=IN_EXPERIMENT)
    assert metz_figures("convoked", JANUARY).get("H", "26-45") == 1

    people_services.correct_identity(person, sex="F", actor=None, reason="Passeport relu")

    table = metz_figures("convoked", JANUARY)
    assert (table.get("H", "26-45"), table.get("F", "26-45")) == (0, 1)
    assert facts.stale_copies() == {"convocations": 0, "checks": 0, "contracts": 0}


def test_a_save_of_other_fields_does_not_touch_the_events():
    person = PersonFactory(sex="H")
    ConvocationFactory(person=person, session__date=IN_EXPERIMENT)
    behind_the_back(person, sex="F")
    people_services.edit_person(person, {"phone": "0612345678"}, actor=None)
    assert facts.stale_copies() == {"convocations": 1, "checks": 0, "contracts": 0}


def test_a_session_moved_to_another_month_takes_its_convocations_along():
    session = SessionFactory(date=datetime.date(2026, 1, 30))
    ConvocationFactory.create_batch(2, session=session, status="pending", age_at_event=30)
    services.update_session(
        session,
        date=datetime.date(2026, 2, 2),
        half_day=session.half_day,
        place=session.place,
        address=session.address,
        capacity=session.capacity,
        start_time=session.start_time,
    )
    both = Period(JANUARY, FEBRUARY)
    assert metz_figures("convoked", JANUARY, both).grand_total == 0
    assert metz_figures("convoked", FEBRUARY, both).grand_total == 2
    assert facts.stale_copies() == {"convocations": 0, "checks": 0, "contracts": 0}


def test_copies_changed_behind_the_application_are_found_and_repaired():
    person = PersonFactory(sex="H", birth_date=datetime.date(1990, 1, 1))
    convocation = ConvocationFactory(person=person, session__date=IN_EXPERIMENT)
    EmploymentCheck.objects.create(
        convocation=convocation, counsellor=UserFactory(), situation="cdi", in_scope=False
    )
    EmploymentCheck.objects.update(age_at_event=36)
    behind_the_back(person, sex="F")
    Convocation.objects.filter(pk=convocation.pk).update(session_date=datetime.date(2020, 1, 1))
    assert facts.stale_copies() == {"convocations": 1, "checks": 1, "contracts": 0}

    assert facts.repair_copies() == {"convocations": 1, "checks": 1, "contracts": 0}

    assert facts.stale_copies() == {"convocations": 0, "checks": 0, "contracts": 0}
    assert metz_figures("accompanied", JANUARY).get("F", "26-45") == 1


def test_the_migration_fills_the_copies_from_the_sessions_and_persons():
    """reception 0004 on this engine (PostgreSQL's UPDATE … FROM, or the portable subqueries)."""
    other = directorate("strasbourg")
    person = PersonFactory(sex="F")
    convocation = ConvocationFactory(person=person, session__date=IN_EXPERIMENT)
    EmploymentCheck.objects.create(
        convocation=convocation,
        counsellor=UserFactory(),
        situation="cdi",
        in_scope=False,
        age_at_event=convocation.age_at_event,
    )
    Convocation.objects.update(directorate=other, session_date=datetime.date(2020, 1, 1), sex="H")
    EmploymentCheck.objects.update(
        directorate=other, session_date=datetime.date(2020, 1, 1), sex="H", person=PersonFactory()
    )
    migration = importlib.import_module("parcours.reception.migrations.0004_backfill_event_facts")

    # The migration only needs the connection and `execute` of its schema editor (a real one
    # cannot open inside the test's transaction on SQLite).
    with connection.cursor() as cursor:
        editor = types.SimpleNamespace(connection=connection, execute=cursor.execute)
        migration.fill(apps, editor)

    assert facts.stale_copies() == {"convocations": 0, "checks": 0, "contracts": 0}


def test_the_command_reports_stale_copies_and_repairs_them():
    person = PersonFactory(sex="H")
    ConvocationFactory(person=person, session__date=IN_EXPERIMENT)
    behind_the_back(person, sex="F")
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("check_event_copies", stdout=out, stderr=io.StringIO())
    assert "convocations: 1" in out.getvalue()

    call_command("check_event_copies", "--repair", stdout=io.StringIO())

    assert facts.stale_copies() == {"convocations": 0, "checks": 0, "contracts": 0}
    call_command("check_event_copies", stdout=io.StringIO())  # nothing stale: no exit
