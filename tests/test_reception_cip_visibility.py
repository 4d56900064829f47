"""The CIP (partner counsellor of the experiment's operator) sees the people of the sessions
they staff, and nobody else (seed 001: the CIP interviews the signatories present at the PFA)."""

import pytest

from parcours.organisations.roles import Role
from parcours.people.models import Person
from parcours.reception.models import SessionStaff, StaffRole
from tests.factories import PersonFactory, membership_for
from tests.factories_reception import ConvocationFactory, SessionFactory, metz_experiment

pytestmark = pytest.mark.django_db


def cip_membership():
    membership = membership_for(Role.PARTNER_COUNSELLOR)  # AMLI – AGIR 57
    metz_experiment(operator=membership.organisation)
    return membership


def test_the_cip_sees_the_people_convoked_to_a_session_they_staff():
    membership = cip_membership()
    session = SessionFactory()
    SessionStaff.objects.create(session=session, user=membership.user, role=StaffRole.CIP)
    convoked = ConvocationFactory(session=session).person
    assert list(Person.objects.visible_to(membership)) == [convoked]


def test_the_cip_sees_nobody_of_a_session_they_do_not_staff():
    membership = cip_membership()
    ConvocationFactory()
    PersonFactory()
    assert not Person.objects.visible_to(membership).exists()


def test_staffing_as_another_role_opens_nothing():
    membership = cip_membership()
    session = SessionFactory()
    SessionStaff.objects.create(session=session, user=membership.user, role=StaffRole.PROVIDER)
    ConvocationFactory(session=session)
    assert not Person.objects.visible_to(membership).exists()


def test_a_counsellor_of_an_organisation_that_runs_no_experiment_sees_nobody():
    membership = membership_for(Role.PARTNER_COUNSELLOR)
    metz_experiment(operator=None)
    session = SessionFactory()
    SessionStaff.objects.create(session=session, user=membership.user, role=StaffRole.CIP)
    ConvocationFactory(session=session)
    assert not Person.objects.visible_to(membership).exists()


def test_the_cip_day_sheet_lists_the_people_of_the_session(client_for):
    client = client_for(Role.PARTNER_COUNSELLOR)
    metz_experiment(operator=client.membership.organisation)
    session = SessionFactory()
    SessionStaff.objects.create(session=session, user=client.membership.user, role=StaffRole.CIP)
    person = ConvocationFactory(
        session=session, person=PersonFactory(last_name="KARIMI", agdref_number="7501234567")
    ).person
    response = client.get(f"/pfa/sessions/{session.pk}/")
    assert response.status_code == 200
    assert person.display_name in response.content.decode()
    # Need-to-know: the foreign-national number stays with OFII.
    assert "7501234567" not in response.content.decode()


def test_dt_staff_see_the_agdref_number_on_the_day_sheet(client_for):
    client = client_for(Role.RECEPTION_AGENT)
    session = SessionFactory()
    ConvocationFactory(session=session, person=PersonFactory(agdref_number="7501234567"))
    assert "7501234567" in client.get(f"/pfa/sessions/{session.pk}/").content.decode()
