"""Tabular import of persons (issue 17, point 4): a set of malformed files each gets its
row-level French messages with nothing written; a good file imports all or nothing, and
importing it again changes nothing."""

import io
import os

import pytest
from django.core.exceptions import ValidationError

from parcours.organisations.roles import Role
from parcours.people import import_tasks, imports
from parcours.people.import_models import ColumnMapping, ImportStatus, PersonImport
from parcours.people.models import Person
from tests.factories import PersonFactory, membership_for
from tests.spreadsheet_files import ods_file, xlsx_file

pytestmark = pytest.mark.django_db

HEADER = [
    "Numéro AGDREF",
    "Nom",
    "Prénoms",
    "Date de naissance",
    "Sexe",
    "Catégorie de séjour",
    "Département",
]
GOOD = [
    ["0712345678", "Haddad", "Amina", "17/05/1990", "F", "Réfugié", "57"],
    ["0712345679", "Petrenko", "Olena", "1988-02-03", "F", "Protection subsidiaire", "57"],
    ["0712345680", "Diallo", "Mamadou", "03.11.1979", "H", "Regroupement familial", "Moselle"],
]


def csv_bytes(rows, separator=";", encoding="utf-8"):
    text = "\r\n".join(separator.join(cell for cell in row) for row in rows) + "\r\n"
    return text.encode(encoding)


def plan(data: bytes, kind="csv", membership=None, saved=None):
    membership = membership or membership_for(Role.INTEGRATION_AUDITOR)
    return imports.read_plan(
        io.BytesIO(data), kind, Person.objects.visible_to(membership), saved_mapping=saved
    )


def messages(result) -> list[str]:
    return [imports.describe(p) for p in result.problems]


@pytest.mark.parametrize(
    ("encoding", "separator"),
    [("utf-8", ";"), ("utf-8-sig", ","), ("cp1252", ";"), ("utf-16", "\t")],
    ids=["utf8", "utf8-bom-comma", "windows-1252", "utf16-tab"],
)
def test_every_encoding_and_separator_reads_the_same_three_rows(encoding, separator):
    result = plan(csv_bytes([HEADER, *GOOD], separator, encoding))
    assert result.counts == {"create": 3, "update": 0, "unchanged": 0, "error": 0}
    assert [row.values["first_names"] for row in result.rows] == ["Amina", "Olena", "Mamadou"]
    assert [str(row.values["birth_date"]) for row in result.rows] == [
        "1990-05-17",
        "1988-02-03",
        "1979-11-03",
    ]


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_spreadsheets_with_agdref_typed_as_a_number_get_their_leading_zero_back(kind):
    rows = [HEADER, [712345678, "Haddad", "Amina", "17/05/1990", "F", "Réfugié", 57]]
    data = xlsx_file(rows) if kind == "xlsx" else ods_file(rows)
    result = plan(data, kind)
    assert result.counts["create"] == 1, messages(result)
    assert result.rows[0].values["agdref_number"] == "0712345678"


def test_missing_required_columns_are_all_listed_before_any_row_is_read():
    with pytest.raises(ValidationError) as error:
        plan(csv_bytes([["Nom", "Prénoms"], ["Haddad", "Amina"]]))
    message = error.value.messages[0]
    for label in ("Date de naissance", "Catégorie de séjour", "Département"):
        assert label in message
    assert "Nom" not in message.split(":")[1].replace("Nom d", "")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "vide"),
        (csv_bytes([HEADER]), "ligne d'en-tête"),
    ],
    ids=["empty", "header-only"],
)
def test_empty_and_header_only_files_are_refused(data, expected):
    with pytest.raises(ValidationError) as error:
        plan(data or b"\r\n")
    assert expected in " ".join(error.value.messages)


def test_a_file_with_a_wrong_separator_misses_its_columns():
    # One column only: the separator is not one a spreadsheet writes (":").
    with pytest.raises(ValidationError) as error:
        plan(csv_bytes([HEADER, *GOOD], separator=":"))
    assert "Colonnes obligatoires absentes" in error.value.messages[0]


def test_extra_columns_are_ignored_and_shown():
    rows = [[*HEADER, "Observations"], *[[*row, "RAS"] for row in GOOD]]
    result = plan(csv_bytes(rows))
    assert result.counts["create"] == 3
    assert result.mapping.ignored == ["Observations"]


