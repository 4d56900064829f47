"""AGIR from the interview, people concerned and the registration rate (issue 15)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from parcours.indicators.catalogue import MONTHLY_REPORT
from parcours.indicators.definitions import get_report
from parcours.indicators.documents import build_document
from parcours.indicators.periods import Month, Period
from parcours.indicators.reports import compute_report
from parcours.organisations.roles import Role
from parcours.people.models import Person
from parcours.reception import services
from parcours.reception.models import EmploymentCheck
from tests.factories import PersonFactory, UserFactory, directorate
from tests.factories_reception import ConvocationFactory, SessionFactory, metz_experiment
from tests.factories_referrals import SchemeFactory, make_referral
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

JAN_27 = datetime.date(2026, 1, 27)
# Seed 001: « venue d'AMLI début janvier » – a PFA where nobody met the conditions.
EARLY_JANUARY = datetime.date(2026, 1, 6)
JANUARY = Month(2026, 1)


def messages_of(error) -> str:
    return " ".join(error.value.messages)


def present(day=JAN_27, **person):
    metz_experiment()
    session = SessionFactory(directorate=directorate("metz"), date=day)
    return ConvocationFactory(session=session, person=PersonFactory(**person), present=True)


def interview(convocation, orientations=(), status="job_seeker"):
    return services.record_interview(
        convocation,
        employment_status=status,
        accommodation="cph",
        orientations=orientations,
        actor=UserFactory(),
    )


def document(exact=True):
    computed = compute_report(
        get_report(MONTHLY_REPORT), [directorate("metz")], Period.single(JANUARY)
    )
    return computed, build_document(computed, exact=exact, perimeter_label="DT Metz")


def test_a_refugee_oriented_to_agir_cannot_be_registered_and_counts_under_rsa_or_agir():
    convocation = present(residence_status="refugee")
    interview(convocation, orientations={"agir"})
    assert Person.objects.get(pk=convocation.person_id).agir_followed
    with pytest.raises(ValidationError) as error:
        services.record_employment_check(
            convocation,
            situation="job_seeker",
            agir_followed=True,
            registered_today=True,
            ft_identifier="1234567A",
            actor=UserFactory(),
        )
    assert "orientée vers AGIR à l'entretien de diagnostic du 27/01/2026" in messages_of(error)
    assert "ne l'inscrit pas à France Travail" in messages_of(error)
    assert not EmploymentCheck.objects.exists()
    # Leaving the box unticked does not make the orientation disappear.
    with pytest.raises(ValidationError) as error:
        services.record_employment_check(
            convocation, situation="job_seeker", agir_followed=False, actor=UserFactory()
        )
    assert "reste cochée" in messages_of(error)
    services.record_employment_check(
        convocation, situation="job_seeker", agir_followed=True, actor=UserFactory()
    )
    computed, _document = document()
    metz = directorate("metz").pk
    assert computed.monthly_table("rsa_or_agir", metz, JANUARY).grand_total == 1
    assert computed.monthly_table("registered_by_cip", metz, JANUARY).grand_total == 0
    assert computed.monthly_table("to_register", metz, JANUARY).grand_total == 0


def test_the_cip_form_shows_the_agir_orientation_ticked_with_the_reason(client_for):
    convocation = present(residence_status="refugee")
    interview(convocation, orientations={"agir"})
    # DT managers may record the CIP interview too (organisations.permissions).
    response = client_for(Role.DT_DIRECTOR).get(
        f"/pfa/convocations/{convocation.pk}/entretien-cip/"
    )
    assert response.status_code == 200
    assert response.context["form"].initial["agir_followed"] is True
    assert "à suivre par l'opérateur AGIR" in page_text(response)


def test_an_agir_referral_sent_also_marks_the_person(django_assert_max_num_queries):
    convocation = present(residence_status="subsidiary_protection")
    make_referral(SchemeFactory(agir=True), convocation.person, state="sent")
    with django_assert_max_num_queries(2):
        source = services.agir_source(convocation.person_id)
    assert source.kind == "referral"
    with pytest.raises(ValidationError) as error:
        services.record_employment_check(
            convocation,
            situation="inactive",
            agir_followed=True,
            registered_today=True,
            ft_identifier="1234567A",
            actor=UserFactory(),
        )
    assert "orientée vers un dispositif AGIR" in messages_of(error)


def test_the_agir_flag_is_refused_outside_the_protection_categories():
    convocation = present(residence_status="family_reunification")
    with pytest.raises(ValidationError) as error:
        services.record_employment_check(
            convocation, situation="job_seeker", agir_followed=True, actor=UserFactory()
        )
    assert "réservé aux bénéficiaires de la protection internationale" in messages_of(error)
    assert "Regroupement familial" in messages_of(error)
    person = Person.objects.get(pk=convocation.person_id)
    person.agir_followed = True
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert "agir_followed" in error.value.message_dict


def test_taking_agir_back_at_the_interview_unmarks_the_person():
    convocation = present(residence_status="refugee")
    interview(convocation, orientations={"agir"})
    interview(convocation, orientations={"france_travail"})
    assert not Person.objects.get(pk=convocation.person_id).agir_followed
    assert services.agir_source(convocation.person_id) is None


def test_registering_a_person_already_recorded_as_registered_asks_for_the_reason():
    convocation = present(
        residence_status="refugee",
        ft_registered=True,
        ft_identifier="7654321B",
        ft_registration_date=datetime.date(2024, 3, 1),
    )
    with pytest.raises(ValidationError) as error:
        services.record_employment_check(
            convocation,
            situation="job_seeker",
            registered_today=True,
            ft_identifier="1234567A",
            actor=UserFactory(),
        )
    assert "déjà enregistré(e) comme inscrit(e) à France Travail depuis le 01/03/2024" in (
        messages_of(error)
    )
    check = services.record_employment_check(
        convocation,
        situation="job_seeker",
        registered_today=True,
        reregistration_reason="removed",
        ft_identifier="1234567A",
        actor=UserFactory(),
    )
    assert (check.registered_today, check.reregistration_reason) == (True, "removed")
    # Saving the same interview again is not a third registration: no reason asked.
    check = services.record_employment_check(
        convocation,
        situation="job_seeker",
        registered_today=True,
        ft_identifier="1234567A",
        actor=UserFactory(),
    )
    assert check.registered_today


def test_seed_001_early_january_pfa_where_nobody_is_concerned(client_for):
    for situation in ("cdi", "cdd", "vocational_training", "student"):
        convocation = present(EARLY_JANUARY)
        services.record_employment_check(convocation, situation=situation, actor=UserFactory())
    computed, exact = document()
    metz = directorate("metz").pk
    assert computed.monthly_table("accompanied", metz, JANUARY).grand_total == 4
    assert computed.monthly_table("concerned", metz, JANUARY).grand_total == 0
    assert computed.monthly_table("to_register", metz, JANUARY).grand_total == 0
    (rate,) = exact.rates
    assert [line.text for line in rate.lines] == ["non défini"]
    assert not rate.lines[0].defined
    response = client_for(Role.DT_DIRECTOR).get("/chiffres/?start=2026-01&end=2026-01")
    text = page_text(response)
    assert "Personnes concernées" in text
    assert "non défini" in text
    assert "<td>non défini</td><td>0 / 0</td>" in response.content.decode()


def test_the_rate_is_registered_over_those_to_register_on_seed_001s_27_january():
    situations = ["cdi"] * 8 + ["cdd"] * 4 + ["vocational_training"]
    for situation in situations:
        services.record_employment_check(present(), situation=situation, actor=UserFactory())
    services.record_employment_check(
        present(), situation="job_seeker", rsa_recipient=True, actor=UserFactory()
    )
    for _ in range(3):
        services.record_employment_check(
            present(), situation="job_seeker", already_ft=True, actor=UserFactory()
        )
    for number in range(4):
        services.record_employment_check(
            present(),
            situation="job_seeker",
            registered_today=True,
            ft_identifier=f"123456{number}A",
            actor=UserFactory(),
        )
    computed, exact = document()
    metz = directorate("metz").pk
    assert computed.monthly_table("accompanied", metz, JANUARY).grand_total == 21
    assert computed.monthly_table("concerned", metz, JANUARY).grand_total == 8
    assert computed.monthly_table("to_register", metz, JANUARY).grand_total == 4
    assert [line.text for line in exact.rates[0].lines] == ["100,0 %"]
    _computed, protected = document(exact=False)
    # Outside the DT, 4 and 4 are small counts: the rate is hidden with them.
    assert [line.text for line in protected.rates[0].lines] == ["s"]
