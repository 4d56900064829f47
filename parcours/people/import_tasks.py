"""The person import as background work (Huey): read and plan, then commit, with progress.

Large files (100,000 rows) take longer than a request: the page starts these tasks and polls
`PersonImport.done_rows`. Both are idempotent: planning again replaces the preview; committing
an import already done does nothing, and a commit killed half-way left nothing (one
transaction) and can be started again (the page offers it, `commit_interrupted`).

The file is read from disk (`PersonImport.file`, private storage). The preview stores its plan
next to it; the commit replays that plan when the file and the persons on record are still
those the preview read (`imports.plan_generation`), and reads and plans the file again
otherwise. Both files are deleted when the import ends (done or refused).
"""

import datetime
import os

from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from huey.contrib.djhuey import db_task

from parcours.people import imports
from parcours.people.import_models import ColumnMapping, ImportStatus, PersonImport
from parcours.people.models import Person

# Problems kept for the preview; the counts cover all of them.
SHOWN_MESSAGES = 500
# The commit's progress lives this long in the cache (a commit of 100,000 rows takes < 1 min).
PROGRESS_SECONDS = 3600
# A preview or a commit asked this long ago and still « en cours » has lost its worker (a
# 100,000-row file is read or committed in about a minute; the worker may wait in the queue).
STALE = datetime.timedelta(minutes=10)


def _membership(run: PersonImport):
    return (
        apps.get_model("organisations", "Membership")
        .objects.select_related("organisation")
        .get(pk=run.membership_id)
    )


def _saved(run: PersonImport):
    saved = ColumnMapping.objects.filter(organisation_id=run.organisation_id).first()
    return saved.columns if saved else None


def _persons(run: PersonImport):
    return Person.objects.visible_to(_membership(run))


def progress_key(import_id: int) -> str:
    return f"person-import-progress:{import_id}"


def progress_of(run: PersonImport) -> int:
    """Rows done: the commit, inside its transaction, reports them in the cache (shared by
    the workers and the pages when the cache is Redis), the preview on the row itself."""
    return max(run.done_rows, cache.get(progress_key(run.pk)) or 0)


def commit_interrupted(run: PersonImport) -> bool:
    """Whether an import « en cours » lost its worker, so that the agent may run it again.

    A worker killed by the system (SIGKILL, out of memory, a reboot) runs no except or
    finally: its transaction is rolled back by the database, nothing of the file is written,
    but the status the page set when the agent confirmed stays RUNNING. It is taken as lost
    when confirmed longer ago than STALE and, where the database can tell, no commit
    holds the import's row (`commit_import` locks it until its end). Running it again is safe
    even if it was not lost: a second commit waits for the first, then finds it done.
    """
    if run.status != ImportStatus.RUNNING:
        return False
    requested = run.commit_requested_at
    if requested and timezone.now() - requested < STALE:
        return False
    if not connection.features.has_select_for_update_skip_locked:
        return True
    with transaction.atomic():
        free = PersonImport.objects.select_for_update(skip_locked=True).filter(pk=run.pk)
        return bool(list(free.values_list("pk", flat=True)))


def plan_interrupted(run: PersonImport) -> bool:
    """Whether the reading of an uploaded file lost its worker (killed by the system): the
    preview, which writes nothing but its progress, never ended. The agent uploads it again."""
    return run.status == ImportStatus.PLANNING and timezone.now() - run.created_at >= STALE


def _plan_key(run: PersonImport) -> str:
    with run.file.open("rb") as stream:
        return f"{imports.file_digest(stream)}:{imports.plan_generation()}"


def _refuse(run: PersonImport, error: ValidationError) -> None:
    run.status = ImportStatus.REFUSED
    run.messages = list(error.messages)
    run.drop_files()
    run.finished_at = timezone.now()
    run.save()


