"""Person import at scale (issue 17): the services' bulk path keeps the history and the rules
of the one-by-one writes, the same person twice in a file is refused on its second row, the
import reports its progress, and its queries are per chunk, not per row."""

import datetime
import gc
import io

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from parcours.core import collector
from parcours.organisations.roles import Role
from parcours.people import import_tasks, imports, services
from parcours.people.import_models import ImportStatus, PersonImport
from parcours.people.models import Person
from parcours.privacy.models import FieldChange
from parcours.territories.models import Department
from tests.factories import PersonFactory, membership_for

pytestmark = pytest.mark.django_db

HEADER = "Numéro AGDREF;Nom;Prénoms;Date de naissance;Sexe;Catégorie de séjour;Département"


def csv_file(lines) -> bytes:
    return ("\r\n".join([HEADER, *lines]) + "\r\n").encode()


def consonants(number: int) -> str:
    return "".join("BCDFGKLMNP"[int(d)] for d in str(number))


def many(count: int, start: int = 0) -> list[str]:
    """`count` distinct persons (names that sound apart, their own AGDREF numbers)."""
    return [
        f"07{start + i:08d};NOM{consonants(start + i)};Prénom{consonants(i % 7)};"
        f"{1 + i % 28:02d}/{1 + i % 12:02d}/{1960 + i % 40};F;Réfugié;57"
        for i in range(count)
    ]


def plan(data: bytes, membership=None):
    membership = membership or membership_for(Role.INTEGRATION_AUDITOR)
    return imports.read_plan(io.BytesIO(data), "csv", Person.objects.visible_to(membership))


def test_the_same_person_twice_in_the_file_is_refused_on_its_second_row():
    result = plan(
        csv_file(
            [
                ";Haddad;Amina;17/05/1990;F;Réfugié;57",
                "0712345679;Petrenko;Olena;03/02/1988;F;Réfugié;57",
                ";HADAD;Amina;17/05/1990;F;Réfugié;57",  # the first row, spelled otherwise
                "0712345679;Petrenko;Olena;03/02/1988;F;Réfugié;57",  # the same number
            ]
        )
    )
    found = [imports.describe(p) for p in result.problems]
    assert len(found) == 2, found
    assert found[0].startswith("Ligne 4 : même personne que la ligne 2 (")
    assert found[1] == "Ligne 5, colonne A : 0712345679 figure déjà ligne 3 du fichier."
    assert result.counts == {"create": 2, "update": 0, "unchanged": 0, "error": 2}
    with pytest.raises(ValidationError):
        imports.commit(result, actor=None)
    assert Person.objects.count() == 0


def test_rows_with_their_own_agdref_numbers_are_two_persons_even_with_one_name():
    result = plan(
        csv_file(
            [
                "0712345678;Haddad;Amina;17/05/1990;F;Réfugié;57",
                "0712345679;Haddad;Amina;17/05/1990;F;Réfugié;57",
            ]
        )
    )
    assert result.counts["create"] == 2, [imports.describe(p) for p in result.problems]


def test_a_file_in_several_chunks_plans_and_writes_like_one(
    monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(imports, "CHUNK", 40)
    existing = PersonFactory(agdref_number="0700000003", first_names="Ancien", birth_date=None)
    membership = membership_for(Role.INTEGRATION_AUDITOR)
    result = plan(csv_file(many(120)), membership)
    assert result.counts == {"create": 119, "update": 1, "unchanged": 0, "error": 0}
    # Per chunk of 40: the files by AGDREF (2), the duplicate candidates (1), the creations
    # (department, AGDREF numbers, INSERT), the update (lock, AGDREF, UPDATE, history),
    # not per row.
    with django_assert_max_num_queries(40):
        imports.commit(result, actor=membership.user)
    assert Person.objects.count() == 120
    existing.refresh_from_db()
    assert existing.first_names == "Prénom" + consonants(3 % 7)
    created = Person.objects.get(agdref_number="0700000004")
    # What create_person sets: the DT of the département, the name keys.
    assert created.directorate_id == Department.objects.get(code="57").directorate_id
    assert created.last_name_key and created.search_text.startswith("NOM")
    again = plan(csv_file(many(120)), membership)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 120, "error": 0}


