"""Pages of the tabular import of persons (issue 17): upload, preview with progress, commit."""

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from parcours.organisations.permissions import Action
from parcours.people.import_models import ImportStatus, PersonImport
from parcours.people.import_tasks import (
    commit_import_task,
    commit_interrupted,
    plan_import_task,
    plan_interrupted,
    progress_of,
)
from parcours.people.models import Person
from parcours.privacy.access_log import Operation, log_access
from parcours.privacy.uploads import check_upload
from parcours.www.decorators import action_required
from parcours.www.forms import DsfrForm

IMPORT_KINDS = ("csv", "xlsx", "ods")
# Imports shown in the history.
HISTORY = 20


class PersonFileForm(DsfrForm):
    person_file = forms.FileField(
        label=_("Fichier de personnes"),
        help_text=_(
            "CSV, .xlsx ou .ods. Colonnes obligatoires : Nom, Prénoms, Date de naissance, "
            "Catégorie de séjour, Département ; facultatives : Numéro AGDREF, Sexe, Nom "
            "d'usage, Téléphone, Adresse électronique, Code postal, Commune."
        ),
    )

    def clean_person_file(self):
        uploaded = self.cleaned_data["person_file"]
        self.kind = check_upload(uploaded, IMPORT_KINDS)
        return uploaded


def _imports_of(request):
    return PersonImport.objects.filter(organisation=request.membership.organisation)


@action_required(Action.EDIT_PERSON)
def person_import(request):
    """Upload a file; its reading and preview run in the background."""
    form = PersonFileForm()
    if request.method == "POST":
        form = PersonFileForm(request.POST, request.FILES)
        if form.is_valid():
            uploaded = form.cleaned_data["person_file"]
            uploaded.seek(0)
            run = PersonImport(
                organisation=request.membership.organisation,
                membership=request.membership,
                created_by=request.user,
                file_name=uploaded.name[:255],
                file_kind=form.kind,
            )
            run.store(uploaded)
            plan_import_task(run.pk)
            return redirect("person_import_detail", pk=run.pk)
    history = list(_imports_of(request).select_related("created_by")[:HISTORY])
    for run in history:
        run.interrupted = commit_interrupted(run) or plan_interrupted(run)
    return render(request, "people/import.html", {"form": form, "history": history})


@action_required(Action.EDIT_PERSON)
def person_import_detail(request, pk):
    """The preview (counts, every faulty cell), the progress while it runs, the result."""
    run = get_object_or_404(_imports_of(request), pk=pk)
    # A commit whose worker was killed left nothing: the page stops waiting and offers it again;
    # a preview killed so: the page stops waiting and asks for the file again.
    interrupted = commit_interrupted(run)
    unread = plan_interrupted(run)
    working = run.status in (ImportStatus.PLANNING, ImportStatus.RUNNING) and not (
        interrupted or unread
    )
    if working and run.status == ImportStatus.RUNNING:
        run.done_rows = progress_of(run)  # the commit reports its rows outside its transaction
    if not working and run.review:
        # The rows « à vérifier » name existing files: a read of those persons, logged.
        shown = {pk for entry in run.review for pk in entry.get("persons", ())}
        log_access(
            request,
            Person.objects.visible_to(request.membership).filter(pk__in=shown),
            Operation.PERSON_LIST,
        )
    template = (
        "people/_import_status.html"
        if request.headers.get("HX-Request")
        else ("people/import_detail.html")
    )
    return render(
        request,
        template,
        {"run": run, "working": working, "interrupted": interrupted, "unread": unread},
    )


@require_POST
@action_required(Action.EDIT_PERSON)
def person_import_commit(request, pk):
    run = get_object_or_404(_imports_of(request), pk=pk)
    # RUNNING too: a commit whose worker died left nothing and may be started again.
    if run.status not in (ImportStatus.PREVIEWED, ImportStatus.RUNNING) or run.error_count:
        raise Http404
    PersonImport.objects.filter(pk=run.pk).update(
        status=ImportStatus.RUNNING, commit_requested_at=timezone.now()
    )
    commit_import_task(run.pk)  # a refusal is recorded on the import; the page says it
    return redirect("person_import_detail", pk=run.pk)
