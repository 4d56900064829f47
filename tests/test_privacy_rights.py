"""Rights of the person: subject access export (PDF, JSON), erasure where allowed, purposes."""

import json

import pytest

from parcours.organisations.roles import Role
from parcours.people import services as people_services
from parcours.people.models import Person
from parcours.privacy import erasure as erasure_module
from parcours.privacy import subject_access
from parcours.privacy.erasure import register_erasure_check
from parcours.privacy.models import AccessLog
from parcours.privacy.subject_access import Section, register_provider
from tests.factories import PersonFactory
from tests.helpers import page_text
from tests.pdf_text import pdf_text

pytestmark = pytest.mark.django_db


def director_with_purpose(client_for, person, role=Role.DT_DIRECTOR):
    client = client_for(role)
    client.post(f"/personnes/{person.pk}/motif/", {"reason": "request"})
    return client


def export(client, person, export_format="json", **extra):
    data = {"reason": "rights", "export_format": export_format, **extra}
    return client.post(f"/personnes/{person.pk}/droit-d-acces/", data)


# Subject access -------------------------------------------------------------------------------


def test_the_json_export_holds_the_file_the_timeline_the_history_and_the_reads(client_for):
    person = PersonFactory(last_name="HADDAD", first_names="Rania", phone="0612345678")
    people_services.edit_person(person, {"phone": "0711223344"}, actor=None)
    client = director_with_purpose(client_for, person)
    client.get(f"/personnes/{person.pk}/")
    response = export(client, person)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    disposition = response["Content-Disposition"]
    assert f"parcours-dossier-{person.pk}-" in disposition and "HADDAD" not in disposition
    document = json.loads(response.content)
    sections = {section["key"]: section for section in document["sections"]}
    assert set(sections) >= {"person", "timeline", "history", "access_log"}
    fields = {row["field"]: row["value"] for row in sections["person"]["rows"]}
    assert fields["Nom de naissance"] == "HADDAD"
    assert fields["Téléphone"] == "0711223344"
    assert any(row["before"] == "0612345678" for row in sections["history"]["rows"])
    assert sections["access_log"]["rows"][0]["role"] == "Directeur de DT"
    assert "email" not in json.dumps(sections["access_log"])  # no agent's address


def test_the_pdf_export_is_a_readable_pdf(client_for):
    person = PersonFactory(last_name="HADDAD", first_names="Rania")
    response = export(client_for(Role.DT_ADMIN), person, export_format="pdf")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Données détenues par Parcours sur HADDAD Rania" in text
    assert "Étapes du parcours" in text
    assert "Consultations du dossier" in text


def test_the_export_is_logged_with_its_purpose(client_for):
    person = PersonFactory()
    export(client_for(Role.DT_DIRECTOR), person, reason="other", detail="Courrier du 3 mars")
    log = AccessLog.objects.get(operation="subject_access_export")
    assert log.purpose == "Autre motif – Courrier du 3 mars"
    assert list(log.entries.values_list("person_id", flat=True)) == [person.pk]


def test_an_export_without_a_purpose_is_refused_and_not_logged(client_for):
    person = PersonFactory()
    client = client_for(Role.DT_DIRECTOR)
    response = client.post(f"/personnes/{person.pk}/droit-d-acces/", {"export_format": "pdf"})
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in page_text(response)
    assert not AccessLog.objects.filter(operation="subject_access_export").exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.INTEGRATION_AUDITOR, 403),
        (Role.RECEPTION_AGENT, 403),
        (Role.PARTNER_COUNSELLOR, 403),
        (Role.REGIONAL_VIEWER, 404),  # may export figures, never sees a person
        (Role.NATIONAL_ADMIN, 404),
    ],
)
def test_only_the_dt_managers_export_a_persons_data(client_for, role, status):
    person = PersonFactory()
    assert export(client_for(role), person).status_code == status
    assert AccessLog.objects.count() == 0


def test_a_person_of_another_directorate_cannot_be_exported(client_for):
    from parcours.territories.models import Department

    person = PersonFactory(department=Department.objects.get(code="67"))
    assert export(client_for(Role.DT_DIRECTOR), person).status_code == 404