def test_the_bulk_update_writes_the_history_as_edit_person_does():
    membership = membership_for(Role.INTEGRATION_AUDITOR)
    one = PersonFactory(first_names="Amina", birth_date=datetime.date(1990, 5, 17))
    two = PersonFactory(first_names="Olena", birth_date=datetime.date(1988, 2, 3))
    outcomes = services.update_persons_bulk(
        [
            (one.pk, {"first_names": "Amina Lina", "birth_date": datetime.date(1990, 5, 18)}),
            (two.pk, {"first_names": "Olena"}),  # unchanged: no history row
        ],
        actor=membership.user,
        reason="Import d'un fichier de personnes",
    )
    assert [sorted(o.changed_fields) for o in outcomes] == [["birth_date", "first_names"], []]
    rows = FieldChange.objects.filter(person_id__in=[one.pk, two.pk]).order_by("field")
    assert [(r.person_id, r.field, r.after, r.user_id, r.reason) for r in rows] == [
        (
            one.pk,
            "birth_date",
            "1990-05-18",
            membership.user.pk,
            "Import d'un fichier de personnes",
        ),
        (
            one.pk,
            "first_names",
            "Amina Lina",
            membership.user.pk,
            "Import d'un fichier de personnes",
        ),
    ]
    one.refresh_from_db()
    assert one.search_text.endswith("AMINA LINA")


def test_an_invalid_row_in_the_bulk_path_writes_nothing():
    department = Department.objects.get(code="57")
    good = {"last_name": "HADDAD", "first_names": "Amina", "residence_status": "refugee"}
    with pytest.raises(ValidationError):
        services.create_persons_bulk(
            [
                {**good, "department": department.pk},
                {**good, "department": department.pk, "agdref_number": "12AB"},
            ],
            actor=None,
        )
    assert Person.objects.count() == 0
    with pytest.raises(ValidationError):
        services.create_persons_bulk([{**good, "department": 987654}], actor=None)
    assert Person.objects.count() == 0


def test_the_bulk_path_creates_the_file_the_one_by_one_service_creates():
    """The bulk path builds its files without the model's constructor (issue 17, speed): every
    column must still be what create_person stores, the rules of the model still refuse."""
    membership = membership_for(Role.INTEGRATION_AUDITOR)
    department = Department.objects.get(code="57")
    values = {
        "last_name": "Haddad",
        "first_names": "Amina",
        "birth_date": datetime.date(1990, 5, 17),
        "sex": "F",
        "residence_status": "refugee",
        "department": department.pk,
    }
    one = services.create_person(values, actor=membership.user)
    (bulk,) = services.create_persons_bulk([values], actor=membership.user)
    one.refresh_from_db()
    bulk.refresh_from_db()
    skipped = {"id", "created_at", "updated_at"}
    columns = [f.attname for f in Person._meta.concrete_fields if f.attname not in skipped]
    assert {c: getattr(bulk, c) for c in columns} == {c: getattr(one, c) for c in columns}
    assert bulk.created_by_id == membership.user.pk and bulk.directorate_id is not None
    # A field a file cannot lack, left out, and a rule of Person.clean: refused, nothing kept.
    with pytest.raises(ValidationError) as missing:
        services.create_persons_bulk(
            [{"first_names": "Olena", "residence_status": "refugee"}], actor=None
        )
    assert "last_name" in missing.value.message_dict
    with pytest.raises(ValidationError) as agir:
        services.create_persons_bulk(
            [{**values, "residence_status": "worker", "agir_followed": True}], actor=None
        )
    assert "agir_followed" in agir.value.message_dict
    assert Person.objects.count() == 2


