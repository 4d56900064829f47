"""The person record: create, edit, search and read a file, with clear errors on bad input."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.organisations.roles import Role
from parcours.people.models import Person
from parcours.territories.models import Country, Department
from tests.factories import PersonFactory
from tests.helpers import page_text


def valid_payload(**overrides):
    data = {
        "last_name": "Haddad",
        "first_names": "Rania",
        "sex": "F",
        "birth_date": "1994-03-02",
        "nationality": Country.objects.get(name="SYRIE").pk,
        "residence_status": "refugee",
        "agdref_number": "750 123 4567",
        "department": Department.objects.get(code="57").pk,
        "accommodation": "cph",
        "accommodation_name": "CPH de Metz",
        "employment_status": "job_seeker",
        "phone": "06 12 34 56 78",
    }
    data.update(overrides)
    return data


def test_an_agent_creates_a_file_and_lands_on_it(client_for):
    client = client_for(Role.RECEPTION_AGENT)
    response = client.post("/personnes/nouvelle/", valid_payload(), follow=True)
    person = Person.objects.get()
    assert response.request["PATH_INFO"] == f"/personnes/{person.pk}/"
    assert "Dossier de HADDAD Rania créé." in page_text(response)
    assert person.agdref_number == "7501234567"
    assert person.phone == "0612345678"
    assert person.directorate.code == "metz"
    assert person.created_by == client.membership.user


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("agdref_number", "12345", "10 chiffres"),
        ("ft_identifier", "12AB", "identifiant France Travail"),
        ("birth_date", "2090-01-01", "date de naissance"),
        ("postcode", "5700", "5 chiffres"),
        ("last_name", "", "Ce champ est obligatoire"),
    ],
)
def test_bad_input_gets_a_french_message_and_saves_nothing(client_for, field, value, message):
    client = client_for(Role.INTEGRATION_AUDITOR)
    payload = valid_payload(**{field: value, "ft_registered": "on"})
    response = client.post("/personnes/nouvelle/", payload)
    assert response.status_code == 200
    text = page_text(response)
    assert message in text
    assert "Le dossier n'a pas été enregistré" in text
    assert 'aria-invalid="true"' in text
    assert Person.objects.count() == 0


def test_a_department_outside_the_perimeter_is_refused(client_for):
    client = client_for(Role.INTEGRATION_AUDITOR)  # DT Metz
    response = client.post(
        "/personnes/nouvelle/", valid_payload(department=Department.objects.get(code="67").pk)
    )
    assert "Sélectionnez un choix valide" in page_text(response)
    assert Person.objects.count() == 0


def test_ft_details_without_registration_are_refused(client_for):
    client = client_for(Role.INTEGRATION_AUDITOR)
    response = client.post("/personnes/nouvelle/", valid_payload(ft_identifier="1234567A"))
    assert "inscrit à France Travail" in page_text(response)
    assert Person.objects.count() == 0


def test_a_duplicate_agdref_number_is_refused_clearly(client_for):
    PersonFactory(agdref_number="7501234567")
    client = client_for(Role.INTEGRATION_AUDITOR)
    response = client.post("/personnes/nouvelle/", valid_payload())
    assert "existe déjà" in page_text(response)
    assert Person.objects.count() == 1


def test_editing_a_file_keeps_its_identity(client_for):
    person = PersonFactory(last_name="DIALLO", first_names="Mamadou")
    client = client_for(Role.INTEGRATION_AUDITOR)
    # The factory's birth date differs from the payload's: an identity correction, with why.
    payload = valid_payload(
        last_name="Diallo",
        first_names="Mamadou",
        usual_name="Bah",
        change_reason="Titre de séjour relu",
    )
    response = client.post(f"/personnes/{person.pk}/modifier/", payload, follow=True)
    assert "Dossier de BAH Mamadou mis à jour." in page_text(response)
    person.refresh_from_db()
    assert person.usual_name == "Bah"


def test_reading_roles_cannot_edit(client_for):
    person = PersonFactory()
    client = client_for(Role.PARTNER_COUNSELLOR)
    assert client.get(f"/personnes/{person.pk}/modifier/").status_code == 403
    assert client.get("/personnes/nouvelle/").status_code == 403


def test_search_finds_by_name_usual_name_or_agdref(client_for):
    PersonFactory(last_name="KARIMI", first_names="Ahmad", agdref_number="1234567890")
    PersonFactory(last_name="OSMAN", usual_name="ISHAG", first_names="Hawa")
    client = client_for(Role.RECEPTION_AGENT)
    assert "KARIMI Ahmad" in page_text(client.get("/personnes/", {"q": "karimi"}))
    assert "ISHAG Hawa" in page_text(client.get("/personnes/", {"q": "ishag"}))
    assert "KARIMI Ahmad" in page_text(client.get("/personnes/", {"q": "1234 567"}))
    empty = page_text(client.get("/personnes/", {"q": "inconnu"}))
    assert "Aucune personne ne correspond à « inconnu »" in empty


def test_search_never_shows_people_outside_the_perimeter(client_for):
    PersonFactory(last_name="ALSACE", department=Department.objects.get(code="67"))
    client = client_for(Role.RECEPTION_AGENT)  # DT Metz
    assert "ALSACE" not in page_text(client.get("/personnes/", {"q": "alsace"}))


def test_person_list_runs_a_fixed_number_of_queries(client_for):
    client = client_for(Role.RECEPTION_AGENT)
    PersonFactory.create_batch(2)
    with CaptureQueriesContext(connection) as few:
        client.get("/personnes/")
    PersonFactory.create_batch(30)
    with CaptureQueriesContext(connection) as many:
        client.get("/personnes/")
    assert len(many) == len(few)


def test_person_file_shows_the_timeline(client_for):
    person = PersonFactory(
        ft_registered=True, ft_identifier="1234567A", ft_registration_date="2026-01-27"
    )
    client = client_for(Role.INTEGRATION_AUDITOR)
    text = page_text(client.get(f"/personnes/{person.pk}/"))
    assert "Dossier créé" in text
    assert "Inscription à France Travail" in text


def test_an_auditor_can_orient_from_the_person_file(client_for):
    person = PersonFactory()
    client = client_for(Role.INTEGRATION_AUDITOR)
    response = client.get(f"/personnes/{person.pk}/", follow=True)
    assert f"/personnes/{person.pk}/orientations/" in page_text(response)


def test_a_reception_agent_gets_no_orientation_button(client_for):
    person = PersonFactory()
    response = client_for(Role.RECEPTION_AGENT).get(f"/personnes/{person.pk}/", follow=True)
    assert "Orienter vers un dispositif" not in page_text(response)


def test_a_partner_is_sent_to_its_own_projection_of_a_referred_person(client_for):
    client = client_for(Role.PARTNER_COUNSELLOR)
    response = client.get("/personnes/")
    assert response.status_code == 302
    assert response["Location"] == "/orientations-recues/"


def test_the_person_form_groups_its_fields_and_lists_languages_to_tick(client_for):
    """Issue 16: the form was one 4,900 px column with unstyled language checkboxes."""
    from parcours.people.models import Language

    client = client_for(Role.INTEGRATION_AUDITOR)
    text = page_text(client.get("/personnes/nouvelle/"))
    for title in ("Identité", "Séjour", "Langues", "Coordonnées et hébergement"):
        assert f">{title}</legend>" in text
    # Each language is a DSFR checkbox in a list that a filter field narrows (choices.js).
    assert text.count('class="fr-checkbox-group fr-checkbox-group--sm parcours-choices__item"') == (
        Language.objects.count()
    )
    assert "Filtrer les langues" in text
    assert "parcours/choices.js" in text
    person = PersonFactory()
    arabic = Language.objects.get(code="ar")
    person.languages.add(arabic)
    edit = page_text(client.get(f"/personnes/{person.pk}/modifier/"))
    assert re.search(rf'value="{arabic.pk}" id="[^"]+" checked', edit)
