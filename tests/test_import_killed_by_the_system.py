"""Imports killed by the system (SIGKILL, OOM killer, reboot) half-way through their commit: a
real worker process, stopped with no except or finally run, leaves the database as it was,
and the page lets the agent start the import again, which then writes every row once."""

import datetime
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from parcours.organisations.roles import Role
from parcours.people.import_models import ImportStatus, PersonImport
from parcours.people.models import DuplicatePair, Person
from parcours.privacy.models import FieldChange
from tests.factories import PersonFactory, membership_for
from tests.test_people_imports import HEADER, csv_bytes

pytestmark = [pytest.mark.transactional, pytest.mark.django_db(transaction=True)]

# Rows to create: three chunks of the commit (imports.CHUNK = 1000) and a few more.
NEW_ROWS = 3000
# The worker: in a process of its own on the test database, the commit a Huey consumer (the
# person import) or a web worker (the convocation list) runs. Its writes made, inside the
# commit's transaction, it says how many rows it sees and waits to be killed.
WORKER = """
import json, os, sys, time

import django
from django.conf import settings

config = json.loads(sys.argv[1])
settings.DATABASES = {"default": config["database"], "replica": config["database"]}
settings.PRIVATE_ROOT = config["private_root"]
django.setup()


def pause(count):
    with open(config["signal"] + ".part", "w") as out:
        out.write(str(count()))
    os.replace(config["signal"] + ".part", config["signal"])
    time.sleep(600)


if config["job"] == "persons":
    from parcours.people import import_tasks, services
    from parcours.people.models import Person

    real = services.create_persons_bulk
    chunks = []

    def pause_before_the_second_chunk(values_list, **kwargs):
        if chunks:
            pause(Person.objects.count)
        chunks.append(len(values_list))
        return real(values_list, **kwargs)

    services.create_persons_bulk = pause_before_the_second_chunk
    import_tasks.commit_import(config["import_id"])
elif config["job"] == "preview":
    from parcours.people import import_tasks, imports
    from parcours.people.import_models import PersonImport

    real = imports.duplicate_candidates
    chunks = []

    def pause_on_the_second_chunk(*args, **kwargs):
        if chunks:
            pause(lambda: PersonImport.objects.get(pk=config["import_id"]).done_rows)
        chunks.append(1)
        return real(*args, **kwargs)

    imports.duplicate_candidates = pause_on_the_second_chunk
    import_tasks.plan_import(config["import_id"])
else:
    from parcours.organisations.models import Membership
    from parcours.people.models import Person
    from parcours.reception import imports, services
    from parcours.reception.models import Convocation, ConvocationImport

    # Called once the convocations and their transitions are written, before the commit.
    services._announce = lambda *args: pause(Convocation.objects.count)
    run = ConvocationImport.objects.get(pk=config["import_id"])
    membership = Membership.objects.get(pk=run.membership_id)
    imports.commit(run, Person.objects.visible_to(membership), actor=run.created_by)
"""
# How long the worker may take to start and write its first chunk (a bound, not a measure).
WORKER_START_SECONDS = 120


def _rows():
    """The file: one row updating a person on record (history rows), one « à vérifier »
    next to another (a duplicate pair), both in the first chunk, then persons to create."""
    rows = [
        ["0712345678", "Haddad", "Amina", "17/05/1990", "F", "Réfugié", "57"],
        ["0799999999", "Benaly", "Rachid", "12/03/1985", "H", "Réfugié", "57"],
    ]
    letters = "BCDFGKLMNP"
    for i in range(NEW_ROWS):
        born = datetime.date(1950, 1, 1) + datetime.timedelta(days=i)
        name = "Nom" + "".join(letters[int(d)] for d in f"{i:04d}")
        rows.append([f"08{i:08d}", name, "Amina", f"{born:%d/%m/%Y}", "F", "Réfugié", "57"])
    return rows


def _database_of_the_test() -> dict:
    """What the worker needs to open the test database (a file for SQLite: threaded_db)."""
    keys = ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS")
    return {key: connection.settings_dict[key] for key in keys if key in connection.settings_dict}


def _start_worker(job: str, import_id: int, signal_path) -> subprocess.Popen:
    config = {
        "job": job,
        "database": _database_of_the_test(),
        "private_root": settings.PRIVATE_ROOT,
        "signal": str(signal_path),
        "import_id": import_id,
    }
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, json.dumps(config)],
        cwd=settings.BASE_DIR,
        env=env,
    )


