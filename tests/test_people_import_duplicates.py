"""Person imports and the duplicate finder (issue 17, points 4 and 5): a row to create that
looks like a person on file is shown « à vérifier » naming that file, still created all or
nothing, and the pair goes to the review list; a namesake born years apart is not flagged."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.organisations.roles import Role
from parcours.people import import_tasks, imports
from parcours.people.import_models import ImportStatus, PersonImport
from parcours.people.models import DuplicatePair, Person
from tests.factories import PersonFactory, membership_for
from tests.test_people_imports import HEADER, csv_bytes, plan

pytestmark = pytest.mark.django_db

BENALY = ["", "Benaly", "Rachid", "12/03/1985", "H", "Réfugié", "57"]


def _run(membership, data):
    run = PersonImport(
        organisation=membership.organisation,
        membership=membership,
        created_by=membership.user,
        file_name="signataires.csv",
        file_kind="csv",
    )
    run.store(data)
    return run


def test_a_row_spelled_otherwise_is_to_check_naming_the_file_then_on_the_review_list():
    membership = membership_for(Role.INTEGRATION_AUDITOR)
    existing = PersonFactory(
        last_name="BENALI", first_names="Rachid", birth_date=datetime.date(1985, 3, 12)
    )
    run = _run(membership, csv_bytes([HEADER, BENALY]))
    assert import_tasks.plan_import(run.pk) == ImportStatus.PREVIEWED
    run.refresh_from_db()
    assert run.created_count == 1 and run.error_count == 0
    assert len(run.review) == 1 and run.review[0]["persons"] == [existing.pk]
    message = run.review[0]["message"]
    assert message.startswith("Ligne 2 : à vérifier")
    assert f"BENALI Rachid né(e) le 12/03/1985 (dossier n° {existing.pk})" in message
    assert import_tasks.commit_import(run.pk) == ImportStatus.DONE
    created = Person.objects.get(last_name="BENALY")
    pair = DuplicatePair.objects.get()
    assert {pair.low_id, pair.high_id} == {existing.pk, created.pk}
    assert pair.status == "open" and pair.score >= 0.8
    assert pair.found_by == membership.user


def test_the_preview_page_shows_the_row_to_check_and_the_review_list_shows_the_pair(client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from parcours.privacy.models import AccessLog

    client = client_for(Role.INTEGRATION_AUDITOR)
    existing = PersonFactory(
        last_name="BENALI", first_names="Rachid", birth_date=datetime.date(1985, 3, 12)
    )
    upload = SimpleUploadedFile("l.csv", csv_bytes([HEADER, BENALY]), "text/csv")
    client.post("/personnes/import/", {"person_file": upload})
    run = PersonImport.objects.get()
    page = client.get(f"/personnes/import/{run.pk}/").content.decode()
    assert "À vérifier : personnes peut-être déjà connues" in page
    assert f"(dossier n° {existing.pk})" in page and "Importer ces personnes" in page
    # Naming an existing file in the preview is a read of that person, logged.
    logged = AccessLog.objects.about_person(existing.pk)
    assert logged.filter(path_name="person_import_detail").exists()
    assert client.post(f"/personnes/import/{run.pk}/importer/").status_code == 302
    assert Person.objects.count() == 2
    listed = client.get("/personnes/doublons/").content.decode()
    assert "BENALY" in listed and "BENALI" in listed


def test_a_common_name_born_clearly_apart_is_not_flagged():
    PersonFactory(last_name="BENALI", first_names="Rachid", birth_date=datetime.date(1971, 3, 12))
    result = plan(csv_bytes([HEADER, ["", "Benali", "Rachid", "12/03/1985", "H", "Réfugié", "57"]]))
    assert result.counts["create"] == 1
    assert result.to_review == []


def test_a_file_in_error_writes_neither_persons_nor_pairs():
    membership = membership_for(Role.INTEGRATION_AUDITOR)
    PersonFactory(last_name="BENALI", first_names="Rachid", birth_date=datetime.date(1985, 3, 12))
    bad = ["07123A5678", "Haddad", "Amina", "17/05/1990", "F", "Réfugié", "57"]
    result = plan(csv_bytes([HEADER, BENALY, bad]), membership=membership)
    assert len(result.to_review) == 1
    with pytest.raises(Exception, match="Rien n'a été importé"):
        imports.commit(result, actor=membership.user)
    assert Person.objects.count() == 1 and not DuplicatePair.objects.exists()


def test_the_search_stays_within_the_importing_directorate():
    from parcours.territories.models import Department

    PersonFactory(
        last_name="BENALI",
        first_names="Rachid",
        birth_date=datetime.date(1985, 3, 12),
        department=Department.objects.get(code="67"),
    )
    result = plan(csv_bytes([HEADER, BENALY]))
    assert result.to_review == []


def test_the_duplicate_search_is_one_query_per_batch_not_one_per_row():
    for index in range(30):
        PersonFactory(
            last_name=f"BENALI{index}", first_names="Rachid", birth_date=datetime.date(1985, 3, 12)
        )
    # Each row has its own AGDREF number: 60 persons, not the same person twice in the file.
    rows = [
        [f"07000000{index:02d}", f"Benaly{index}", "Rachid", f"{1 + index % 28:02d}/03/1985"]
        + ["H", "Réfugié", "57"]
        for index in range(60)
    ]
    membership = membership_for(Role.INTEGRATION_AUDITOR)
    with CaptureQueriesContext(connection) as small:
        plan(csv_bytes([HEADER, *rows[:2]]), membership=membership)
    with CaptureQueriesContext(connection) as large:
        result = plan(csv_bytes([HEADER, *rows]), membership=membership)
    assert result.counts["create"] == 60
    assert len(result.to_review) >= 1
    # 60 rows cost no more queries than 2: the candidates are read once for the batch.
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.parametrize("numbered", [False, True], ids=["no-number", "every-row-numbered"])
def test_a_person_born_with_day_and_month_swapped_is_to_check_but_not_an_anonymised_one(numbered):
    from parcours.people import services

    swapped = PersonFactory(
        last_name="BENALI", first_names="Rachid", birth_date=datetime.date(1985, 12, 3)
    )
    same_day = PersonFactory(
        last_name="BENALY", first_names="Rachid", birth_date=datetime.date(1985, 3, 12)
    )
    services.anonymise([same_day.pk], {"anonymised_at": datetime.datetime.now(datetime.UTC)})
    row = ["0712345678" if numbered else "", *BENALY[1:]]
    result = plan(csv_bytes([HEADER, row]))
    assert result.counts["create"] == 1
    [to_check] = result.to_review
    # The file born on 03/12 is named; the anonymised one born on the very day is not.
    assert [c.person.pk for c in to_check.candidates] == [swapped.pk]