def test_each_faulty_cell_gets_its_french_message_and_nothing_is_written():
    rows = [
        HEADER,
        ["07123A5678", "Haddad", "Amina", "17/05/1990", "F", "Réfugié", "57"],  # letter
        ["0712345679", "Petrenko", "Olena", "31/02/1988", "F", "Réfugié", "57"],  # no such day
        ["0712345680", "=1+1", "Mamadou", "03/11/1979", "H", "Réfugié", "57"],  # formula
        ["0712345681", "Diallo", "", "1979-11-03", "Z", "Touriste", "99"],  # several cells
        ["0712345682", "Ba", "Awa", "12/12/1999", "F", "Réfugié", "57"],
        ["0712345682", "Ba", "Awa", "12/12/1999", "F", "Réfugié", "57"],  # duplicate row
    ]
    result = plan(csv_bytes(rows))
    found = messages(result)
    assert "Ligne 2, colonne A : « 07123A5678 » n'est pas un numéro AGDREF" in found[0]
    assert "Ligne 3, colonne D : « 31/02/1988 » : cette date n'existe pas." in found
    assert "Ligne 4, colonne B : formule refusée : saisissez la valeur elle-même." in found
    line5 = [m for m in found if m.startswith("Ligne 5")]
    assert [m.split(" : ")[0] for m in line5] == [
        "Ligne 5, colonne C",
        "Ligne 5, colonne E",
        "Ligne 5, colonne F",
        "Ligne 5, colonne G",
    ]
    assert "Ligne 7, colonne A : 0712345682 figure déjà ligne 6 du fichier." in found
    assert result.counts == {"create": 1, "update": 0, "unchanged": 0, "error": 5}
    with pytest.raises(ValidationError):
        imports.commit(result, actor=None)
    assert Person.objects.count() == 0


def test_a_row_matching_an_existing_person_is_an_update_and_a_second_import_changes_nothing():
    membership = membership_for(Role.INTEGRATION_AUDITOR)
    existing = PersonFactory(agdref_number="0712345678", last_name="HADAD", first_names="Amina")
    data = csv_bytes([HEADER, *GOOD])
    first = plan(data, membership=membership)
    assert [row.action for row in first.rows] == ["update", "create", "create"]
    assert first.rows[0].changed == ["last_name"] and first.rows[0].person_id == existing.pk
    imports.commit(first, actor=membership.user)
    existing.refresh_from_db()
    assert existing.last_name == "HADDAD"
    assert Person.objects.count() == 3
    again = plan(data, membership=membership)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 3, "error": 0}


def test_rows_without_agdref_number_imported_again_change_nothing_unless_they_differ():
    membership = membership_for(Role.INTEGRATION_AUDITOR)
    rows = [["", *row[1:]] for row in GOOD]
    imports.commit(plan(csv_bytes([HEADER, *rows]), membership=membership), actor=membership.user)
    assert Person.objects.count() == 3
    again = plan(csv_bytes([HEADER, *rows]), membership=membership)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 3, "error": 0}
    imports.commit(again, actor=membership.user)
    assert Person.objects.count() == 3
    # Another département for Amina Haddad: maybe another person of the same names and birth
    # date, maybe the same one moved: created, and shown « à vérifier » naming the file.
    moved = [rows[0][:6] + ["67"], *rows[1:]]
    third = plan(csv_bytes([HEADER, *moved]), membership=membership)
    assert third.counts == {"create": 1, "update": 0, "unchanged": 2, "error": 0}
    [to_check] = third.to_review
    assert to_check.candidates[0].person.last_name == "HADDAD"


def test_an_agdref_number_of_another_perimeter_is_an_error_not_a_new_file():
    from parcours.territories.models import Department

    PersonFactory(agdref_number="0712345678", department=Department.objects.get(code="67"))
    result = plan(csv_bytes([HEADER, GOOD[0]]))
    assert result.counts["error"] == 1
    assert "hors de votre périmètre" in messages(result)[0]


def test_the_saved_mapping_reads_the_organisations_own_headers():
    rows = [
        ["N° étranger", "NOM", "Prénom usuel", "Né(e) le", "Sexe", "Séjour", "Dépt"],
        GOOD[0],
    ]
    with pytest.raises(ValidationError):
        plan(csv_bytes(rows))
    saved = {
        "agdref_number": "N° étranger",
        "first_names": "Prénom usuel",
        "birth_date": "Né(e) le",
    }
    result = plan(csv_bytes(rows), saved=saved)
    assert result.counts["create"] == 1


def _run(membership, data, name="liste.csv", kind="csv"):
    run = PersonImport(
        organisation=membership.organisation,
        membership=membership,
        created_by=membership.user,
        file_name=name,
        file_kind=kind,
    )
    run.store(data)
    return run


def test_the_background_import_previews_commits_and_keeps_the_history():
    membership = membership_for(Role.INTEGRATION_AUDITOR)
    run = _run(membership, csv_bytes([HEADER, *GOOD]))
    uploaded = run.file.path
    assert import_tasks.plan_import(run.pk) == ImportStatus.PREVIEWED
    run.refresh_from_db()
    assert (run.created_count, run.error_count, run.progress_percent) == (3, 0, 100)
    assert Person.objects.count() == 0  # a preview writes no person
    assert os.path.exists(uploaded) and os.path.exists(run.plan_path)
    plan = run.plan_path
    assert import_tasks.commit_import(run.pk) == ImportStatus.DONE
    run.refresh_from_db()
    assert (run.status, run.created_count, run.file.name) == ("done", 3, "")
    # The file held personal data: gone from the disk with its plan once imported.
    assert not os.path.exists(uploaded) and not os.path.exists(plan)
    assert Person.objects.count() == 3
    assert (
        ColumnMapping.objects.get(organisation=membership.organisation).columns["last_name"]
        == "Nom"
    )
    assert import_tasks.commit_import(run.pk) == ImportStatus.DONE  # idempotent
    assert Person.objects.count() == 3


