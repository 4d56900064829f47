"""Issue 17 point 4: a convocation list imported with a preview, then convoked all or nothing."""

import datetime

import pytest

from parcours.organisations.roles import Role
from parcours.people.import_models import ColumnMapping
from parcours.reception.models import Convocation, ConvocationImport, ConvocationImportStatus
from parcours.territories.models import Department
from tests.convocation_imports import CONFIRM, confirm_url, import_list, upload_list
from tests.factories import PersonFactory
from tests.factories_reception import ConvocationFactory, SessionFactory
from tests.helpers import page_text
from tests.spreadsheet_files import ods_file, xlsx_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client_for):
    return client_for(Role.RECEPTION_AGENT)


@pytest.fixture
def session():
    return SessionFactory(capacity=12)


@pytest.fixture
def three():
    return [
        PersonFactory(
            agdref_number="1000000001",
            last_name="HADDAD",
            first_names="Hélène",
            birth_date=datetime.date(1990, 5, 17),
        ),
        PersonFactory(agdref_number="1000000002", last_name="KOVAL", first_names="Oksana"),
        PersonFactory(agdref_number="0712345678", last_name="NGUYEN", first_names="Lan"),
    ]


def nothing_written(session):
    assert not Convocation.objects.filter(session=session).exists()


# ---------------------------------------------------------------------------------------------
# The preview, the confirmation, the history
# ---------------------------------------------------------------------------------------------


def test_the_file_is_previewed_row_by_row_and_nothing_is_convoked_before_confirming(
    agent, session, three
):
    content = b"AGDREF;Nom\n1000000001;HADDAD\n1000000002;KOVAL\n"
    response = upload_list(agent, session, "liste.csv", content)
    text = page_text(response)
    assert "Aperçu de l'import" in text
    assert "HADDAD Hélène" in text and "KOVAL Oksana" in text
    assert "2 à convoquer" in text
    assert CONFIRM + " 2 personnes" in text
    nothing_written(session)
    run = ConvocationImport.objects.get()
    assert run.status == ConvocationImportStatus.PREVIEWED
    assert (run.total_rows, run.convoked_count, run.error_count) == (2, 2, 0)

    done = page_text(agent.post(confirm_url(response), follow=True))
    assert "Fichier lu en entier : 2 ligne(s). 2 personne(s) convoquée(s)" in done
    assert set(session.convocations.values_list("person__agdref_number", flat=True)) == {
        "1000000001",
        "1000000002",
    }
    run.refresh_from_db()
    assert run.status == ConvocationImportStatus.DONE
    assert run.content == b""  # the history keeps the counts, not the list
    # The history on the session's convoke page: who, when, which file, what it did.
    assert "Fichiers importés pour cette session" in done
    assert "liste.csv" in done and run.created_by.email in done and "Convoqué" in done


def test_the_same_file_imported_again_changes_nothing(agent, session, three):
    content = xlsx_file([["AGDREF"], [1000000001], [1000000002]])
    import_list(agent, session, "liste.xlsx", content)
    assert session.convocations.count() == 2
    again = upload_list(agent, session, "liste.xlsx", content)
    text = page_text(again)
    assert "2 déjà convoquées" in text and "0 à convoquer" in text
    assert "déjà convoqué(e) à cette session." in text
    assert "rien à faire" in text and CONFIRM not in text
    assert session.convocations.count() == 2


def test_rows_already_convoked_are_left_as_they_are_and_the_others_convoked(agent, session, three):
    ConvocationFactory(session=session, person=three[0])
    text = page_text(import_list(agent, session, "liste.csv", b"AGDREF\n1000000001\n1000000002\n"))
    assert "1 personne(s) convoquée(s) : KOVAL Oksana." in text
    assert "1 déjà convoquée(s), inchangée(s)." in text
    assert session.convocations.count() == 2


def test_a_number_typed_as_a_number_gets_its_leading_zero_back(agent, session, three):
    text = page_text(
        import_list(agent, session, "liste.xlsx", xlsx_file([["AGDREF"], [712345678]]))
    )
    assert "1 personne(s) convoquée(s) : NGUYEN Lan." in text


def test_an_opendocument_list_with_names_and_birth_dates_is_checked_and_convoked(
    agent, session, three
):
    content = ods_file(
        [
            ["Nom", "Prénoms", "Date de naissance", "N° AGDREF"],
            ["Haddad", "Hélène", "17/05/1990", "1000000001"],
        ]
    )
    text = page_text(import_list(agent, session, "liste.ods", content))
    assert "1 personne(s) convoquée(s) : HADDAD Hélène." in text


