"""The doors of issue 10, each replayed as the attack that found it open (docs/security.md).

Door 3 (admin without second factor) is played in tests/test_security_second_factor_pairs.py,
door 7 (cacheable answers) in tests/test_security_no_store.py, door 8 (lock-out behind a
proxy) in tests/test_security_proxies.py; door 6 (upload bombs) belongs to the bounded
spreadsheet reader and its own tests.
"""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from parcours.api.models import ApiToken
from parcours.organisations.roles import OrganisationKind, Role
from parcours.people.models import EmploymentStatus, ResidenceStatus
from parcours.referrals.courses import CourseEnd, register_source, unregister_source
from parcours.referrals.eligibility import RsaRule
from parcours.referrals.models import InformationSession, InformationSessionAttendee, Scheme
from parcours.territories.models import Department
from tests.factories import MembershipFactory, OrganisationFactory, PersonFactory, membership_for
from tests.factories_referrals import (
    InformationSessionFactory,
    SchemeFactory,
    make_referral,
    partner_membership,
)
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def signed_in(membership):
    client = Client()
    client.force_login(membership.user)
    return client


def serving(organisation, *codes):
    organisation.departments.set(Department.objects.filter(code__in=codes))
    return organisation


# Door 1 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PARTNER_COUNSELLOR, Role.PARTNER_ADMIN])
def test_door_1_a_partner_token_never_reads_the_fields_the_pages_hide(role):
    scheme = SchemeFactory()
    person = PersonFactory(
        employment_status=EmploymentStatus.CDI,
        rsa_recipient=True,
        ft_registered=True,
        ft_identifier="1234567A",
    )
    make_referral(scheme, person)
    membership = partner_membership(scheme, role=role)
    _token, key = ApiToken.issue(membership, "SI partenaire")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    listed = Client().get("/api/v1/persons/", **auth).json()["results"]
    detail = Client().get(f"/api/v1/persons/{person.pk}/", **auth).json()
    browser = signed_in(membership).get("/api/v1/persons/").json()["results"]
    hidden = {"nationality", "employment_status", "rsa_recipient", "ft_identifier", "agir_followed"}
    for item in (listed[0], detail, browser[0]):
        assert item["id"] == person.pk
        assert hidden.isdisjoint(item), sorted(hidden & set(item))
    assert "1234567A" not in str(listed) + str(detail)


# Door 2 -----------------------------------------------------------------------------------------


@pytest.fixture
def courses():
    """Course ends of every region, whatever the départements asked for (a careless source)."""
    known: list[CourseEnd] = []

    def source(department_ids, start, end):
        return [c for c in known if start <= c.ends_on <= end]

    register_source(source)
    yield known
    unregister_source(source)


def test_door_2_an_agency_of_the_bas_rhin_cannot_hold_a_session_at_a_venue_of_the_aisne():
    agency = serving(
        OrganisationFactory(name="France Travail Strasbourg", kind=OrganisationKind.FRANCE_TRAVAIL),
        "67",
    )
    counsellor = MembershipFactory(organisation=agency, role=Role.PARTNER_COUNSELLOR)
    laon = serving(OrganisationFactory(name="CFL Laon", kind=OrganisationKind.TRAINING), "02")
    today = timezone.localdate()
    response = signed_in(counsellor).post(
        "/seances-information/nouvelle/",
        {
            "venue": laon.pk,
            "date": today + datetime.timedelta(days=7),
            "start_time": "14:00",
            "courses_ending_from": today,
            "courses_ending_until": today + datetime.timedelta(days=30),
        },
    )
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in page_text(response)
    assert not InformationSession.objects.exists()


def test_door_2_a_session_never_lists_or_adds_people_of_another_region(courses):
    agency = serving(
        OrganisationFactory(name="France Travail Strasbourg", kind=OrganisationKind.FRANCE_TRAVAIL),
        "67",
    )
    counsellor = MembershipFactory(organisation=agency, role=Role.PARTNER_COUNSELLOR)
    laon = serving(OrganisationFactory(name="CFL Laon", kind=OrganisationKind.TRAINING), "02")
    # A session at the Aisne venue, as the open door allowed before (or an old row).
    session = InformationSessionFactory(organisation=agency, venue=laon)
    amiens = PersonFactory(
        last_name="PICARDIE",
        first_names="Zorglubette",
        department=Department.objects.get(code="02"),
    )
    courses.append(CourseEnd(amiens.pk, session.date, 100))
    client = signed_in(counsellor)
    assert "Zorglubette" not in page_text(client.get(f"/seances-information/{session.pk}/"))
    response = client.post(
        f"/seances-information/{session.pk}/participants/", {"person": amiens.pk}
    )
    assert response.status_code == 400
    assert not InformationSessionAttendee.objects.exists()


def test_door_2_a_session_in_the_partners_perimeter_still_lists_its_people(courses):
    agency = serving(
        OrganisationFactory(name="France Travail Strasbourg", kind=OrganisationKind.FRANCE_TRAVAIL),
        "67",
    )
    counsellor = MembershipFactory(organisation=agency, role=Role.PARTNER_COUNSELLOR)
    venue = serving(
        OrganisationFactory(name="CFL Strasbourg", kind=OrganisationKind.TRAINING), "67"
    )
    session = InformationSessionFactory(organisation=agency, venue=venue)
    alsace = PersonFactory(last_name="ALSACE", department=Department.objects.get(code="67"))
    courses.append(CourseEnd(alsace.pk, session.date, 100))
    assert "ALSACE" in page_text(signed_in(counsellor).get(f"/seances-information/{session.pk}/"))


