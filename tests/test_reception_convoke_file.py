"""Convoking from an imported file: real CSV, XLSX and ODS files, all or nothing."""

import io
import zipfile

import pytest

from parcours.organisations.roles import Role
from parcours.reception.models import Convocation
from tests.convocation_imports import import_list
from tests.factories import PersonFactory
from tests.factories_reception import SessionFactory
from tests.helpers import page_text
from tests.spreadsheet_files import ods_file, xlsx_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def convoke(client_for):
    session = SessionFactory()
    client = client_for(Role.RECEPTION_AGENT)

    def post(name: str, content: bytes):
        return import_list(client, session, name, content)

    post.session = session
    return post


@pytest.fixture
def two_people():
    return (
        PersonFactory(agdref_number="1000000001", last_name="HADDAD"),
        PersonFactory(agdref_number="1000000002", last_name="KOVAL"),
    )


def test_a_french_csv_with_an_agdref_column_convokes_everyone(convoke, two_people):
    content = "Nom;N° AGDREF;Téléphone\r\nHADDAD;1000000001;06\r\nKOVAL;1000 000 002;07\r\n"
    response = convoke("liste.csv", content.encode("utf-8-sig"))
    assert "2 personne(s) convoquée(s)" in page_text(response)
    assert convoke.session.convocations.count() == 2


def test_an_excel_workbook_with_numbers_typed_as_numbers(convoke, two_people):
    content = xlsx_file([["AGDREF", "Nom"], [1000000001, "HADDAD"], [1000000002, "KOVAL"]])
    response = convoke("liste.xlsx", content)
    assert "2 personne(s) convoquée(s)" in page_text(response)
    assert set(convoke.session.convocations.values_list("person__last_name", flat=True)) == {
        "HADDAD",
        "KOVAL",
    }


def test_an_opendocument_sheet_with_numbers_in_the_first_column(convoke, two_people):
    response = convoke("liste.ods", ods_file([["Numéros"], ["1000000001"], ["1000000002"]]))
    assert "2 personne(s) convoquée(s)" in page_text(response)
    assert convoke.session.convocations.count() == 2


def test_one_unknown_number_convokes_nobody_and_names_it(convoke, two_people):
    content = b"AGDREF\n1000000001\n1000000009\n"
    text = page_text(convoke("liste.csv", content))
    assert "Rien n'a été convoqué : 1 ligne du fichier pose problème." in text
    assert "Ligne 3, colonne A : aucun dossier de votre périmètre pour 1000000009." in text
    assert "Confirmer et convoquer" not in text
    assert not Convocation.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("liste.pdf", b"%PDF-1.4 ...", "Format de fichier non accepté"),
        ("liste.csv", b"%PDF-1.4 \x00\x01", "ne correspond pas à son extension"),
        ("liste.csv", b"", "Le fichier est vide"),
        (
            "liste.csv",
            b"Nom;Ville\nHADDAD;Metz\n",
            "Colonne obligatoire absente : « Numéro AGDREF ». Rien n'a été lu ni convoqué.",
        ),
    ],
)
def test_a_wrong_file_gets_a_clear_message_and_nothing_is_saved(
    convoke, two_people, name, content, message
):
    response = convoke(name, content)
    assert response.status_code == 200
    assert message in page_text(response)
    assert not Convocation.objects.exists()


def test_a_damaged_workbook_is_refused_without_an_error_page(convoke, two_people):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "not a workbook")
    response = convoke("liste.xlsx", buffer.getvalue())
    assert response.status_code == 200
    assert "Le fichier n'a pas pu être lu" in page_text(response)
    assert not Convocation.objects.exists()


def test_a_long_list_of_wrong_numbers_names_each_row(convoke, two_people):
    content = "\n".join(["AGDREF"] + [f"99{n:08d}" for n in range(40)]).encode()
    text = page_text(convoke("liste.csv", content))
    assert "Rien n'a été convoqué : 40 lignes du fichier posent problème." in text
    assert "Ligne 2, colonne A : aucun dossier de votre périmètre pour 9900000000." in text
    assert "Ligne 41, colonne A : aucun dossier de votre périmètre pour 9900000039." in text
    assert not Convocation.objects.exists()


def test_a_file_longer_than_any_session_is_refused(convoke, two_people):
    content = "\n".join(["AGDREF"] + ["1000000001"] * 501).encode()
    assert "plus de 500 lignes" in page_text(convoke("liste.csv", content))
    assert not Convocation.objects.exists()


def test_sending_the_form_without_a_file_asks_for_one(client_for):
    session = SessionFactory()
    client = client_for(Role.RECEPTION_AGENT)
    response = client.post(f"/pfa/sessions/{session.pk}/convoquer/", {"source": "file"})
    assert "Choisissez le fichier à importer." in page_text(response)
    assert not Convocation.objects.exists()


def test_the_convoke_page_offers_the_file_import(client_for):
    session = SessionFactory()
    text = page_text(client_for(Role.RECEPTION_AGENT).get(f"/pfa/sessions/{session.pk}/convoquer/"))
    assert "Convoquer depuis un fichier" in text
    assert "viendra avec le module d'import" not in text