@pytest.mark.parametrize(
    ("encoding", "separator"),
    [("cp1252", ";"), ("utf-16", "\t"), ("utf-8-sig", ","), ("utf-8", "|")],
)
def test_any_usual_encoding_and_separator_is_read(agent, session, three, encoding, separator):
    rows = [["Prénoms", "Nom", "AGDREF"], ["Hélène", "HADDAD", "1000000001"]]
    content = "\r\n".join(separator.join(row) for row in rows).encode(encoding)
    text = page_text(import_list(agent, session, "liste.csv", content))
    assert "1 personne(s) convoquée(s) : HADDAD Hélène." in text


# ---------------------------------------------------------------------------------------------
# Row errors: named, and nothing written
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"AGDREF;Nom\n1000000001;HADDAD\n1000000002;DURAND Paul\n",
            "Ligne 3 : le numéro AGDREF 1000000002 est celui de KOVAL Oksana, pas de DURAND Paul.",
        ),
        (
            b"AGDREF;Nom;Date de naissance\n1000000001;HADDAD;18/05/1990\n",
            "Ligne 2 : le numéro AGDREF 1000000001 est celui de HADDAD Hélène, née ou né le "
            "17/05/1990, pas le 18/05/1990.",
        ),
        (
            b"AGDREF\n1000000001\n10000000A2\n",
            "Ligne 3, colonne A : « 10000000A2 » n'est pas un numéro AGDREF (10 chiffres, sans "
            "lettre).",
        ),
        (
            b"AGDREF\n1000000001\n1000 000 001\n",
            "Ligne 3, colonne A : 1000000001 figure déjà ligne 2 du fichier.",
        ),
        (
            b"AGDREF\n1000000009\n",
            "Ligne 2, colonne A : aucun dossier de votre périmètre pour 1000000009.",
        ),
        (
            b"AGDREF\n=1000000000+1\n",
            "Ligne 2, colonne A : formule refusée : saisissez la valeur elle-même.",
        ),
        (
            b"Nom;AGDREF\nHADDAD;1000000001\nKOVAL;\n",
            "Ligne 3, colonne B : la ligne est remplie mais n'a pas de numéro AGDREF.",
        ),
    ],
    ids=["other name", "other birth date", "letter", "duplicate", "unknown", "formula", "blank"],
)
def test_a_faulty_row_is_named_and_the_file_cannot_be_confirmed(
    agent, session, three, content, message
):
    response = upload_list(agent, session, "liste.csv", content)
    text = page_text(response)
    assert message in text
    assert "Rien n'a été convoqué" in text
    assert CONFIRM not in text
    # The state says what to do, not « en attente de confirmation ».
    assert "en attente de confirmation" not in text
    assert "corrigez le fichier et déposez-le de nouveau" in text
    # Even a confirmation forced by hand convokes nobody.
    run = ConvocationImport.objects.get()
    refused = page_text(agent.post(f"/pfa/imports/{run.pk}/confirmer/", follow=True))
    assert "Rien n'a été convoqué" in refused
    nothing_written(session)
    run.refresh_from_db()
    assert run.status == ConvocationImportStatus.REFUSED


def test_a_person_of_another_directorate_is_not_in_the_perimeter(agent, session, three):
    elsewhere = Department.objects.filter(directorate__code="strasbourg").first()
    PersonFactory(agdref_number="2000000001", last_name="WEBER", department=elsewhere)
    text = page_text(upload_list(agent, session, "liste.csv", b"AGDREF\n1000000001\n2000000001\n"))
    assert "Ligne 3, colonne A : aucun dossier de votre périmètre pour 2000000001." in text
    assert "WEBER" not in text  # nothing of a file outside the perimeter is shown
    nothing_written(session)


# ---------------------------------------------------------------------------------------------
# The whole file refused
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier est vide"),
        (b"AGDREF\n", "Le fichier n'a que sa ligne d'en-tête : aucune personne à convoquer."),
        (
            b"Nom;Ville\nHADDAD;Metz\n",
            "Colonne obligatoire absente : « Numéro AGDREF ». Rien n'a été lu ni convoqué.",
        ),
        ("AGDREF\n1000000001\n".encode("utf-32"), "ne correspond pas à son extension"),
    ],
    ids=["empty", "header only", "missing column", "unreadable encoding"],
)
def test_a_file_that_is_not_a_list_is_refused_on_the_form(agent, session, three, content, message):
    response = upload_list(agent, session, "liste.csv", content)
    text = page_text(response)
    assert response.status_code == 200
    assert message in text
    assert not ConvocationImport.objects.exists()
    nothing_written(session)


