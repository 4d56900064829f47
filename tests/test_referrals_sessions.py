"""Information sessions (CFP02, seed 004): who to invite, volunteers, interview, referral."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from parcours.organisations.roles import OrganisationKind, Role
from parcours.people.models import Person
from parcours.referrals.courses import (
    CourseEnd,
    courses_ending,
    estimated_end,
    register_source,
    unregister_source,
)
from parcours.referrals.models import InformationSession, InformationSessionAttendee, Referral
from parcours.referrals.states import ReferralStatus as S
from parcours.territories.models import Department
from tests.factories import MembershipFactory, OrganisationFactory, PersonFactory
from tests.factories_referrals import InformationSessionFactory, SchemeFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

CFP02 = "CFP02 – Centre de formation personnalisée de l'Aisne"


def test_a_course_end_is_estimated_from_the_prescribed_hours():
    # 30 days before the first lesson, then 100 h at 12 h a week: 9 weeks.
    assert estimated_end(datetime.date(2026, 1, 5), 100) == datetime.date(2026, 4, 8)
    assert estimated_end(datetime.date(2026, 1, 5), 12) == datetime.date(2026, 2, 11)


def test_courses_ending_come_from_the_reception_days_prescriptions():
    from parcours.reception.models import LanguagePrescription
    from tests.factories_reception import ConvocationFactory

    aisne = Department.objects.get(code="02")
    decided = timezone.localdate() - datetime.timedelta(days=60)

    def prescribe(person, hours, kind="mandatory", answer=""):
        LanguagePrescription.objects.create(
            person=person,
            convocation=ConvocationFactory(person=person),
            decided_on=decided,
            rule_version="test",
            level="a1",
            target_level="a2",
            hours=hours,
            kind=kind,
            answer=answer,
            proposed_modality="in_person",
            modality="in_person",
            decided_by=MembershipFactory().user,
        )

    ending = PersonFactory(department=aisne)
    prescribe(ending, 24)  # ends 30 + 14 days after the decision: 16 days ago
    declined = PersonFactory(department=aisne)
    prescribe(declined, 24, kind="proposed", answer="declined")
    elsewhere = PersonFactory()  # Moselle
    prescribe(elsewhere, 24)
    later = PersonFactory(department=aisne)
    prescribe(later, 400)
    today = timezone.localdate()
    courses = courses_ending([aisne.pk], today - datetime.timedelta(days=30), today)
    assert [c.person_id for c in courses] == [ending.pk]
    assert courses[0].ends_on == decided + datetime.timedelta(days=44)


@pytest.fixture
def courses():
    """A stand-in source of course ends, registered for the test only."""
    known: list[CourseEnd] = []

    def source(department_ids, start, end):
        return [c for c in known if start <= c.ends_on <= end]

    register_source(source)
    yield known
    unregister_source(source)


@pytest.fixture
def cfp02():
    organisation = OrganisationFactory(name=CFP02, kind=OrganisationKind.TRAINING)
    organisation.departments.set(Department.objects.filter(code="02"))
    membership = MembershipFactory(organisation=organisation, role=Role.PARTNER_COUNSELLOR)
    client = Client()
    client.force_login(membership.user)
    client.membership = membership
    return client


def _venue():
    venue = OrganisationFactory(
        name="Centre de formation linguistique de Laon", kind=OrganisationKind.TRAINING
    )
    venue.departments.set(Department.objects.filter(code="02"))
    return venue


def test_a_partner_plans_a_session_and_sees_whose_course_ends_in_its_window(cfp02, courses):
    scheme = SchemeFactory(organisation=cfp02.membership.organisation, served=["02"])
    venue = _venue()
    today = timezone.localdate()
    response = cfp02.post(
        "/seances-information/nouvelle/",
        {
            "venue": venue.pk,
            "date": today + datetime.timedelta(days=7),
            "start_time": "14:00",
            "schemes": [scheme.pk],
            "courses_ending_from": today,
            "courses_ending_until": today + datetime.timedelta(days=30),
        },
        follow=True,
    )
    session = InformationSession.objects.get()
    assert response.request["PATH_INFO"] == f"/seances-information/{session.pk}/"
    soon = PersonFactory(last_name="BIENTOT", department=Department.objects.get(code="02"))
    late = PersonFactory(last_name="PLUSTARD", department=Department.objects.get(code="02"))
    courses.append(CourseEnd(soon.pk, today + datetime.timedelta(days=10), 100))
    courses.append(CourseEnd(late.pk, today + datetime.timedelta(days=90), 400))
    text = page_text(cfp02.get(f"/seances-information/{session.pk}/"))
    assert "BIENTOT" in text and "PLUSTARD" not in text


def test_a_session_window_in_the_wrong_order_is_refused(cfp02):
    today = timezone.localdate()
    response = cfp02.post(
        "/seances-information/nouvelle/",
        {
            "venue": _venue().pk,
            "date": today,
            "start_time": "14:00",
            "courses_ending_from": today,
            "courses_ending_until": today - datetime.timedelta(days=1),
        },
    )
    assert response.status_code == 400
    assert "La fin de période doit suivre son début." in page_text(response)
    assert not InformationSession.objects.exists()


def _session_with_candidate(cfp02, courses, **person):
    organisation = cfp02.membership.organisation
    scheme = SchemeFactory(organisation=organisation, served=["02"], name="Insertion sociale")
    session = InformationSessionFactory(organisation=organisation, venue=_venue())
    session.schemes.set([scheme])
    candidate = PersonFactory(department=Department.objects.get(code="02"), **person)
    courses.append(CourseEnd(candidate.pk, session.date, 100))
    return session, scheme, candidate


def test_a_volunteer_is_interviewed_then_referred_from_the_session(cfp02, courses):
    session, scheme, candidate = _session_with_candidate(cfp02, courses)
    base = f"/seances-information/{session.pk}/participants/"
    cfp02.post(base, {"person": candidate.pk})
    attendee = InformationSessionAttendee.objects.get()
    today = timezone.localdate().isoformat()
    cfp02.post(f"{base}{attendee.pk}/", {"volunteered": "on", "interviewed_on": today})
    attendee.refresh_from_db()
    assert attendee.volunteered and attendee.interviewed_by == cfp02.membership.user
    assert not Person.objects.visible_to(cfp02.membership).exists()
    response = cfp02.post(
        f"{base}{attendee.pk}/orienter/", {"scheme": scheme.pk, "consent": "on"}, follow=True
    )
    referral = Referral.objects.get()
    assert response.request["PATH_INFO"] == f"/orientations/{referral.pk}/"
    assert (referral.status, referral.origin, referral.information_session) == (
        S.SENT,
        "information_session",
        session,
    )
    attendee.refresh_from_db()
    assert attendee.referral == referral
    assert list(Person.objects.visible_to(cfp02.membership)) == [candidate]


def test_no_referral_before_the_personal_interview_of_a_volunteer(cfp02, courses):
    session, scheme, candidate = _session_with_candidate(cfp02, courses)
    attendee = InformationSessionAttendee.objects.create(session=session, person=candidate)
    response = cfp02.post(
        f"/seances-information/{session.pk}/participants/{attendee.pk}/orienter/",
        {"scheme": scheme.pk, "consent": "on"},
        follow=True,
    )
    assert "après l'entretien individuel d'un volontaire" in page_text(response)
    assert not Referral.objects.exists()


def test_an_interview_without_volunteering_is_refused(cfp02, courses):
    session, _scheme, candidate = _session_with_candidate(cfp02, courses)
    attendee = InformationSessionAttendee.objects.create(session=session, person=candidate)
    response = cfp02.post(
        f"/seances-information/{session.pk}/participants/{attendee.pk}/",
        {"interviewed_on": timezone.localdate().isoformat()},
        follow=True,
    )
    assert "Seul un volontaire a un entretien individuel." in page_text(response)
    attendee.refresh_from_db()
    assert attendee.interviewed_on is None


def test_only_signatories_whose_course_ends_can_be_added(cfp02, courses):
    session, _scheme, _candidate = _session_with_candidate(cfp02, courses)
    stranger = PersonFactory()
    response = cfp02.post(
        f"/seances-information/{session.pk}/participants/", {"person": stranger.pk}
    )
    assert response.status_code == 400
    assert not InformationSessionAttendee.objects.exists()


def test_another_partners_session_is_not_found(cfp02, courses):
    session = InformationSessionFactory(
        organisation=OrganisationFactory(name="Autre", kind=OrganisationKind.TRAINING)
    )
    assert cfp02.get(f"/seances-information/{session.pk}/").status_code == 404
    assert "Autre" not in page_text(cfp02.get("/seances-information/"))


def test_a_partner_admin_records_volunteers_but_does_not_refer(courses):
    organisation = OrganisationFactory(name=CFP02, kind=OrganisationKind.TRAINING)
    admin = MembershipFactory(organisation=organisation, role=Role.PARTNER_ADMIN)
    session = InformationSessionFactory(organisation=organisation)
    attendee = InformationSessionAttendee.objects.create(
        session=session,
        person=PersonFactory(),
        volunteered=True,
        interviewed_on=timezone.localdate(),
    )
    client = Client()
    client.force_login(admin.user)
    assert client.get(f"/seances-information/{session.pk}/").status_code == 200
    url = f"/seances-information/{session.pk}/participants/{attendee.pk}/orienter/"
    assert client.get(url).status_code == 403
