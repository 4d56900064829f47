"""The person file's timeline across sessions and DTs, and the reception demo data."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.people.timeline import timeline_for
from parcours.reception import services
from parcours.reception.models import Convocation, EmploymentCheck, ReceptionSession
from parcours.reception.rules import Bucket
from parcours.reception.summary import summary_for
from parcours.territories.models import Directorate
from tests.factories import PersonFactory, UserFactory, directorate
from tests.factories_reception import IN_EXPERIMENT, SessionFactory, metz_experiment

pytestmark = pytest.mark.django_db


def test_the_timeline_shows_the_pathway_across_sessions_and_directorates():
    metz_experiment()
    person = PersonFactory()
    strasbourg = SessionFactory(
        directorate=directorate("strasbourg"), date=datetime.date(2026, 1, 6), place="Kléber"
    )
    Convocation.objects.create(session=strasbourg, person=person, status="absent")
    convocation = services.convoke(SessionFactory(date=IN_EXPERIMENT), person, actor=None)
    services.record_attendance(convocation, "present", actor=None)
    auditor = UserFactory()
    services.record_positioning(
        convocation, written_level="a1", oral_level="a2", can_read=True, actor=auditor
    )
    services.record_interview(
        convocation, employment_status="job_seeker", accommodation="cph", actor=auditor
    )
    services.sign_contract(
        convocation,
        signed_on=IN_EXPERIMENT,
        civic_training_date=datetime.date(2026, 2, 10),
        actor=auditor,
    )
    services.decide_prescription(convocation, answer="accepted", actor=auditor)
    services.record_employment_check(
        convocation,
        situation="job_seeker",
        registered_today=True,
        ft_identifier="1234567A",
        first_appointment_date=datetime.date(2026, 2, 9),
        actor=auditor,
    )
    person.refresh_from_db()
    with CaptureQueriesContext(connection) as queries:
        titles = [(event.title, event.detail) for event in timeline_for(person)]
    assert len(queries) <= 3  # the file, its events, its changes of situation (issue 20)
    assert ("Journée d'accueil – Absent", f"DT Strasbourg, matin, {strasbourg.place}") in titles
    events = dict(titles)
    assert events["Positionnement linguistique : A1"] == "Écrit A1, oral A2"
    assert events["Signature du CIR"] == "Formation civique à partir du 10/02/2026"
    assert events["Formation linguistique : Formation proposée"] == (
        "Vers A2 (règle fle-2025-07) – en asynchrone (plateforme en ligne) – Acceptée"
    )
    assert events["Premier rendez-vous France Travail"] == "Accompagnement : pas encore connu"
    assert "Inscription à France Travail" in events


def test_the_demo_enters_the_27_january_day_of_seed_001_and_loads_twice():
    call_command("load_demo")
    counts = (ReceptionSession.objects.count(), Convocation.objects.count())
    call_command("load_demo")
    assert (ReceptionSession.objects.count(), Convocation.objects.count()) == counts
    metz = Directorate.objects.get(code="metz")
    day = datetime.date(2026, 1, 27)
    summary = summary_for(metz.pk, first=day, last=day)
    assert (summary.counts[Bucket.CDI], summary.counts[Bucket.CDD]) == (8, 4)
    assert (summary.counts[Bucket.TRAINING], summary.counts[Bucket.RSA]) == (1, 1)
    assert (summary.counts[Bucket.ALREADY_FT], summary.counts[Bucket.NOT_REGISTERED]) == (3, 4)
    assert (summary.registered_today, summary.total) == (4, 21)
    assert EmploymentCheck.objects.filter(registered_today=True).count() == 4
    for code in ("metz", "strasbourg"):
        assert ReceptionSession.objects.filter(directorate__code=code, date__gt=day).exists(), code