@pytest.mark.parametrize("stale", [False, True], ids=["stored-plan", "planned-again"])
def test_an_import_killed_half_way_leaves_the_database_unchanged_and_can_be_run_again(
    monkeypatch, stale
):
    from parcours.people import services

    membership = membership_for(Role.INTEGRATION_AUDITOR)
    rows = [
        [f"07{i:08d}", f"Nom{'BCDFGKLMNP'[i % 10]}{'BCDFGKLMNP'[i // 10]}", "Amina"]
        + [f"{1 + i % 28:02d}/05/1990", "F", "Réfugié", "57"]
        for i in range(25)
    ]
    run = _run(membership, csv_bytes([HEADER, *rows]))
    monkeypatch.setattr(imports, "CHUNK", 10)
    import_tasks.plan_import(run.pk)
    if stale:  # a file written since the preview: the commit reads and plans the file again
        PersonFactory()
    before = Person.objects.count()
    real = services.create_persons_bulk
    written_before_death = []

    def dies_on_the_second_chunk(values_list, **kwargs):
        if written_before_death:
            raise SystemExit("worker killed")
        created = real(values_list, **kwargs)
        written_before_death.append(Person.objects.count())
        return created

    monkeypatch.setattr(services, "create_persons_bulk", dies_on_the_second_chunk)
    with pytest.raises(SystemExit):
        import_tasks.commit_import(run.pk)
    # The first chunk was written when the worker died.
    assert written_before_death == [before + 10]
    assert Person.objects.count() == before
    run.refresh_from_db()
    assert run.status == ImportStatus.PREVIEWED
    monkeypatch.setattr(services, "create_persons_bulk", real)
    assert import_tasks.commit_import(run.pk) == ImportStatus.DONE
    assert Person.objects.count() == before + 25
    run.refresh_from_db()
    assert (run.created_count, run.updated_count, run.unchanged_count) == (25, 0, 0)
    # Imported again: nothing changes.
    again = _run(membership, csv_bytes([HEADER, *rows]))
    import_tasks.plan_import(again.pk)
    assert import_tasks.commit_import(again.pk) == ImportStatus.DONE
    again.refresh_from_db()
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 25)
    assert Person.objects.count() == before + 25


def test_a_refused_file_keeps_its_messages_and_drops_its_content():
    membership = membership_for(Role.INTEGRATION_AUDITOR)
    run = _run(membership, csv_bytes([["Nom"], ["Haddad"]]))
    uploaded = run.file.path
    assert import_tasks.plan_import(run.pk) == ImportStatus.REFUSED
    run.refresh_from_db()
    assert "Colonnes obligatoires absentes" in run.messages[0]
    assert run.file.name == "" and not os.path.exists(uploaded)
    left = os.listdir(os.path.dirname(uploaded))
    assert not [name for name in left if name.startswith(os.path.basename(uploaded))]  # no plan


def test_the_pages_upload_preview_and_commit_a_file(client_for, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(Role.INTEGRATION_AUDITOR)
    upload = SimpleUploadedFile("signataires.csv", csv_bytes([HEADER, *GOOD]), "text/csv")
    response = client.post("/personnes/import/", {"person_file": upload})
    run = PersonImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/personnes/import/{run.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Aperçu prêt" in page and "Importer ces personnes" in page
    polled = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert polled.lstrip().startswith('<div id="import-status"') and "hx-trigger" not in polled
    assert client.post(f"/personnes/import/{run.pk}/importer/").status_code == 302
    assert Person.objects.count() == 3
    history = client.get("/personnes/import/").content.decode()
    assert "signataires.csv" in history and "Importé" in history


def test_a_file_with_errors_cannot_be_committed_from_the_page(client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(Role.INTEGRATION_AUDITOR)
    rows = [HEADER, ["07123A5678", "Haddad", "Amina", "17/05/1990", "F", "Réfugié", "57"]]
    client.post(
        "/personnes/import/",
        {"person_file": SimpleUploadedFile("l.csv", csv_bytes(rows), "text/csv")},
    )
    run = PersonImport.objects.get()
    page = client.get(f"/personnes/import/{run.pk}/").content.decode()
    assert "Ligne 2, colonne A" in page and "Importer ces personnes" not in page
    assert client.post(f"/personnes/import/{run.pk}/importer/").status_code == 404
    assert Person.objects.count() == 0


def test_another_organisations_import_is_a_404(client_for):
    mine = client_for(Role.INTEGRATION_AUDITOR)
    other = membership_for(Role.INTEGRATION_AUDITOR, directorate_code="strasbourg")
    run = _run(other, csv_bytes([HEADER, *GOOD]))
    assert mine.get(f"/personnes/import/{run.pk}/").status_code == 404
    assert mine.post(f"/personnes/import/{run.pk}/importer/").status_code == 404
