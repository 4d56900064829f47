"""The person import as background work (Huey): read and plan, then commit, with progress.

Large files (100,000 rows) take longer than a request: the page starts these tasks and polls
`PersonImport.done_rows`. Both are idempotent: planning again replaces the preview; committing
an import already done does nothing, and a commit killed half-way left nothing (one
transaction) and can be started again.
"""

from io import BytesIO

from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import db_task

from parcours.people import imports
from parcours.people.import_models import ColumnMapping, ImportStatus, PersonImport
from parcours.people.models import Person

# Problems kept for the preview; the counts cover all of them.
SHOWN_MESSAGES = 500
# The commit's progress lives this long in the cache (a commit of 100,000 rows takes < 1 min).
PROGRESS_SECONDS = 3600


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


def _refuse(run: PersonImport, error: ValidationError) -> None:
    run.status = ImportStatus.REFUSED
    run.messages = list(error.messages)
    run.content = b""
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

    try:
        result = imports.preview(
            BytesIO(bytes(run.content)),
            run.file_kind,
            _persons(run),
            saved_mapping=_saved(run),
            on_progress=on_progress,
        )
    except ValidationError as error:
        _refuse(run, error)
        return run.status
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
    }
    run.status = ImportStatus.PREVIEWED
    run.save()
    return run.status


def commit_import(import_id: int) -> str:
    """Import the previewed file, all or nothing; save the organisation's column mapping.

    The file is read and planned again under the transaction (the files on record may have
    changed since the preview) and written chunk by chunk; the rows done are reported in the
    cache (`progress_of`): the row itself is locked until the end.
    """
    key = progress_key(import_id)
    with transaction.atomic():
        run = PersonImport.objects.select_for_update().get(pk=import_id)
        if run.status not in (ImportStatus.PREVIEWED, ImportStatus.RUNNING):
            return run.status
        cache.set(key, 0, PROGRESS_SECONDS)
        try:
            result = imports.commit_file(
                BytesIO(bytes(run.content)),
                run.file_kind,
                _persons(run),
                actor=run.created_by,
                saved_mapping=_saved(run),
                on_progress=lambda done: cache.set(key, done, PROGRESS_SECONDS),
            )
        except ValidationError as error:
            transaction.set_rollback(True)
            refused = error
        else:
            refused = None
            ColumnMapping.objects.update_or_create(
                organisation_id=run.organisation_id, defaults={"columns": result.mapping_headers}
            )
            counts = result.counts
            run.status = ImportStatus.DONE
            run.created_count = counts[imports.Action.CREATE]
            run.updated_count = counts[imports.Action.UPDATE]
            run.unchanged_count = counts[imports.Action.UNCHANGED]
            run.error_count = 0
            run.done_rows = run.total_rows = result.total
            run.content = b""
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