def _wait_for(signal_path, worker: subprocess.Popen) -> int:
    deadline = time.monotonic() + WORKER_START_SECONDS
    while not signal_path.exists():
        assert worker.poll() is None, "the worker stopped before its second chunk"
        assert time.monotonic() < deadline, "the worker did not reach its second chunk"
        time.sleep(0.05)
    return int(signal_path.read_text())


def test_a_commit_killed_by_the_system_leaves_nothing_and_the_page_offers_to_run_it_again(
    threaded_db, tmp_path, monkeypatch
):
    from parcours.www.people import imports as import_pages

    membership = membership_for(Role.INTEGRATION_AUDITOR)
    existing = PersonFactory(agdref_number="0712345678", last_name="HADAD", first_names="Amina")
    PersonFactory(last_name="BENALI", first_names="Rachid", birth_date=datetime.date(1985, 3, 12))
    client = Client()
    client.force_login(membership.user)
    data = csv_bytes([HEADER, *_rows()])
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("liste.csv", data, "text/csv")
    assert client.post("/personnes/import/", {"person_file": upload}).status_code == 302
    run = PersonImport.objects.get()
    assert run.status == ImportStatus.PREVIEWED
    assert (run.created_count, run.updated_count, run.error_count) == (NEW_ROWS + 1, 1, 0)
    persons, changes, pairs = Person.objects.count(), FieldChange.objects.count(), 0
    assert DuplicatePair.objects.count() == pairs

    # The agent confirms; the commit runs in a worker process of its own (Huey's consumer).
    signal_path = tmp_path / "first-chunk-written"
    workers = []
    monkeypatch.setattr(
        import_pages,
        "commit_import_task",
        lambda import_id: workers.append(_start_worker("persons", import_id, signal_path)),
    )
    page = f"/personnes/import/{run.pk}/"
    assert client.post(f"{page}importer/").status_code == 302
    (worker,) = workers
    try:
        seen_by_the_worker = _wait_for(signal_path, worker)
        # The first chunk is written, inside the commit's transaction only.
        assert seen_by_the_worker == persons + 999  # 1,000 rows, one an update
        assert Person.objects.count() == persons
        if connection.vendor == "postgresql":
            # While it runs, the page shows it running. (SQLite has one writer at a time: a
            # request, which saves its session, waits for the end of the commit.)
            shown = client.get(page).content.decode()
            assert "Import en cours" in shown and 'hx-trigger="every 1s"' in shown
            assert "Importer ces personnes" not in shown
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    assert worker.returncode == -signal.SIGKILL

    # Nothing of the file was written: no person, no history row, no pair to review.
    assert Person.objects.count() == persons
    assert not Person.objects.filter(agdref_number__startswith="08").exists()
    assert not Person.objects.filter(last_name="BENALY").exists()
    existing.refresh_from_db()
    assert existing.last_name == "HADAD"
    assert FieldChange.objects.count() == changes
    assert DuplicatePair.objects.count() == pairs

    # Long after, nothing has come back from the worker: the page stops waiting for it and
    # offers to run the import again.
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    PersonImport.objects.filter(pk=run.pk).update(commit_requested_at=long_ago)
    shown = client.get(page).content.decode()
    assert 'hx-trigger="every 1s"' not in shown
    assert "Cet import s'est interrompu avant la fin : aucune personne n'a été" in shown
    assert "Importer ces personnes" in shown
    assert "Import interrompu" in client.get("/personnes/import/").content.decode()

    # Run again (in this process): every row written once.
    monkeypatch.undo()
    assert client.post(f"{page}importer/").status_code == 302
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE
    assert (run.created_count, run.updated_count, run.unchanged_count) == (NEW_ROWS + 1, 1, 0)
    assert Person.objects.count() == persons + NEW_ROWS + 1
    assert Person.objects.filter(agdref_number__startswith="08").count() == NEW_ROWS
    existing.refresh_from_db()
    assert existing.last_name == "HADDAD"
    assert FieldChange.objects.count() > changes
    assert DuplicatePair.objects.count() == pairs + 1
    shown = client.get(page).content.decode()
    assert "Importé" in shown and "Importer ces personnes" not in shown

    # The same file imported again changes nothing.
    changes = FieldChange.objects.count()
    upload = SimpleUploadedFile("liste.csv", data, "text/csv")
    assert client.post("/personnes/import/", {"person_file": upload}).status_code == 302
    again = PersonImport.objects.exclude(pk=run.pk).get()
    assert client.post(f"/personnes/import/{again.pk}/importer/").status_code == 302
    again.refresh_from_db()
    assert again.status == ImportStatus.DONE
    assert (again.created_count, again.updated_count, again.unchanged_count) == (
        0,
        0,
        NEW_ROWS + 2,
    )
    assert Person.objects.count() == persons + NEW_ROWS + 1
    assert FieldChange.objects.count() == changes
    assert DuplicatePair.objects.count() == pairs + 1


