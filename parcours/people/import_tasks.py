"""The person import as background work (Huey): read and plan, then commit, with progress.

Large files (100,000 rows) take longer than a request: the page starts these tasks and polls
`PersonImport.done_rows`. Both are idempotent: planning again replaces the preview; committing
an import already done does nothing, and a commit killed half-way left nothing (one
transaction) and can be started again.
"""

from io import BytesIO

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import db_task

from parcours.people import imports
from parcours.people.import_models import ColumnMapping, ImportStatus, PersonImport
from parcours.people.models import Person

# Problems kept for the preview; the counts cover all of them.
SHOWN_MESSAGES = 500


def _membership(run: PersonImport):
    return (
        apps.get_model("organisations", "Membership")
        .objects.select_related("organisation")
        .get(pk=run.membership_id)
    )


def _plan(run: PersonImport, *, progress: bool):
    saved = ColumnMapping.objects.filter(organisation_id=run.organisation_id).first()

    def on_progress(done):
        if progress:
            PersonImport.objects.filter(pk=run.pk).update(done_rows=done)

    return imports.read_plan(
        BytesIO(bytes(run.content)),
        run.file_kind,
        Person.objects.visible_to(_membership(run)),
        saved_mapping=saved.columns if saved else None,
        on_progress=on_progress,
    )


def _refuse(run: PersonImport, error: ValidationError) -> None:
    run.status = ImportStatus.REFUSED
    run.messages = list(error.messages)
    run.content = b""
    run.finished_at = timezone.now()
    run.save()


def plan_import(import_id: int) -> str:
    """Read the file, map its columns, plan every row; store the counts and the messages."""
    run = PersonImport.objects.get(pk=import_id)
    if run.status not in (ImportStatus.PLANNING, ImportStatus.PREVIEWED):
        return run.status
    try:
        plan = _plan(run, progress=True)
    except ValidationError as error:
        _refuse(run, error)
        return run.status
    counts = plan.counts
    run.total_rows = run.done_rows = len(plan.rows)
    run.created_count = counts[imports.Action.CREATE]
    run.updated_count = counts[imports.Action.UPDATE]
    run.unchanged_count = counts[imports.Action.UNCHANGED]
    run.error_count = counts[imports.Action.ERROR]
    run.messages = [imports.describe(p) for p in plan.problems[:SHOWN_MESSAGES]]
    run.review = [
        {
            "message": imports.review_message(row),
            "persons": [c.person.pk for c in row.candidates[: imports.SHOWN_CANDIDATES]],
        }
        for row in plan.to_review[:SHOWN_MESSAGES]
    ]
    run.mapping = {
        "columns": {name: str(imports.BY_FIELD[name].label) for name in plan.mapping.columns},
        "ignored": plan.mapping.ignored,
    }
    run.status = ImportStatus.PREVIEWED
    run.save()
    return run.status


def commit_import(import_id: int) -> str:
    """Import the previewed file, all or nothing; save the organisation's column mapping."""
    with transaction.atomic():
        run = PersonImport.objects.select_for_update().get(pk=import_id)
        if run.status not in (ImportStatus.PREVIEWED, ImportStatus.RUNNING):
            return run.status
        try:
            # Planned again under the transaction: the files may have changed since preview.
            plan = _plan(run, progress=False)
            counts = imports.commit(plan, actor=run.created_by)
        except ValidationError as error:
            transaction.set_rollback(True)
            refused = error
        else:
            refused = None
            ColumnMapping.objects.update_or_create(
                organisation_id=run.organisation_id, defaults={"columns": plan.mapping_headers}
            )
            run.status = ImportStatus.DONE
            run.created_count = counts[imports.Action.CREATE]
            run.updated_count = counts[imports.Action.UPDATE]
            run.unchanged_count = counts[imports.Action.UNCHANGED]
            run.error_count = 0
            run.done_rows = run.total_rows = len(plan.rows)
            run.content = b""
            run.finished_at = timezone.now()
            run.save()
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