def plan_import(import_id: int) -> str:
    """Read the file, map its columns, plan every row; store the counts and the messages.

    The rows are streamed and planned by chunks; `done_rows` grows as they are read (the
    page polls it), outside any transaction.
    """
    run = PersonImport.objects.get(pk=import_id)
    if run.status not in (ImportStatus.PLANNING, ImportStatus.PREVIEWED):
        return run.status

    def on_progress(done):
        PersonImport.objects.filter(pk=run.pk).update(done_rows=done)

    key = _plan_key(run)  # before reading: a write during the preview makes it stale
    stored = run.plan_path + ".part"
    try:
        with run.file.open("rb") as data, open(stored, "wb") as plan_out:
            result = imports.preview(
                data,
                run.file_kind,
                _persons(run),
                saved_mapping=_saved(run),
                on_progress=on_progress,
                plan_out=plan_out,
            )
    except ValidationError as error:
        os.remove(stored)
        _refuse(run, error)
        return run.status
    os.replace(stored, run.plan_path)
    run.plan_key = key
    counts = result.counts
    run.total_rows = run.done_rows = result.total
    run.created_count = counts[imports.Action.CREATE]
    run.updated_count = counts[imports.Action.UPDATE]
    run.unchanged_count = counts[imports.Action.UNCHANGED]
    run.error_count = counts[imports.Action.ERROR]
    run.messages = [imports.describe(p) for p in result.problems[:SHOWN_MESSAGES]]
    run.review = [
        {
            "message": imports.review_message(row),
            "persons": [c.person.pk for c in row.candidates[: imports.SHOWN_CANDIDATES]],
        }
        for row in result.review[:SHOWN_MESSAGES]
    ]
    run.mapping = {
        "columns": {name: str(imports.BY_FIELD[name].label) for name in result.mapping.columns},
        "ignored": result.mapping.ignored,
        "headers": result.mapping_headers,  # saved for the organisation at commit
    }
    run.status = ImportStatus.PREVIEWED
    run.save()
    return run.status


def commit_import(import_id: int) -> str:
    """Import the previewed file, all or nothing; save the organisation's column mapping.

    The preview's plan is replayed when still true (the same file, nothing written to the
    persons on record since), else the file is read and planned again under the
    transaction; written chunk by chunk; the rows done are reported in the cache
    (`progress_of`): the row itself is locked until the end.
    """
    key = progress_key(import_id)
    with transaction.atomic():
        run = PersonImport.objects.select_for_update().get(pk=import_id)
        if run.status not in (ImportStatus.PREVIEWED, ImportStatus.RUNNING):
            return run.status
        cache.set(key, 0, PROGRESS_SECONDS)

        def report(done):
            cache.set(key, done, PROGRESS_SECONDS)

        stored = (
            not run.error_count
            and run.plan_key
            and os.path.exists(run.plan_path)
            and run.plan_key == _plan_key(run)
        )
        try:
            if stored:
                # Nothing changed since the preview: its plan is still true, written as it is.
                with open(run.plan_path, "rb") as plan_in:
                    imports.commit_stored(
                        plan_in, actor=run.created_by, total=run.total_rows, on_progress=report
                    )
                headers = run.mapping.get("headers", {})
            else:
                with run.file.open("rb") as data:
                    result = imports.commit_file(
                        data,
                        run.file_kind,
                        _persons(run),
                        actor=run.created_by,
                        saved_mapping=_saved(run),
                        on_progress=report,
                    )
                headers = result.mapping_headers
                counts = result.counts
                run.created_count = counts[imports.Action.CREATE]
                run.updated_count = counts[imports.Action.UPDATE]
                run.unchanged_count = counts[imports.Action.UNCHANGED]
                run.done_rows = run.total_rows = result.total
        except ValidationError as error:
            transaction.set_rollback(True)
            refused = error
        else:
            refused = None
            ColumnMapping.objects.update_or_create(
                organisation_id=run.organisation_id, defaults={"columns": headers}
            )
            run.status = ImportStatus.DONE
            run.error_count = 0
            run.done_rows = run.total_rows
            run.drop_files()
            run.finished_at = timezone.now()
            run.save()
    cache.delete(key)
    if refused is not None:
        run = PersonImport.objects.get(pk=import_id)
        _refuse(run, refused)
    return run.status


@db_task()
def plan_import_task(import_id: int):
    return plan_import(import_id)


@db_task()
def commit_import_task(import_id: int):
    return commit_import(import_id)
