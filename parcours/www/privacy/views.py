"""Data-protection pages: access log (read, filter, export), retention, rights of the person."""

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from parcours.accounts.models import User
from parcours.organisations.permissions import Action
from parcours.people.models import AnonymisationReason, Person
from parcours.privacy.access_log import Operation, log_access, register_operation
from parcours.privacy.erasure import erasure_blockers
from parcours.privacy.models import AccessLog, AccessLogPerson, RetentionPolicy
from parcours.privacy.retention import (
    PERSON_FILES,
    anonymise_person,
    categories,
    months_for,
    persons_due_soon,
    run_retention,
)
from parcours.privacy.rules import spreadsheet_safe
from parcours.privacy.subject_access import export_json, export_pdf
from parcours.www.decorators import action_required
from parcours.www.privacy.forms import (
    AccessLogFilterForm,
    ErasureForm,
    PurposeForm,
    RetentionPolicyForm,
    SubjectAccessForm,
)
from parcours.www.privacy.purposes import remember_purpose

PAGE_SIZE = 50
ACCESS_LOG_READ = register_operation(
    "access_log_read", gettext_lazy("Lecture du journal des accès (noms affichés)")
)


def _directorate_or_404(request):
    organisation = request.membership.organisation
    if not organisation.directorate_id:
        raise Http404
    return organisation


def _filtered_access_log(request):
    organisation = _directorate_or_404(request)
    logs = AccessLog.objects.for_directorate(organisation.directorate_id, organisation.pk)
    users = User.objects.filter(pk__in=logs.values("user_id")).order_by("last_name", "email")
    form = AccessLogFilterForm(request.GET or None, users=users)
    if form.is_valid():
        data = form.cleaned_data
        if data["start"]:
            logs = logs.filter(at__date__gte=data["start"])
        if data["end"]:
            logs = logs.filter(at__date__lte=data["end"])
        if data["operation"]:
            logs = logs.filter(operation=data["operation"])
        if data["user"]:
            logs = logs.filter(user=data["user"])
        if data["person"]:
            # The same name search as the persons list; a bare number may also be the file
            # number of an address (personnes/123/), for links made before names were shown.
            matching = Person.objects.search(data["person"]).values("pk")
            entries = AccessLogPerson.objects.filter(person_id__in=matching)
            if data["person"].isdigit():
                entries = AccessLogPerson.objects.filter(
                    Q(person_id__in=matching) | Q(person_id=int(data["person"]))
                )
            logs = logs.filter(pk__in=entries.values("log"))
    elif form.is_bound:
        logs = logs.none()
    logs = logs.select_related("user", "organisation").prefetch_related(
        Prefetch("entries", queryset=AccessLogPerson.objects.order_by("person_id"))
    )
    return form, logs.order_by("-at", "-pk")