def test_a_preview_killed_by_the_system_stops_being_shown_en_cours_and_the_file_reads_again(
    threaded_db, tmp_path, monkeypatch
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from parcours.www.people import imports as import_pages

    membership = membership_for(Role.INTEGRATION_AUDITOR)
    client = Client()
    client.force_login(membership.user)
    data = csv_bytes([HEADER, *_rows()[2:]])
    signal_path = tmp_path / "first-chunk-read"
    workers = []
    monkeypatch.setattr(
        import_pages,
        "plan_import_task",
        lambda import_id: workers.append(_start_worker("preview", import_id, signal_path)),
    )
    upload = SimpleUploadedFile("liste.csv", data, "text/csv")
    assert client.post("/personnes/import/", {"person_file": upload}).status_code == 302
    (worker,) = workers
    run = PersonImport.objects.get()
    try:
        assert _wait_for(signal_path, worker) == 1000  # its progress, outside any transaction
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    page = f"/personnes/import/{run.pk}/"
    shown = client.get(page).content.decode()
    assert "1000 lignes traitées." in shown and 'hx-trigger="every 1s"' in shown

    # Long after, the page stops waiting and asks for the file again; nothing was written.
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    PersonImport.objects.filter(pk=run.pk).update(created_at=long_ago)
    shown = client.get(page).content.decode()
    assert 'hx-trigger="every 1s"' not in shown
    assert "La lecture de ce fichier s'est interrompue avant la fin" in shown
    assert "Importer ces personnes" not in shown
    assert "Import interrompu" in client.get("/personnes/import/").content.decode()
    assert not Person.objects.exists()

    monkeypatch.undo()
    upload = SimpleUploadedFile("liste.csv", data, "text/csv")
    assert client.post("/personnes/import/", {"person_file": upload}).status_code == 302
    again = PersonImport.objects.exclude(pk=run.pk).get()
    assert again.status == ImportStatus.PREVIEWED
    assert (again.created_count, again.error_count) == (NEW_ROWS, 0)


def test_a_convocation_list_killed_before_its_commit_convokes_no_one_and_can_be_confirmed(
    threaded_db, tmp_path
):
    from parcours.reception.models import (
        Convocation,
        ConvocationImport,
        ConvocationImportStatus,
        ConvocationTransition,
    )
    from tests.convocation_imports import CONFIRM, confirm_url, upload_list
    from tests.factories_reception import SessionFactory
    from tests.helpers import page_text

    membership = membership_for(Role.RECEPTION_AGENT)
    client = Client()
    client.force_login(membership.user)
    session = SessionFactory(capacity=12)
    listed = [PersonFactory(agdref_number=f"10000000{i:02d}") for i in range(10)]
    content = "AGDREF;Nom\n" + "".join(f"{p.agdref_number};{p.last_name}\n" for p in listed)
    response = upload_list(client, session, "liste.csv", content.encode())
    confirm = confirm_url(response)
    assert confirm is not None
    run = ConvocationImport.objects.get()

    # The agent confirms; the web worker that runs the commit is killed before it commits.
    signal_path = tmp_path / "convocations-written"
    worker = _start_worker("convocations", run.pk, signal_path)
    try:
        assert _wait_for(signal_path, worker) == 10  # written, inside its transaction only
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    assert worker.returncode == -signal.SIGKILL

    # No one is convoked, no transition logged; the list still awaits its confirmation.
    assert not Convocation.objects.exists()
    assert not ConvocationTransition.objects.exists()
    run.refresh_from_db()
    assert run.status == ConvocationImportStatus.PREVIEWED
    preview = client.get(confirm.removesuffix("confirmer/"))
    assert CONFIRM in page_text(preview)

    # Confirmed again: each person convoked once; the same list again changes nothing.
    client.post(confirm, follow=True)
    run.refresh_from_db()
    assert run.status == ConvocationImportStatus.DONE
    assert Convocation.objects.filter(session=session).count() == 10
    assert ConvocationTransition.objects.count() == 10
    response = upload_list(client, session, "liste.csv", content.encode())
    again = ConvocationImport.objects.exclude(pk=run.pk).get()
    assert (again.convoked_count, again.unchanged_count) == (0, 10)
    assert confirm_url(response) is None or client.post(confirm_url(response)).status_code == 302
    assert Convocation.objects.filter(session=session).count() == 10
    assert ConvocationTransition.objects.count() == 10
