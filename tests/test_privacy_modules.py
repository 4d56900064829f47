"""Reception and referrals plug into the privacy module: history, retention, erasure."""

import datetime

import pytest

from parcours.people import services as people_services
from parcours.privacy.erasure import erasure_blockers
from parcours.privacy.history import acting_as, history_for
from parcours.privacy.retention import anonymise_person, expired_persons
from parcours.reception.models import AttendanceStatus, EmploymentCheck
from tests.factories import PersonFactory, UserFactory
from tests.factories_reception import ConvocationFactory
from tests.factories_referrals import make_referral

pytestmark = pytest.mark.django_db


def test_a_convocation_status_change_shows_in_the_person_history():
    convocation = ConvocationFactory()
    agent = UserFactory()
    with acting_as(agent):
        convocation.status = AttendanceStatus.ABSENT
        convocation.save()
    rows = history_for(convocation.person)
    assert [(row.before, row.after, row.user) for row in rows] == [
        ("Convoqué", "Absent", str(agent))
    ]


def test_a_referral_answer_is_in_the_person_history():
    referral = make_referral(state="sent")
    with acting_as(UserFactory()):
        referral.answer_comment = "Entretien prévu la semaine prochaine."
        referral.save()
    rows = history_for(referral.person)
    assert "Entretien prévu la semaine prochaine." in [row.after for row in rows]


def test_anonymisation_removes_referral_free_text_and_keeps_the_month():
    referral = make_referral(state="entered")
    referral.note = "Personne très motivée, a des enfants en bas âge."
    referral.entered_on = datetime.date(2026, 3, 17)
    referral.save()
    anonymise_person(referral.person)
    referral.refresh_from_db()
    assert referral.note == ""
    assert referral.entered_on == datetime.date(2026, 3, 1)
    assert referral.status == "entered"


def test_anonymisation_removes_the_ft_identifier_of_the_cip_interview():
    convocation = ConvocationFactory(present=True)
    check = EmploymentCheck.objects.create(
        convocation=convocation,
        counsellor=UserFactory(),
        situation="job_seeker",
        in_scope=True,
        registered_today=True,
        ft_identifier="1234567A",
        ft_registration_date=datetime.date(2026, 1, 27),
    )
    anonymise_person(convocation.person)
    check.refresh_from_db()
    assert check.ft_identifier == "ANONYME"
    assert check.ft_registration_date == datetime.date(2026, 1, 1)
    assert check.registered_today is True


def test_an_open_referral_blocks_erasure():
    referral = make_referral(state="sent")
    assert erasure_blockers(referral.person) == [
        "Une orientation est en cours auprès d'un partenaire."
    ]


def test_a_person_without_steps_has_no_blocker():
    assert erasure_blockers(PersonFactory()) == []


def test_a_recent_convocation_keeps_an_old_file_active():
    convocation = ConvocationFactory()
    person = convocation.person
    old = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    people_services.set_bookkeeping([person.pk], updated_at=old)
    assert person not in expired_persons()
    idle = PersonFactory()
    people_services.set_bookkeeping([idle.pk], updated_at=old)
    assert idle in expired_persons()