def test_more_persons_than_free_seats_refuse_the_whole_file(agent, three):
    session = SessionFactory(capacity=2)
    ConvocationFactory(session=session)
    response = upload_list(agent, session, "liste.csv", b"AGDREF\n1000000001\n1000000002\n")
    text = page_text(response)
    assert (
        "Fichier refusé : 2 personne(s) à convoquer pour 1 place(s) libre(s) (2 places, 1 déjà "
        "prises). Rien ne sera convoqué" in text
    )
    assert CONFIRM not in text
    assert session.convocations.count() == 1


def test_seats_taken_between_the_preview_and_the_confirmation_refuse_the_file(agent, three):
    session = SessionFactory(capacity=2)
    response = upload_list(agent, session, "liste.csv", b"AGDREF\n1000000001\n1000000002\n")
    url = confirm_url(response)
    assert url is not None
    ConvocationFactory(session=session)  # a colleague convoked somebody meanwhile
    text = page_text(agent.post(url, follow=True))
    assert "Fichier refusé : 2 personne(s) à convoquer pour 1 place(s) libre(s)" in text
    assert session.convocations.count() == 1


def test_confirming_twice_convokes_once(agent, session, three):
    response = upload_list(agent, session, "liste.csv", b"AGDREF\n1000000001\n")
    url = confirm_url(response)
    agent.post(url)
    second = page_text(agent.post(url, follow=True))
    assert "Cet import n'attend plus de confirmation : rien n'a été convoqué." in second
    assert session.convocations.count() == 1


def test_a_new_file_gives_up_the_preview_not_confirmed(agent, session, three):
    first = upload_list(agent, session, "premier.csv", b"AGDREF\n1000000001\n")
    upload_list(agent, session, "second.csv", b"AGDREF\n1000000002\n")
    abandoned = ConvocationImport.objects.get(file_name="premier.csv")
    assert abandoned.status == ConvocationImportStatus.ABANDONED and abandoned.content == b""
    text = page_text(agent.post(confirm_url(first), follow=True))
    assert "n'attend plus de confirmation" in text
    nothing_written(session)


# ---------------------------------------------------------------------------------------------
# The mapping saved per organisation, the perimeter of the pages
# ---------------------------------------------------------------------------------------------


def test_the_organisations_own_header_is_saved_and_used(agent, session, three):
    organisation = agent.membership.organisation
    ColumnMapping.objects.create(organisation=organisation, columns={"agdref_number": "Réf. OFII"})
    content = b"R\xe9f. OFII;Nom\n1000000001;HADDAD\n"  # Windows-1252
    text = page_text(import_list(agent, session, "liste.csv", content))
    assert "1 personne(s) convoquée(s) : HADDAD Hélène." in text
    content = b"N\xb0 AGDREF;Nom\n1000000002;KOVAL\n"
    import_list(agent, session, "liste.csv", content)
    saved = ColumnMapping.objects.get(organisation=organisation).columns
    assert saved["agdref_number"] == "N° AGDREF" and saved["last_name"] == "Nom"


def test_an_import_of_another_directorate_is_not_found(agent, session, three, client_for):
    upload_list(agent, session, "liste.csv", b"AGDREF\n1000000001\n")
    run = ConvocationImport.objects.get()
    other = client_for(Role.RECEPTION_AGENT, directorate_code="strasbourg")
    assert other.get(f"/pfa/imports/{run.pk}/").status_code == 404
    assert other.post(f"/pfa/imports/{run.pk}/confirmer/").status_code == 404
    nothing_written(session)


def test_a_list_nobody_confirmed_is_emptied_by_the_retention_job(agent, session, three):
    from django.utils import timezone

    from parcours.privacy.retention import run_retention

    upload_list(agent, session, "oubliee.csv", b"AGDREF\n1000000001\n")
    other = SessionFactory(capacity=12, directorate=session.directorate)
    upload_list(agent, other, "recente.csv", b"AGDREF\n1000000002\n")
    forgotten, recent = (ConvocationImport.objects.get(session=s) for s in (session, other))
    assert forgotten.content and recent.content
    ConvocationImport.objects.filter(pk=forgotten.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=40)
    )

    run_retention(dry_run=False)

    forgotten.refresh_from_db()
    recent.refresh_from_db()
    assert forgotten.content == b"" and forgotten.status == ConvocationImportStatus.ABANDONED
    assert forgotten.file_name == "oubliee.csv"  # the session's history stays
    assert recent.content and recent.status == ConvocationImportStatus.PREVIEWED
    nothing_written(session)