@action_required(Action.VIEW_ACCESS_LOG)
@never_cache
def access_log(request):
    """The DT's data protection contact reads who read its people's data (issue 6)."""
    form, logs = _filtered_access_log(request)
    page = Paginator(logs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    names = _names_shown(request, page.object_list)
    return render(
        request,
        "privacy/access_log.html",
        {"form": form, "page": page, "filters": query.urlencode(), "names": names},
    )


def _names_shown(request, logs) -> dict[int, str]:
    """The names of the persons a page of the log shows (ten per row at most), in one query.

    Issue 16: persons are shown by name, not « n° 321 ». Showing names is a read of those
    persons, logged like a list of persons (privacy/access_log.py: every read is logged).
    """
    ids = {entry.person_id for log in logs for entry in list(log.entries.all())[:10]}
    persons = (
        Person.objects.filter(pk__in=ids).only(
            "last_name", "usual_name", "first_names", "anonymised_at"
        )
        if ids
        else []
    )
    names = {
        person.pk: _("dossier anonymisé") if person.anonymised_at else person.display_name
        for person in persons
    }
    for log in logs:
        log.shown_names = [
            names.get(entry.person_id, _("dossier supprimé"))
            for entry in list(log.entries.all())[:10]
        ]
    if names:
        log_access(request, list(names), ACCESS_LOG_READ)
    return names


class _Echo:
    def write(self, value):
        return value


@action_required(Action.VIEW_ACCESS_LOG)
@never_cache
def access_log_export(request):
    """The same rows as CSV (cells a spreadsheet shows as text, never runs as formulas)."""
    form, logs = _filtered_access_log(request)
    log_access(request, [], Operation.ACCESS_LOG_EXPORT)
    writer = csv.writer(_Echo(), delimiter=";")
    header = [
        _("Date"),
        _("Agent"),
        _("Adresse électronique"),
        _("Organisation"),
        _("Rôle"),
        _("Opération"),
        _("Page ou opération"),
        _("Motif"),
        _("Nombre de personnes"),
        _("Dossiers"),
    ]

    def rows():
        yield "\ufeff"  # Excel reads UTF-8 with accents only with the byte order mark
        yield writer.writerow(header)
        for batch in _batches(logs.iterator(chunk_size=EXPORT_BATCH), EXPORT_BATCH):
            names = _export_names(request, batch)
            for log in batch:
                yield writer.writerow(_export_row(log, names))

    day = timezone.localdate().isoformat()
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="journal-des-acces-{day}.csv"'
    return response


EXPORT_BATCH = 2000


def _batches(iterable, size):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _export_names(request, logs) -> dict[int, str]:
    """Names and AGDREF numbers of the persons a batch of exported rows names, in one query.

    Issue 16: the export names persons, like the page. Writing their names in a file is a read
    of those persons, logged like the page's (ACCESS_LOG_READ), one log row per batch.
    """
    ids = {entry.person_id for log in logs for entry in log.entries.all()}
    if not ids:
        return {}
    persons = Person.objects.filter(pk__in=ids).only(
        "last_name", "usual_name", "first_names", "agdref_number", "anonymised_at"
    )
    names = {}
    for person in persons:
        if person.anonymised_at:
            names[person.pk] = _("dossier anonymisé")
        elif person.agdref_number:
            names[person.pk] = _("%(name)s (AGDREF %(agdref)s)") % {
                "name": person.display_name,
                "agdref": person.agdref_number,
            }
        else:
            names[person.pk] = person.display_name
    if names:
        log_access(request, list(names), ACCESS_LOG_READ)
    return names


def _export_row(log, names: dict[int, str]) -> list[str]:
    user = log.user
    persons = " | ".join(
        names.get(entry.person_id, _("dossier supprimé")) for entry in log.entries.all()
    )
    return [
        spreadsheet_safe(value)
        for value in [
            timezone.localtime(log.at).strftime("%Y-%m-%d %H:%M:%S"),
            user.get_full_name() if user else "",
            user.email if user else "",
            log.organisation or "",
            log.role_label,
            log.operation_label,
            log.path_name,
            log.purpose,
            log.person_count,
            persons,
        ]
    ]


@action_required(Action.MANAGE_REFERENCE_DATA)
def retention_policies(request):
    """The data controller sets the retention period of each category (1 to 36 months)."""
    all_categories = categories()
    current = {category.code: months_for(category.code) for category in all_categories}
    form = RetentionPolicyForm(request.POST or None, categories=all_categories, current=current)
    if request.method == "POST" and form.is_valid():
        for category in all_categories:
            RetentionPolicy.objects.update_or_create(
                category=category.code,
                defaults={"months": form.cleaned_data[category.code], "updated_by": request.user},
            )
        messages.success(request, _("Durées de conservation enregistrées."))
        return redirect("privacy:retention_policies")
    reports = {report.category: report for report in run_retention(dry_run=True, list_items=False)}
    rows = [
        {
            "category": category,
            "months": current[category.code],
            "report": reports.get(category.code),
        }
        for category in all_categories
    ]
    return render(request, "privacy/retention_policies.html", {"form": form, "rows": rows})


@action_required(Action.VIEW_ACCESS_LOG)
@never_cache
def retention_due(request):
    """Files of the DT that will be anonymised within a month (linked from the notice)."""
    organisation = _directorate_or_404(request)
    persons = (
        persons_due_soon()
        .filter(directorate_id=organisation.directorate_id)
        .select_related("department")
        .order_by("updated_at", "pk")
    )
    page = Paginator(persons, PAGE_SIZE).get_page(request.GET.get("page"))
    if page.object_list:
        log_access(request, page.object_list, Operation.RETENTION_LIST)
    return render(
        request,
        "privacy/retention_due.html",
        {"page": page, "months": months_for(PERSON_FILES)},
    )


def _visible_person(request, pk):
    return get_object_or_404(Person.objects.visible_to(request.membership), pk=pk)


@action_required(Action.VIEW_PERSON)
def person_purpose(request, pk):
    """Ask why a file is opened, before showing it, to the roles that must say (issue 6)."""
    person = _visible_person(request, pk)
    form = PurposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        remember_purpose(request, person.pk, form.purpose())
        return redirect("person_detail", pk=person.pk)
    return render(request, "privacy/person_purpose.html", {"form": form, "person_pk": person.pk})


@action_required(Action.EXPORT)
@never_cache
def subject_access(request, pk):
    """Everything Parcours holds on one person, as PDF or JSON, logged with its purpose."""
    person = _visible_person(request, pk)
    form = SubjectAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        log_access(request, [person], Operation.SUBJECT_ACCESS_EXPORT, purpose=form.purpose())
        day = timezone.localdate().isoformat()
        if form.cleaned_data["export_format"] == "json":
            content, content_type, extension = export_json(person), "application/json", "json"
        else:
            content, content_type, extension = export_pdf(person), "application/pdf", "pdf"
        response = HttpResponse(content, content_type=content_type)
        # The file name carries the file number, never the person's name.
        response["Content-Disposition"] = (
            f'attachment; filename="parcours-dossier-{person.pk}-{day}.{extension}"'
        )
        return response
    return render(request, "privacy/subject_access.html", {"form": form, "person": person})


@action_required(Action.VIEW_ACCESS_LOG)
def erasure(request, pk):
    """Erase (anonymise) a file at the person's request, where the law allows (issue 6)."""
    person = _visible_person(request, pk)
    if person.anonymised_at is not None:
        messages.info(request, _("Ce dossier est déjà anonymisé."))
        return redirect("person_detail", pk=person.pk)
    blockers = erasure_blockers(person)
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and not blockers and form.is_valid():
        log_access(request, [person], Operation.ERASURE, purpose=form.purpose())
        anonymise_person(person, reason=AnonymisationReason.ERASURE)
        messages.success(
            request,
            _(
                "Le dossier n° %(pk)s a été anonymisé. L'effacement est inscrit au journal "
                "des accès."
            )
            % {"pk": person.pk},
        )
        return redirect("person_detail", pk=person.pk)
    return render(
        request,
        "privacy/erasure.html",
        {"form": form, "person": person, "blockers": blockers},
    )


def person_file_context(request, person) -> dict:
    """What the person file shows of data protection: history and the rights actions."""
    from parcours.organisations.permissions import can
    from parcours.privacy.history import history_for

    can_edit = can(request.membership, Action.EDIT_PERSON)
    return {
        # The history holds earlier values of every field: for the DT's staff only.
        "change_history": history_for(person) if can_edit else None,
        "can_export_subject_data": can(request.membership, Action.EXPORT),
        "can_erase": can(request.membership, Action.VIEW_ACCESS_LOG)
        and person.anonymised_at is None,
    }