def test_the_collector_thresholds_come_back_after_an_import_even_a_refused_one(monkeypatch):
    """The import collects garbage less often while it runs (core.collector); the process
    (a web worker, the task worker) gets its own settings back after it, whatever happened."""
    seen = []
    planner_flush = imports._Planner._flush

    def flush(self):
        seen.append(gc.get_threshold())
        planner_flush(self)

    monkeypatch.setattr(imports._Planner, "_flush", flush)
    before = gc.get_threshold()
    plan(csv_file(many(3)))
    assert seen == [collector.BULK_THRESHOLDS] and gc.get_threshold() == before
    with pytest.raises(ValidationError):
        plan(b"")  # an empty file: refused inside the block
    assert gc.get_threshold() == before


def test_an_anonymised_file_is_not_updated_by_the_bulk_path():
    person = PersonFactory(first_names="Amina")
    services.anonymise([person.pk], {"anonymised_at": datetime.datetime.now(datetime.UTC)})
    with pytest.raises(ValidationError):
        services.update_persons_bulk(
            [(person.pk, {"first_names": "Autre"})], actor=None, reason="Import"
        )


def _run(membership, data):
    run = PersonImport(
        organisation=membership.organisation,
        membership=membership,
        created_by=membership.user,
        file_name="liste.csv",
        file_kind="csv",
    )
    run.store(data)
    return run


