"""Language training decisions: modality, pace, override with a reason, version stored."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from parcours.people.models import LanguageLevel
from parcours.reception import rules, services
from parcours.reception.models import LanguagePrescription
from tests.factories import UserFactory
from tests.factories_reception import ConvocationFactory

pytestmark = pytest.mark.django_db

AFTER_2025 = datetime.date(2026, 1, 27)
BEFORE_2025 = datetime.date(2024, 9, 3)


def messages_of(error) -> str:
    return " ".join(error.value.messages)


def positioned(day, written="a1", oral="a1", *, can_read=True, little_schooling=False):
    convocation = ConvocationFactory(present=True, session__date=day)
    services.record_positioning(
        convocation,
        written_level=written,
        oral_level=oral,
        can_read=can_read,
        little_schooling=little_schooling,
        actor=None,
    )
    return convocation


def test_a_reader_below_a2_gets_the_asynchronous_platform_with_no_hours():
    prescription = services.decide_prescription(
        positioned(AFTER_2025), answer="accepted", actor=UserFactory()
    )
    assert (prescription.rule_version, prescription.modality, prescription.hours) == (
        "fle-2025-07",
        "asynchronous",
        None,
    )
    assert (prescription.pace, prescription.modality_override_reason) == ("", "")


def test_a_person_with_little_schooling_gets_600_hours_in_person_at_the_chosen_pace():
    convocation = positioned(AFTER_2025, little_schooling=True)
    with pytest.raises(ValidationError) as error:
        services.decide_prescription(convocation, answer="accepted", actor=UserFactory())
    assert "Choisissez le rythme" in messages_of(error)
    assert not LanguagePrescription.objects.exists()
    prescription = services.decide_prescription(
        convocation, answer="accepted", pace="intensive", actor=UserFactory()
    )
    assert (prescription.modality, prescription.hours, prescription.pace) == (
        "in_person",
        600,
        "intensive",
    )


def test_an_agent_overrides_the_proposed_modality_only_with_a_reason():
    convocation = positioned(AFTER_2025)
    with pytest.raises(ValidationError) as error:
        services.decide_prescription(
            convocation, answer="accepted", modality="in_person", pace="extensive", actor=None
        )
    assert "indiquez pourquoi" in messages_of(error)
    prescription = services.decide_prescription(
        convocation,
        answer="accepted",
        modality="in_person",
        pace="extensive",
        override_reason="Pas d'accès à un ordinateur ni à internet",
        actor=UserFactory(),
    )
    assert (prescription.proposed_modality, prescription.modality, prescription.hours) == (
        "asynchronous",
        "in_person",
        600,
    )
    assert prescription.modality_override_reason == "Pas d'accès à un ordinateur ni à internet"


def test_a_pace_is_refused_for_the_asynchronous_platform():
    with pytest.raises(ValidationError) as error:
        services.decide_prescription(
            positioned(AFTER_2025), answer="accepted", pace="intensive", actor=UserFactory()
        )
    assert "ne se choisit que pour une formation en présentiel" in messages_of(error)


def test_the_2019_rule_offers_no_asynchronous_platform():
    convocation = positioned(BEFORE_2025, "infra_a1", "a1")
    with pytest.raises(ValidationError) as error:
        services.decide_prescription(
            convocation, modality="asynchronous", override_reason="essai", actor=UserFactory()
        )
    assert "ne propose que : En présentiel" in messages_of(error)
    prescription = services.decide_prescription(convocation, actor=UserFactory())
    assert (prescription.rule_version, prescription.kind, prescription.modality) == (
        "fle-2019",
        "mandatory",
        "in_person",
    )
    assert (prescription.hours, prescription.pace, prescription.answer) == (200, "", "")


def test_the_database_refuses_an_override_without_reason():
    prescription = services.decide_prescription(
        positioned(AFTER_2025), answer="declined", actor=UserFactory()
    )
    prescription.modality = "in_person"
    prescription.hours = 600
    with pytest.raises(IntegrityError), transaction.atomic():
        prescription.save()


LEVELS = list(LanguageLevel.values)
FIRST_DAYS = [rule.valid_from for rule in rules.FLE_RULES]


class TestEveryDecisionStoresItsVersionAndModality(TestCase):
    @settings(max_examples=40, deadline=None)
    @given(
        written=st.sampled_from(LEVELS),
        oral=st.sampled_from(LEVELS),
        can_read=st.booleans(),
        little=st.booleans(),
        day=st.builds(
            lambda first, offset: first + datetime.timedelta(days=offset),
            st.sampled_from(FIRST_DAYS[1:]),
            st.integers(-3, 3),
        ),
        answer=st.sampled_from(["accepted", "declined"]),
        pace=st.sampled_from(["extensive", "semi_intensive", "intensive"]),
    )
    def test_every_decision_stores_version_and_modality(
        self, written, oral, can_read, little, day, answer, pace
    ):
        convocation = positioned(day, written, oral, can_read=can_read, little_schooling=little)
        offer = services.proposed_prescription(convocation)
        prescription = services.decide_prescription(
            convocation,
            answer=answer,
            pace=pace if offer.paces else "",
            actor=UserFactory(),
        )
        prescription.refresh_from_db()
        assert prescription.rule_version == rules.rule_in_force(day).code
        assert prescription.modality == offer.modality == prescription.proposed_modality
        if offer.training:
            assert prescription.modality in ("in_person", "asynchronous")
            assert prescription.hours == offer.hours
            assert prescription.pace == (pace if offer.paces else "")
            assert prescription.answer == (answer if offer.proposed else "")
        else:
            assert (prescription.modality, prescription.hours) == ("", 0)


def test_the_auditor_decides_in_person_with_a_pace_from_the_day_sheet(client_for):
    from parcours.organisations.roles import Role
    from tests.helpers import page_text

    convocation = positioned(AFTER_2025, "infra_a1", "a1", can_read=False)
    client = client_for(Role.INTEGRATION_AUDITOR)
    url = f"/pfa/convocations/{convocation.pk}/formation/"
    page = page_text(client.get(url))
    assert "Formation proposée de 600 h vers A2 en présentiel, sur 12 mois" in page
    response = client.post(url, {"answer": "accepted"})
    assert response.status_code == 200
    assert "Choisissez le rythme de la formation en présentiel." in page_text(response)
    assert not LanguagePrescription.objects.exists()
    response = client.post(url, {"answer": "accepted", "pace": "semi_intensive"})
    assert response.status_code == 302
    decision = LanguagePrescription.objects.get()
    assert (decision.modality, decision.pace, decision.hours) == (
        "in_person",
        "semi_intensive",
        600,
    )