# Door 4 -----------------------------------------------------------------------------------------


def scheme_payload(scheme, organisation):
    return {
        "organisation": organisation.pk,
        "name": scheme.name,
        "kind": scheme.kind,
        "description": scheme.description,
        "departments": [d.pk for d in scheme.departments.all()],
        "expiry_days": "30",
        "reminder_days": "7",
        "rsa_rule": "any",
        "is_active": "on",
    }


def test_door_4_a_dt_director_cannot_move_a_scheme_shared_with_another_dt():
    shared = SchemeFactory(name="Partagé Moselle Bas-Rhin", served=["57", "67"])
    accomplice = serving(OrganisationFactory(name="Complice", kind=OrganisationKind.OTHER), "57")
    person = PersonFactory(department=Department.objects.get(code="67"), phone="0699999999")
    make_referral(shared, person, state="accepted")
    director = signed_in(membership_for(Role.DT_DIRECTOR))
    assert director.get(f"/gestion-dispositifs/{shared.pk}/").status_code == 404
    response = director.post(
        f"/gestion-dispositifs/{shared.pk}/", scheme_payload(shared, accomplice)
    )
    assert response.status_code == 404
    assert Scheme.objects.get(pk=shared.pk).organisation_id == shared.organisation_id
    assert "Partagé" not in page_text(director.get("/gestion-dispositifs/"))


def test_door_4_a_dt_director_never_hands_its_own_scheme_to_another_partner():
    own = SchemeFactory(name="Moselle seulement", served=["57"])
    accomplice = serving(OrganisationFactory(name="Complice", kind=OrganisationKind.OTHER), "57")
    director = signed_in(membership_for(Role.DT_DIRECTOR))
    response = director.post(
        f"/gestion-dispositifs/{own.pk}/", scheme_payload(own, accomplice), follow=True
    )
    assert "mis à jour" in page_text(response)  # the other fields are saved
    assert Scheme.objects.get(pk=own.pk).organisation_id == own.organisation_id


def test_door_4_the_partner_running_a_scheme_still_maintains_it():
    shared = SchemeFactory(name="Partagé", served=["57", "67"])
    admin = signed_in(partner_membership(shared, role=Role.PARTNER_ADMIN))
    assert admin.get(f"/gestion-dispositifs/{shared.pk}/").status_code == 200


# Door 5 -----------------------------------------------------------------------------------------


def test_door_5_the_eligibility_panel_tells_a_partner_conditions_not_the_hidden_fields():
    agir = SchemeFactory(agir=True)
    employment = SchemeFactory(
        name="Emploi et ressources",
        organisation=OrganisationFactory(name="Mission locale Metz", kind="mission_locale"),
        rsa_rule=RsaRule.REQUIRED,
        allowed_employment_statuses=[EmploymentStatus.JOB_SEEKER],
    )
    own = SchemeFactory(name="Accompagnement sans condition")
    person = PersonFactory(
        residence_status=ResidenceStatus.FAMILY_REUNIFICATION,
        employment_status=EmploymentStatus.CDI,
        rsa_recipient=False,
    )
    make_referral(own, person)  # the person is referred to the partner, who may open the panel
    counsellor = partner_membership(own)
    text = page_text(signed_in(counsellor).get(f"/personnes/{person.pk}/orientations/"))
    assert agir.name in text and employment.name in text
    assert "Condition de séjour non remplie." in text
    assert "Condition de ressources non remplie." in text
    assert "Condition de situation professionnelle non remplie." in text
    for hidden in [
        ResidenceStatus.FAMILY_REUNIFICATION.label,
        EmploymentStatus.CDI.label,
        "allocataire",
    ]:
        assert str(hidden) not in text, hidden
    # The same person's panel, read by the DT, keeps the whole reasons.
    auditor = signed_in(membership_for(Role.INTEGRATION_AUDITOR))
    full = page_text(auditor.get(f"/personnes/{person.pk}/orientations/"))
    assert str(ResidenceStatus.FAMILY_REUNIFICATION.label) in full
    assert str(EmploymentStatus.CDI.label) in full


def test_door_5_the_reasons_stored_with_a_sent_referral_are_projected_for_the_partner():
    scheme = SchemeFactory(name="Emploi des allocataires", rsa_rule=RsaRule.REQUIRED)
    person = PersonFactory(rsa_recipient=True)
    referral = make_referral(scheme, person)
    assert "Allocataire du RSA." in referral.eligibility_reasons
    text = page_text(signed_in(partner_membership(scheme)).get(f"/orientations/{referral.pk}/"))
    assert "Condition de ressources remplie." in text
    assert "Allocataire du RSA" not in text
    auditor = signed_in(membership_for(Role.INTEGRATION_AUDITOR))
    assert "Allocataire du RSA." in page_text(auditor.get(f"/orientations/{referral.pk}/"))
