"""Partner staff see the persons referred to their organisation, never a draft, never others."""

import pytest

from parcours.organisations.roles import OrganisationKind, Role
from parcours.people.models import Person
from parcours.people.timeline import timeline_for
from parcours.referrals.models import Referral
from tests.factories import MembershipFactory, OrganisationFactory, PersonFactory, membership_for
from tests.factories_referrals import SchemeFactory, make_referral, partner_membership

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.PARTNER_COUNSELLOR, Role.PARTNER_ADMIN])
def test_partner_staff_see_the_persons_sent_to_their_organisation(role):
    referral = make_referral(state="sent")
    membership = partner_membership(referral.scheme, role=role)
    assert list(Person.objects.visible_to(membership)) == [referral.person]


@pytest.mark.parametrize("state", ["accepted", "refused", "expired", "completed", "withdrawn"])
def test_partner_staff_keep_seeing_a_person_whatever_the_later_state(state):
    referral = make_referral(state=state)
    assert referral.person in Person.objects.visible_to(partner_membership(referral.scheme))


def test_a_draft_shows_nothing_to_the_partner():
    referral = make_referral(state="draft")
    membership = partner_membership(referral.scheme)
    assert not Person.objects.visible_to(membership).exists()
    assert not Referral.objects.visible_to(membership).exists()


def test_a_partner_never_sees_persons_or_referrals_of_another_partner():
    mine = make_referral(state="sent")
    other_scheme = SchemeFactory(
        organisation=OrganisationFactory(name="Epide Strasbourg", kind=OrganisationKind.EPIDE)
    )
    theirs = make_referral(other_scheme, state="sent")
    PersonFactory()  # never referred
    membership = partner_membership(mine.scheme)
    assert list(Person.objects.visible_to(membership)) == [mine.person]
    assert list(Referral.objects.visible_to(membership)) == [mine]
    assert theirs.person not in Person.objects.visible_to(membership)


def test_a_person_referred_twice_appears_once():
    scheme = SchemeFactory()
    person = PersonFactory()
    make_referral(scheme, person, state="refused")
    make_referral(scheme, person, state="sent")
    assert Person.objects.visible_to(partner_membership(scheme)).count() == 1


def test_dt_staff_keep_their_perimeter_and_aggregate_roles_see_nobody():
    referral = make_referral(state="sent")
    assert referral.person in Person.objects.visible_to(membership_for(Role.RECEPTION_AGENT))
    assert referral in Referral.objects.visible_to(membership_for(Role.INTEGRATION_AUDITOR))
    strasbourg = membership_for(Role.INTEGRATION_AUDITOR, directorate_code="strasbourg")
    assert not Referral.objects.visible_to(strasbourg).exists()
    for role in (Role.REGIONAL_VIEWER, Role.NATIONAL_ADMIN):
        assert not Person.objects.visible_to(membership_for(role)).exists()
        assert not Referral.objects.visible_to(membership_for(role)).exists()


def test_a_partner_sees_the_referrals_it_made_to_another_partner():
    cip = MembershipFactory(
        organisation=OrganisationFactory(
            name="AMLI – AGIR 57", kind=OrganisationKind.AGIR_OPERATOR
        ),
        role=Role.PARTNER_COUNSELLOR,
    )
    referral = make_referral(state="sent", by=cip)
    assert list(Referral.objects.visible_to(cip)) == [referral]


def test_the_person_file_timeline_shows_each_step_of_a_referral():
    referral = make_referral(state="refused")
    titles = [event.title for event in timeline_for(referral.person)]
    name = referral.scheme.name
    for step in ("création", "envoi au partenaire", "refus"):
        assert f"Orientation vers « {name} » : {step}" in titles
    refusal = next(e for e in timeline_for(referral.person) if e.title.endswith("refus"))
    assert refusal.detail == f"{referral.scheme.organisation.name} · Personne injoignable"