def test_other_modules_add_their_sections(client_for, monkeypatch):
    monkeypatch.setattr(subject_access, "_providers", list(subject_access._providers))

    @register_provider
    def referrals(person):
        return Section(
            "referrals", "Orientations", [("scheme", "Dispositif")], [{"scheme": "AGIR 57"}]
        )

    document = json.loads(subject_access.export_json(PersonFactory()))
    assert document["sections"][-1]["rows"] == [{"scheme": "AGIR 57"}]


# Erasure ----------------------------------------------------------------------------------------


def erase(client, person, **extra):
    data = {"reason": "rights", "confirm": "on", **extra}
    return client.post(f"/personnes/{person.pk}/effacement/", data, follow=True)


def test_erasure_anonymises_the_file_at_once_and_is_logged(client_for):
    person = PersonFactory(last_name="HADDAD", phone="0612345678")
    response = erase(client_for(Role.DT_DIRECTOR), person)
    assert f"Le dossier n° {person.pk} a été anonymisé" in page_text(response)
    person.refresh_from_db()
    assert (person.last_name, person.phone, person.anonymisation_reason) == (
        "ANONYME",
        "",
        "erasure",
    )
    log = AccessLog.objects.get(operation="erasure")
    assert log.purpose.startswith("Exercice d'un droit")


def test_erasure_needs_the_legal_check_to_be_confirmed(client_for):
    person = PersonFactory(last_name="HADDAD")
    response = client_for(Role.DT_ADMIN).post(
        f"/personnes/{person.pk}/effacement/", {"reason": "rights"}
    )
    assert "n'a pas été effacé" in page_text(response)
    assert Person.objects.get(pk=person.pk).last_name == "HADDAD"
    assert AccessLog.objects.count() == 0


def test_erasure_is_refused_while_a_module_needs_the_data(client_for, monkeypatch):
    monkeypatch.setattr(erasure_module, "_checks", [])
    register_erasure_check(lambda person: "Le CIR est en cours d'exécution.")
    person = PersonFactory(last_name="HADDAD")
    response = erase(client_for(Role.DT_DIRECTOR), person)
    assert "Le CIR est en cours d'exécution." in page_text(response)
    assert Person.objects.get(pk=person.pk).anonymised_at is None


@pytest.mark.parametrize(
    "role", [Role.INTEGRATION_AUDITOR, Role.RECEPTION_AGENT, Role.PARTNER_ADMIN]
)
def test_only_the_data_protection_contacts_erase(client_for, role):
    person = PersonFactory(last_name="HADDAD")
    assert erase(client_for(role), person).status_code == 403
    assert Person.objects.get(pk=person.pk).anonymised_at is None


# Purposes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.DT_DIRECTOR, Role.DT_ADMIN])
def test_dt_managers_say_why_they_open_a_file_before_seeing_it(client_for, role):
    person = PersonFactory(last_name="HADDAD")
    client = client_for(role)
    response = client.get(f"/personnes/{person.pk}/")
    assert response.status_code == 302
    purpose_page = page_text(client.get(response["Location"]))
    assert "HADDAD" not in purpose_page
    assert AccessLog.objects.count() == 0
    client.post(response["Location"], {"reason": "other", "detail": "Réclamation écrite"})
    assert "HADDAD" in page_text(client.get(f"/personnes/{person.pk}/"))
    assert AccessLog.objects.get().purpose == "Autre motif – Réclamation écrite"


def test_other_purpose_needs_a_precision(client_for):
    person = PersonFactory()
    response = client_for(Role.DT_DIRECTOR).post(
        f"/personnes/{person.pk}/motif/", {"reason": "other"}
    )
    assert "Précisez le motif." in page_text(response)


def test_follow_up_roles_open_files_without_a_purpose(client_for):
    person = PersonFactory()
    assert client_for(Role.INTEGRATION_AUDITOR).get(f"/personnes/{person.pk}/").status_code == 200
    assert AccessLog.objects.get().purpose == ""
