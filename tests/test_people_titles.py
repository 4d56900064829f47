"""Requirements of each residence title, shown as dated information in the person file."""

import datetime

import pytest

from parcours.organisations.roles import Role
from parcours.people import titles
from parcours.people.models import Person
from tests.factories import PersonFactory
from tests.helpers import page_text
from tests.test_person_file import valid_payload

DAY = datetime.date(2026, 3, 2)


def test_from_1_january_2026_each_title_has_its_level_and_the_civic_exam():
    found = {r.title: r for r in (titles.requirement(t, DAY) for t in titles.ResidenceTitle)}
    assert (found["multi_year_card"].language_level, found["multi_year_card"].civic_exam) == (
        "a2",
        True,
    )
    assert found["resident_card"].language_level == "b1"
    assert found["naturalisation"].language_level == "b2_plus"
    assert (titles.CIVIC_EXAM_QUESTIONS, titles.CIVIC_EXAM_PASS_MARK) == (40, 32)
    assert any("n° 2024-42" in text for text in found["resident_card"].texts)
    assert any("10 octobre 2025" in text for text in found["resident_card"].texts)
    assert all(r.exemptions for r in found.values())


def test_before_1_january_2026_parcours_states_no_requirement():
    assert titles.requirement("multi_year_card", datetime.date(2025, 12, 31)) is None
    assert titles.requirement("multi_year_card", datetime.date(2026, 1, 1)) is not None


def test_the_standing_compares_the_positioning_level_and_decides_nothing():
    person = Person(intended_title="resident_card", language_level="a2")
    standing = titles.standing(person, DAY, age=40)
    assert standing.level_reached is False
    text = " ".join(standing.lines)
    assert "niveau B1" in text and "en dessous du niveau demandé" in text
    assert "Examen civique : résultat non enregistré" in text
    assert "pas une décision" in text
    assert titles.standing(Person(intended_title="multi_year_card", language_level="b1"), DAY)
    assert titles.standing(Person(), DAY) is None


def test_over_65_the_person_may_be_exempted_from_the_card_requirements():
    person = Person(intended_title="multi_year_card", language_level="a1")
    assert "dispensée" in " ".join(titles.standing(person, DAY, age=70).lines)
    assert "dispensée" not in " ".join(titles.standing(person, DAY, age=40).lines)


@pytest.mark.django_db
def test_the_person_file_shows_where_the_person_stands_against_the_intended_title(client_for):
    client = client_for(Role.INTEGRATION_AUDITOR)
    response = client.post(
        "/personnes/nouvelle/", valid_payload(intended_title="multi_year_card"), follow=True
    )
    person = Person.objects.get()
    assert person.intended_title == "multi_year_card"
    text = page_text(response)
    assert "Titre de séjour envisagé" in text
    assert "Carte de séjour pluriannuelle" in text
    assert "Pas encore de positionnement linguistique." in text
    PersonFactory(language_level="a2", intended_title="naturalisation", agdref_number=None)
    other = Person.objects.exclude(pk=person.pk).get()
    text = page_text(client.get(f"/personnes/{other.pk}/", follow=True))
    assert "le niveau A2 est en dessous du niveau demandé (B2 ou plus)" in text


@pytest.mark.django_db
def test_the_auditor_sees_the_requirement_at_the_diagnostic_interview(client_for):
    from tests.factories_reception import ConvocationFactory

    convocation = ConvocationFactory(
        present=True,
        session__date=DAY,
        person=PersonFactory(intended_title="resident_card", language_level="a1"),
    )
    response = client_for(Role.INTEGRATION_AUDITOR).get(
        f"/pfa/convocations/{convocation.pk}/entretien/"
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "Titre envisagé : Carte de résident." in text
    assert "le niveau A1 est en dessous du niveau demandé (B1)" in text
    assert "pas une décision" in text


@pytest.mark.django_db
def test_anonymisation_removes_the_intended_title():
    from parcours.privacy.retention import anonymise_person

    person = PersonFactory(intended_title="naturalisation")
    anonymise_person(person)
    person.refresh_from_db()
    assert person.intended_title == ""
