"""The corpus of tests/files/: each real-world file convokes everyone or nobody, as expected."""

from pathlib import Path

import pytest

from parcours.organisations.roles import Role
from parcours.reception.models import Convocation
from tests.convocation_imports import import_list
from tests.factories import PersonFactory
from tests.factories_reception import SessionFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"
SIX = [f"100000000{n}" for n in range(1, 7)]

# file → (AGDREF numbers convoked, or None when refused; words the page must show)
EXPECTED = {
    "xlsx-dimension-smaller.xlsx": (SIX, "Fichier lu en entier : 6 ligne(s)."),
    "xlsx-dimension-a1.xlsx": (SIX, "6 personne(s) convoquée(s)"),
    "xlsx-dimension-huge.xlsx": (SIX, "6 personne(s) convoquée(s)"),
    "xlsx-second-sheet.xlsx": (SIX, "6 personne(s) convoquée(s)"),
    "xlsx-title-rows.xlsx": (SIX, "6 personne(s) convoquée(s)"),
    "xlsx-leading-zeros.xlsx": (["0000000123", "0000004567"], "2 personne(s) convoquée(s)"),
    "xlsx-formula-stored.xlsx": (SIX[:2], "2 personne(s) convoquée(s)"),
    "xlsx-formula-without-value.xlsx": (
        None,
        "Ligne 2, colonne A : formule sans valeur enregistrée",
    ),
    "xlsx-named-row-without-number.xlsx": (
        None,
        "Ligne 3, colonne B : la ligne est remplie mais n'a pas de numéro AGDREF.",
    ),
    "xlsx-two-lists.xlsx": (None, "plusieurs feuilles remplies (Mardi, Jeudi)"),
    "csv-texte-unicode.txt": (SIX, "6 personne(s) convoquée(s)"),
    "csv-windows-1252.csv": (SIX, "6 personne(s) convoquée(s)"),
    "csv-utf8-bom.csv": (SIX, "6 personne(s) convoquée(s)"),
    "csv-mac-cr.csv": (SIX, "6 personne(s) convoquée(s)"),
    "csv-sep-line.csv": (SIX, "6 personne(s) convoquée(s)"),
    "csv-quoted-commas.csv": (SIX, "6 personne(s) convoquée(s)"),
    "csv-invisible-characters.csv": (SIX, "6 personne(s) convoquée(s)"),
    "csv-bad-number.csv": (
        None,
        "Ligne 3, colonne B : « 10000 » n'est pas un numéro AGDREF (10 chiffres attendus).",
    ),
    "ods-merged-header.ods": (SIX, "6 personne(s) convoquée(s)"),
    "ods-numbers-as-text.ods": (SIX, "6 personne(s) convoquée(s)"),
    "ods-second-sheet.ods": (SIX, "6 personne(s) convoquée(s)"),
}


# The names the files give next to the numbers: the import checks them (issue 17 point 4).
NAMES = ["HADDAD", "KOVAL", "NGUYEN", "DIALLO", "SILVA", "POPESCU"]


@pytest.fixture
def people():
    for number, name in zip(SIX, NAMES, strict=True):
        PersonFactory(agdref_number=number, last_name=name, first_names="Hélène")
    for number in ["0000000123", "0000004567"]:
        PersonFactory(agdref_number=number)


def _import(client, session, name, **extra):
    return import_list(client, session, name, (FILES / name).read_bytes(), **extra)


def test_every_file_of_the_corpus_has_an_expected_outcome():
    on_disk = {p.name for p in FILES.iterdir() if p.suffix in (".csv", ".txt", ".xlsx", ".ods")}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_convokes_everyone_or_nobody(client_for, people, name):
    expected, words = EXPECTED[name]
    session = SessionFactory(capacity=60)
    response = _import(client_for(Role.RECEPTION_AGENT), session, name)
    text = page_text(response)
    assert response.status_code == 200
    assert words in text
    convoked = sorted(session.convocations.values_list("person__agdref_number", flat=True))
    if expected is None:
        assert "Rien n'a été convoqué" in text or "Rien n'a été enregistré" in text
        assert not Convocation.objects.exists()
    else:
        assert convoked == sorted(expected)


def test_naming_the_sheet_of_a_two_list_workbook_convokes_that_list(client_for, people):
    session = SessionFactory(capacity=60)
    client = client_for(Role.RECEPTION_AGENT)
    response = _import(client, session, "xlsx-two-lists.xlsx", sheet="jeudi")
    assert "3 personne(s) convoquée(s)" in page_text(response)
    assert sorted(session.convocations.values_list("person__agdref_number", flat=True)) == SIX[3:]


def test_a_sheet_name_that_is_not_in_the_workbook_is_named_back(client_for, people):
    session = SessionFactory(capacity=60)
    response = _import(
        client_for(Role.RECEPTION_AGENT), session, "xlsx-two-lists.xlsx", sheet="Vendredi"
    )
    assert "Aucune feuille « Vendredi » dans ce classeur. Feuilles : Mardi, Jeudi." in page_text(
        response
    )
    assert not Convocation.objects.exists()