def test_the_background_import_reports_its_progress_and_the_page_shows_it(monkeypatch, client_for):
    monkeypatch.setattr(imports, "CHUNK", 10)
    client = client_for(Role.INTEGRATION_AUDITOR)
    membership = client.membership
    run = _run(membership, csv_file(many(25)))
    import_tasks.plan_import(run.pk)
    run.refresh_from_db()
    assert (run.status, run.total_rows, run.done_rows) == (ImportStatus.PREVIEWED, 25, 25)

    reported = []
    real_set = cache.set

    def spy(key, value, *args, **kwargs):
        if key == import_tasks.progress_key(run.pk):
            reported.append(value)
        return real_set(key, value, *args, **kwargs)

    monkeypatch.setattr(import_tasks.cache, "set", spy)
    assert import_tasks.commit_import(run.pk) == ImportStatus.DONE
    assert reported == [0, 10, 20, 25]

    # While a commit runs, the page polls and shows the rows done out of the total.
    PersonImport.objects.filter(pk=run.pk).update(
        status=ImportStatus.RUNNING, done_rows=0, commit_requested_at=timezone.now()
    )
    real_set(import_tasks.progress_key(run.pk), 10, 60)
    response = client.get(f"/personnes/import/{run.pk}/", headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "10 lignes traitées sur 25." in page
    assert 'value="40"' in page
    assert 'hx-trigger="every 1s"' in page
    cache.delete(import_tasks.progress_key(run.pk))


def test_a_person_on_file_is_proposed_for_rows_of_the_first_and_the_last_chunk(monkeypatch):
    # The persons of a birth date are read once per file (imports.DateBlocks): a row of a
    # later chunk born on the same date still gets the existing file as a candidate.
    monkeypatch.setattr(imports, "CHUNK", 40)
    known = PersonFactory(
        agdref_number=None,
        last_name="BENALI",
        first_names="Mohamed",
        birth_date=datetime.date(1980, 5, 17),
    )
    rows = many(80)
    rows.insert(0, "0799999901;BENALY;Mohamed;17/05/1980;M;Réfugié;57")
    rows.append("0799999902;BEN ALI;Mohammed;17/05/1980;M;Réfugié;57")
    result = plan(csv_file(rows))
    assert result.counts["create"] == 82
    proposed = {row.number: [c.person.pk for c in row.candidates] for row in result.to_review}
    assert proposed == {2: [known.pk], 83: [known.pk]}


def test_the_commit_writes_the_plan_of_the_preview_when_nothing_changed_since(monkeypatch):
    membership = membership_for(Role.INTEGRATION_AUDITOR)
    known = PersonFactory(
        agdref_number="0700000001",
        last_name="NOMC",
        first_names="Ancien",
        birth_date=datetime.date(1961, 2, 2),
        department=Department.objects.get(code="57"),
    )
    run = _run(membership, csv_file(many(6)))
    import_tasks.plan_import(run.pk)

    def must_not_plan_again(*args, **kwargs):
        raise AssertionError("the stored plan is still true: the file is not planned again")

    monkeypatch.setattr(imports, "commit_file", must_not_plan_again)
    assert import_tasks.commit_import(run.pk) == ImportStatus.DONE
    run.refresh_from_db()
    assert (run.created_count, run.updated_count) == (5, 1)
    assert Person.objects.filter(agdref_number__startswith="07").count() == 6
    known.refresh_from_db()
    assert known.first_names == "PrénomC"
    # The history row the person services write for an edit with a reason.
    change = FieldChange.objects.get(person_id=known.pk, field="first_names")
    assert (change.before, change.after, change.reason) == (
        "Ancien",
        "PrénomC",
        str(imports.IMPORT_REASON),
    )


def test_a_person_written_after_the_preview_makes_the_commit_plan_the_file_again():
    membership = membership_for(Role.INTEGRATION_AUDITOR)
    run = _run(membership, csv_file(many(6)))
    import_tasks.plan_import(run.pk)
    run.refresh_from_db()
    assert run.created_count == 6
    # Entered by hand meanwhile: the preview's « to create » is no longer true for this row.
    PersonFactory(
        agdref_number="0700000003",
        last_name="NOMF",
        first_names="PrénomF",
        birth_date=datetime.date(1963, 4, 4),
        sex="F",
        department=Department.objects.get(code="57"),
    )
    assert import_tasks.commit_import(run.pk) == ImportStatus.DONE
    run.refresh_from_db()
    assert (run.created_count, run.updated_count + run.unchanged_count) == (5, 1)
    assert Person.objects.filter(agdref_number="0700000003").count() == 1
    assert Person.objects.filter(agdref_number__startswith="07").count() == 6


def test_an_abandoned_import_file_is_deleted_by_the_retention_job():
    import os

    from django.utils import timezone

    from parcours.privacy.retention import run_retention

    membership = membership_for(Role.INTEGRATION_AUDITOR)
    abandoned, recent = _run(membership, csv_file(many(3))), _run(membership, csv_file(many(2)))
    import_tasks.plan_import(abandoned.pk)
    abandoned.refresh_from_db()
    files = [abandoned.file.path, abandoned.plan_path, recent.file.path]
    assert all(os.path.exists(path) for path in files)
    PersonImport.objects.filter(pk=abandoned.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=62)
    )
    run_retention(dry_run=False)
    abandoned.refresh_from_db()
    assert abandoned.file.name == "" and abandoned.created_count == 3  # the history stays
    assert [os.path.exists(path) for path in files] == [False, False, True]


def test_a_list_sent_as_one_parameter_finds_exactly_its_values():
    """bulk_sql.Among, the import's lookups by AGDREF number, name and date: a value longer
    than the column matches nothing (no cut to the column's length), an empty list nothing."""
    from parcours.core.bulk_sql import Among

    one = PersonFactory(agdref_number="0712345678", birth_date=datetime.date(1990, 5, 17))
    PersonFactory(agdref_number="0712345679", birth_date=datetime.date(1991, 5, 17))

    def found(*conditions):
        return list(Person.objects.filter(*conditions).values_list("pk", flat=True))

    assert found(Among("agdref_number", ["0712345678", "9999999999"])) == [one.pk]
    assert found(Among("agdref_number", ["07123456789"])) == []
    assert found(Among("agdref_number", [])) == []
    assert found(Among("birth_date", [datetime.date(1990, 5, 17)])) == [one.pk]
    assert found(Among("last_name", [one.last_name]), Among("birth_date", [one.birth_date])) == [
        one.pk
    ]
