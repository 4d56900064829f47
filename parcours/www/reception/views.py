"""Views of the reception day: thin, they read the request, call the services and render."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from parcours.core import bounds, freshness
from parcours.core.replica import reads_replica
from parcours.organisations.permissions import Action, can
from parcours.organisations.roles import OFII_DT_ROLES, PARTNER_ROLES
from parcours.people import ages, titles
from parcours.people.models import LanguageLevel, Person
from parcours.privacy.access_log import Operation, log_access
from parcours.reception import imports, services
from parcours.reception.letters.pdf import render_convocations_pdf
from parcours.reception.models import (
    OBSERVED_STATUSES,
    AttendanceStatus,
    Contract,
    Convocation,
    ConvocationImport,
    ConvocationImportStatus,
    EmploymentCheck,
    HalfDay,
    Modality,
    ReceptionSession,
    ReceptionSettings,
    SessionStaff,
)
from parcours.reception.summary import summary_csv, summary_for, summary_lines, summary_xlsx
from parcours.territories.models import Directorate
from parcours.www.decorators import action_required
from parcours.www.reception import forms

# Rows of a worklist shown at once; « Suivants » reads the next ones from the last shown
# (issue 12: 300 rows cost 70 % of the page, and rows beyond the 100 oldest were hidden).
WORKLIST_PAGE_SIZE = 50


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _directorate_id(membership):
    """The directorate of an OFII DT membership, else None."""
    if membership is not None and membership.role in OFII_DT_ROLES:
        return membership.organisation.directorate_id
    return None


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form: on the field it names, else above the form."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            target = field if field in form.fields else None
            for message in field_errors:
                form.add_error(target, message.messages)
    else:
        form.add_error(None, error.messages)


def _visible_session(request, pk) -> ReceptionSession:
    return get_object_or_404(
        ReceptionSession.objects.visible_to(request.membership).select_related(
            "directorate", "cip_presentation__counsellor"
        ),
        pk=pk,
    )


def _of_visible_persons(queryset, membership):
    """Rows of the persons the membership sees (their `person` field).

    For a DT's staff, a join on the person's directorate: PostgreSQL then looks up the
    person of each row, where `person__in=<the DT's persons>` made it read the DT's 250,000
    persons first at national scale (issue 12, docs/benchmarks.md).
    """
    directorate_id = _directorate_id(membership)
    if directorate_id:
        return queryset.filter(person__directorate_id=directorate_id)
    return queryset.filter(person__in=Person.objects.visible_to(membership))


def _sheet_convocations(membership):
    """Convocations with everything a day-sheet row shows, in a fixed number of queries."""
    return (
        _of_visible_persons(Convocation.objects.all(), membership)
        .select_related(
            "person",
            "person__cir_contract",
            "session",
            "session__directorate",
            "rescheduled_to",
            "positioning",
            "interview",
            "contract",
            "prescription",
            "employment_check",
        )
        .prefetch_related("interview__orientations")
    )


# The steps a day-sheet row shows: reverse one-to-ones of the convocation (and the person's
# CIR), read once per row. A missing one raises RelatedObjectDoesNotExist, which the template
# engine answers by calling dir() on the row before giving up: at four lookups per missing
# step, that was the day sheet's largest cost in CPU (issue 12, docs/benchmarks/
# 2026-12-01-page-cpu.md). None reads as « not recorded », as before.
ROW_STEPS = ("positioning", "interview", "contract", "prescription", "employment_check")
# The links of a row, by URL name: each reversed once per request, not once per row.
ROW_URLS = {
    "attendance": "reception:attendance",
    "letter": "reception:letter",
    "positioning": "reception:positioning",
    "interview": "reception:interview",
    "contract": "reception:contract",
    "prescription": "reception:prescription",
    "employment_check": "reception:employment_check",
}
_URL_SENTINEL = 2147483647


def _url_maker(name: str):
    """reverse(name, args=[pk]) for any pk, from one reverse: the path around the pk is fixed."""
    head, tail = reverse(name, args=[_URL_SENTINEL]).split(str(_URL_SENTINEL))
    return lambda pk: f"{head}{pk}{tail}"


def _with_steps(convocations):
    """Each convocation gets `steps` (the step records, None when missing; `cir` the
    person's CIR) and `urls` (its links, `person` its person's file) for the row template."""
    makers = {key: _url_maker(name) for key, name in ROW_URLS.items()}
    person_url = _url_maker("person_detail")
    for convocation in convocations:
        convocation.steps = {name: getattr(convocation, name, None) for name in ROW_STEPS}
        convocation.steps["cir"] = getattr(convocation.person, "cir_contract", None)
        convocation.urls = {key: make(convocation.pk) for key, make in makers.items()}
        convocation.urls["person"] = person_url(convocation.person_id)
    return convocations


def _visible_convocation(request, pk) -> Convocation:
    """A convocation of a person the membership sees, in a session it may open; else 404."""
    sessions = ReceptionSession.objects.visible_to(request.membership)
    return get_object_or_404(
        _sheet_convocations(request.membership).filter(session__in=sessions), pk=pk
    )


def _sheet_flags(membership, experiment_open: bool) -> dict[str, bool]:
    return {
        "can_convoke": can(membership, Action.CONVOKE),
        "can_position": can(membership, Action.RECORD_POSITIONING),
        "can_interview": can(membership, Action.INTERVIEW),
        "can_cip": can(membership, Action.CIP_INTERVIEW) and experiment_open,
        "experiment_open": experiment_open,
        # The foreign-national number is OFII's business, not the partner CIP's (need-to-know).
        "show_identifiers": can(membership, Action.EDIT_PERSON),
    }


def _row_response(request, convocation_pk, *, saved=False, following=None):
    """The row again; after a save, also the header's counters and the roll call (htmx
    out-of-band swaps), and the next step's form when « enregistrer et suivant » asked."""
    convocation = _visible_convocation(request, convocation_pk)
    _with_steps([convocation])
    flags = _sheet_flags(request.membership, services.experiment_open(convocation.session))
    context = {"c": convocation, **flags}
    if saved:
        context.update(_sheet_header(convocation.session, membership=request.membership), oob=True)
    if following is not None:
        step, nxt = following
        if nxt.pk == convocation.pk:
            # The next step of the same person takes the row's place.
            return render(
                request, "reception/_step_row.html", {**context, **_step_context(nxt, step)}
            )
        context["following"] = {**_step_context(nxt, step), "c": nxt}
    return render(request, "reception/_row.html", context)


def _sheet_header(session, rows=None, membership=None) -> dict:
    """The counters of the day sheet's header and the persons still to point: from the rows
    the page already holds, else in two queries (after an htmx save)."""
    if rows is not None:
        counts = dict.fromkeys(AttendanceStatus.values, 0)
        for convocation in rows:
            counts[convocation.status] += 1
        pending = [c for c in rows if c.status == AttendanceStatus.PENDING]
        return {
            "session": session,
            "counts": counts,
            "seats_taken": len(rows)
            - counts[AttendanceStatus.RESCHEDULED]
            - counts[AttendanceStatus.CANCELLED],
            "pending": pending,
            "roll_call_open": bool(pending) and session.date <= timezone.localdate(),
        }
    # The same rows the page shows: the convocations of the persons the membership sees.
    convocations = _of_visible_persons(Convocation.objects.filter(session=session), membership)
    counts = convocations.aggregate(
        convoked=Count("pk"),
        rescheduled=Count(
            "pk",
            filter=Q(status__in=[AttendanceStatus.RESCHEDULED, AttendanceStatus.CANCELLED]),
        ),
        **{
            status: Count("pk", filter=Q(status=status))
            for status in (
                AttendanceStatus.PENDING,
                AttendanceStatus.PRESENT,
                AttendanceStatus.ABSENT,
                AttendanceStatus.EXCUSED,
            )
        },
    )
    pending = list(
        convocations.filter(status=AttendanceStatus.PENDING)
        .select_related("person")
        .order_by("person__last_name", "person__first_names", "pk")
    )
    return {
        "session": session,
        "counts": counts,
        "seats_taken": counts["convoked"] - counts["rescheduled"],
        "pending": pending,
        "roll_call_open": bool(pending) and session.date <= timezone.localdate(),
    }


def _session_url(session_id, convocation_id=None) -> str:
    url = reverse("reception:session", args=[session_id])
    return f"{url}#conv-{convocation_id}" if convocation_id else url


# --------------------------------------------------------------------------------------------
# Planning and sessions
# --------------------------------------------------------------------------------------------


def _monday(request) -> datetime.date:
    """The Monday of the week asked for; this week when the date is invalid or out of range."""
    value = request.GET.get("semaine")
    day = bounds.parse_date(value)
    if day is None:
        if value:
            messages.warning(
                request,
                _(
                    "Date invalide ou hors des limites (du %(min)s au %(max)s) : voici la "
                    "semaine en cours."
                )
                % {
                    "min": bounds.MIN_DATE.strftime("%d/%m/%Y"),
                    "max": bounds.MAX_DATE.strftime("%d/%m/%Y"),
                },
            )
        day = timezone.localdate()
    return day - datetime.timedelta(days=day.weekday())


@action_required(Action.VIEW_PERSON)
def planning(request):
    """The week's sessions, by day and half-day."""
    monday = _monday(request)
    sunday = monday + datetime.timedelta(days=6)
    sessions = list(
        ReceptionSession.objects.visible_to(request.membership)
        .in_range(monday, sunday)
        .with_counts()
        .select_related("directorate")
        .prefetch_related(Prefetch("staff", queryset=SessionStaff.objects.select_related("user")))
        .order_by("date", "start_time", "place")
    )
    last_day = 4 if all(s.date.weekday() < 5 for s in sessions) else 6
    days = [monday + datetime.timedelta(days=offset) for offset in range(last_day + 1)]
    grid = [
        {
            "label": label,
            "half_day": half_day,
            "cells": [
                (day, [s for s in sessions if s.date == day and s.half_day == half_day])
                for day in days
            ],
        }
        for half_day, label in HalfDay.choices
    ]
    return render(
        request,
        "reception/planning.html",
        {
            "monday": monday,
            "sunday": sunday,
            "days": days,
            "grid": grid,
            "session_count": len(sessions),
            "previous_week": monday - datetime.timedelta(days=7),
            "next_week": monday + datetime.timedelta(days=7),
            "this_week": timezone.localdate()
            - datetime.timedelta(days=timezone.localdate().weekday()),
            "today": timezone.localdate(),
            "can_plan": can(request.membership, Action.PLAN_SESSIONS)
            and _directorate_id(request.membership) is not None,
        },
    )


@action_required(Action.PLAN_SESSIONS)
def session_edit(request, pk=None):
    """Create or change a session and its staff."""
    directorate_id = _directorate_id(request.membership)
    if directorate_id is None:
        raise PermissionDenied
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    directorate = Directorate.objects.get(pk=directorate_id)
    session = _visible_session(request, pk) if pk is not None else None
    initial: dict[str, Any] = {}
    if session is not None:
        initial = {
            "date": session.date,
            "half_day": session.half_day,
            "start_time": session.start_time,
            "place": session.place,
            "address": session.address,
            "capacity": session.capacity,
        }
        for member in session.staff.all():
            initial.setdefault(f"staff_{member.role}", []).append(member.user_id)
    else:
        # The week view's "plan here" links pass the slot.
        initial = {key: request.GET[key] for key in ("date", "half_day") if key in request.GET}
    form = forms.SessionForm(
        request.POST or None, initial=initial, directorate=directorate, session=session
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if session is None:
                session = services.plan_session(
                    directorate,
                    date=data["date"],
                    half_day=data["half_day"],
                    place=data["place"],
                    address=data["address"],
                    capacity=data["capacity"],
                    start_time=data["start_time"],
                    staff=form.staff(),
                    actor=request.user,
                    holiday_confirmed=data["confirm_holiday"],
                )
                messages.success(
                    request, _("Session planifiée : %(session)s.") % {"session": session}
                )
            else:
                session = services.update_session(
                    session,
                    date=data["date"],
                    half_day=data["half_day"],
                    place=data["place"],
                    address=data["address"] or directorate.address,
                    capacity=data["capacity"],
                    start_time=data["start_time"] or session.start_time,
                    staff=form.staff(),
                    holiday_confirmed=data["confirm_holiday"],
                )
                messages.success(request, _("Session modifiée."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("reception:session", pk=session.pk)
    return render(
        request,
        "reception/session_form.html",
        {"form": form, "session": session, "directorate": directorate},
    )


@action_required(Action.VIEW_PERSON)
def session_detail(request, pk):
    """The day sheet: one row per person convoked, each step recorded in place."""
    session = _visible_session(request, pk)
    convocations = (
        _sheet_convocations(request.membership)
        .filter(session=session)
        .order_by("person__last_name", "person__first_names", "pk")
    )
    experiment_open = services.experiment_open(session)
    staff = SessionStaff.objects.filter(session=session).select_related("user")
    rows = _with_steps(list(convocations))
    if rows:
        # Issue 6: a page that shows people writes one access-log row with all of them.
        log_access(request, [c.person_id for c in rows], Operation.PERSON_LIST)
    return render(
        request,
        "reception/session_detail.html",
        {
            **_sheet_header(session, rows),
            "convocations": rows,
            "staff": staff,
            "presentation": getattr(session, "cip_presentation", None),
            "can_plan": can(request.membership, Action.PLAN_SESSIONS)
            and _directorate_id(request.membership) == session.directorate_id
            and not session.is_cancelled,
            # Only before attendance is taken (services.cancel_session says so otherwise).
            "can_cancel": not any(c.status in OBSERVED_STATUSES for c in rows),
            "can_summary": can(request.membership, Action.VIEW_AGGREGATES),
            **_sheet_flags(request.membership, experiment_open),
            # What the row template reads after an htmx save only: set here, so that each
            # row does not look them up and fail (an exception and a log call each, issue 12).
            "oob": False,
            "following": None,
        },
    )


@action_required(Action.PLAN_SESSIONS)
def session_cancel(request, pk):
    """« Annuler la session » (issue 18): a confirmation with a reason, then the service."""
    session = _visible_session(request, pk)
    if _directorate_id(request.membership) != session.directorate_id:
        raise PermissionDenied
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if session.is_cancelled:
        messages.info(request, _("Cette session est déjà annulée."))
        return redirect("reception:session", pk=session.pk)
    form = forms.CancelSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            freed = services.cancel_session(
                session, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Session annulée. %(count)s personne(s) à reconvoquer, prévenue(s) par "
                    "courriel ou SMS quand Parcours a leurs coordonnées."
                )
                % {"count": len(freed)},
            )
            return redirect("reception:session", pk=session.pk)
    return render(
        request,
        "reception/session_cancel.html",
        {
            "form": form,
            "session": session,
            "holding": session.convocations.holding_a_seat().count(),
        },
    )


@require_POST
@action_required(Action.CONVOKE)
def roll_call(request, pk):
    """« Tous présents » : everyone still to point is present, but the exceptions, absent."""
    session = _visible_session(request, pk)
    absent_ids = [value for value in request.POST.getlist("absent") if value.isdigit()]
    if len(absent_ids) != len(request.POST.getlist("absent")):
        messages.error(request, _("Exception invalide : rien n'a été enregistré."))
        return redirect(_session_url(session.pk))
    try:
        done = services.record_roll_call(session, absent_ids=absent_ids, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Présence enregistrée : %(present)s présent(s), %(absent)s absent(s).") % done,
        )
    return redirect(_session_url(session.pk) + "#feuille")


@action_required(Action.CIP_INTERVIEW)
def cip_presentation(request, pk):
    """The CIP's collective presentation at a session."""
    session = _visible_session(request, pk)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    existing = getattr(session, "cip_presentation", None)
    initial = (
        {
            "started_at": existing.started_at,
            "attendees": existing.attendees,
            "duration_minutes": existing.duration_minutes,
        }
        if existing
        else {"started_at": session.start_time, "duration_minutes": 15}
    )
    form = forms.CipPresentationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_cip_presentation(session, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Présentation collective enregistrée."))
            return redirect("reception:session", pk=session.pk)
    return render(request, "reception/cip_presentation.html", {"form": form, "session": session})


# --------------------------------------------------------------------------------------------
# Convocations and letters
# --------------------------------------------------------------------------------------------


@action_required(Action.CONVOKE)
def convoke(request, pk):
    """Convoke persons of the perimeter: from a search, from a list of AGDREF numbers."""
    session = _visible_session(request, pk)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    persons = Person.objects.visible_to(request.membership)
    search = forms.PersonSearchForm(request.GET or None)
    single = forms.ConvokePersonForm(persons=persons, auto_id="id_single_%s")
    listed = forms.ConvokeListForm(persons=persons)
    imported = forms.ConvokeFileForm()
    if request.method == "POST" and request.POST.get("source") == "file":
        # Issue 17 point 4: the file is read and planned, then shown row by row; nothing is
        # convoked before the agent confirms (convocation_import_commit).
        imported = forms.ConvokeFileForm(request.POST, request.FILES)
        if imported.is_valid():
            try:
                run, _plan = imports.preview(
                    imported.cleaned_data["agdref_file"],
                    imported.kind,
                    session,
                    request.membership,
                    persons,
                    actor=request.user,
                    sheet_name=imported.cleaned_data["sheet"],
                )
            except ValidationError as error:
                imported.add_error("agdref_file", error)
            else:
                return redirect("reception:convocation_import", pk=run.pk)
    elif request.method == "POST":
        if "agdref_numbers" in request.POST:
            listed = forms.ConvokeListForm(request.POST, persons=persons)
            form, chosen = listed, "agdref_numbers"
        else:
            single = forms.ConvokePersonForm(request.POST, persons=persons, auto_id="id_single_%s")
            form, chosen = single, "person"
        if form.is_valid():
            value = form.cleaned_data[chosen]
            chosen_persons = value if isinstance(value, list) else [value]
            try:
                services.convoke_many(session, chosen_persons, actor=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(count)s personne(s) convoquée(s) : %(names)s.")
                    % {
                        "count": len(chosen_persons),
                        "names": ", ".join(p.display_name for p in chosen_persons),
                    },
                )
                return redirect(request.get_full_path())
    query = search.cleaned_data["q"] if search.is_valid() else ""
    found = []
    if query:
        found = list(
            persons.search(query)
            .exclude(convocations__session=session)
            .select_related("department")
            .in_search_order()[:30]
        )
    to_reconvoke = (
        Convocation.objects.to_reconvoke()
        .for_directorate(session.directorate_id)
        .filter(person__in=persons)
        .exclude(person__convocations__session=session)
        .select_related("person", "session")
        .order_by("session__date", "pk")[:20]
    )
    seats_taken = session.convocations.holding_a_seat().count()
    return render(
        request,
        "reception/convoke.html",
        {
            "session": session,
            "search": search,
            "query": query,
            "found": found,
            "single": single,
            "listed": listed,
            "imported": imported,
            "to_reconvoke": to_reconvoke,
            "seats_taken": seats_taken,
            "seats_left": max(session.capacity - seats_taken, 0),
            "import_history": session.imports.select_related("created_by")
            .defer("content")
            .order_by("-created_at", "-pk")[:IMPORT_HISTORY],
        },
    )


# Imports of a session listed on its convoke page.
IMPORT_HISTORY = 10


def _visible_import(request, pk) -> ConvocationImport:
    """An import of a session the membership may open (else 404, as for the session)."""
    return get_object_or_404(
        ConvocationImport.objects.filter(
            session__in=ReceptionSession.objects.visible_to(request.membership)
        ).select_related("session__directorate", "membership", "created_by"),
        pk=pk,
    )


@require_GET
@action_required(Action.CONVOKE)
def convocation_import(request, pk):
    """The preview of an imported list: each row to convoke, already convoked or in error."""
    run = _visible_import(request, pk)
    persons = Person.objects.visible_to(request.membership)
    plan = None
    if run.status == ConvocationImportStatus.PREVIEWED:
        try:
            plan = imports.plan_of(run, persons)
        except ValidationError as error:  # a file read before cannot fail now, but never a 500
            messages.error(request, " ".join(error.messages))
        if plan is not None and plan.persons:
            # The preview names the persons of the numbers: a read of those files, logged.
            log_access(request, plan.persons, Operation.PERSON_LIST)
    return render(
        request,
        "reception/convocation_import.html",
        {
            "run": run,
            "session": run.session,
            "plan": plan,
            "counts": plan.counts if plan else None,
        },
    )


@require_POST
@action_required(Action.CONVOKE)
def convocation_import_commit(request, pk):
    """Convoke the previewed list: all or nothing (reception.imports.commit)."""
    run = _visible_import(request, pk)
    persons = Person.objects.visible_to(request.membership)
    try:
        plan = imports.commit(run, persons, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reception:convocation_import", pk=run.pk)
    convoked = plan.to_convoke
    done = _("Fichier lu en entier : %(rows)s ligne(s). ") % {"rows": len(plan.rows)}
    done += _("%(count)s personne(s) convoquée(s) : %(names)s.") % {
        "count": len(convoked),
        "names": ", ".join(p.display_name for p in convoked),
    }
    unchanged = plan.count(imports.Status.UNCHANGED)
    if unchanged:
        done += " " + _("%(count)s déjà convoquée(s), inchangée(s).") % {"count": unchanged}
    messages.success(request, done)
    return redirect("reception:convoke", pk=run.session_id)


def _pdf_response(convocations, filename) -> HttpResponse:
    pdf = render_convocations_pdf(convocations, today=timezone.localdate())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
@action_required(Action.CONVOKE)
def convocation_letter(request, pk):
    """One person's convocation letter (French, and their language when available)."""
    convocation = _visible_convocation(request, pk)
    warning = _without_address(request, [convocation], back=convocation.session)
    if warning is not None:
        return warning
    return _pdf_response([convocation], f"convocation-{convocation.pk}.pdf")


# A letter goes by post: printed without the street it would not arrive (issue 16). The page
# says so before printing, and prints anyway once asked to (the person may collect it).
PRINT_ANYWAY = "sans_adresse"


def _without_address(request, convocations, *, back):
    """A warning page when a letter to print has no street address, None to print."""
    if request.GET.get(PRINT_ANYWAY) == "1":
        return None
    missing = [c for c in convocations if not (c.person.address or "").strip()]
    if not missing:
        return None
    query = request.GET.copy()
    query[PRINT_ANYWAY] = "1"
    return render(
        request,
        "reception/letter_without_address.html",
        {
            "missing": missing,
            "total": len(convocations),
            "session": back,
            "print_anyway": f"{request.path}?{query.urlencode()}",
            "can_edit": can(request.membership, Action.EDIT_PERSON),
        },
    )


@require_GET
@action_required(Action.CONVOKE)
def session_letters(request, pk):
    """Every letter of a session still to come, one per page, to print in one go."""
    session = _visible_session(request, pk)
    convocations = list(
        _sheet_convocations(request.membership)
        .filter(session=session, status=AttendanceStatus.PENDING)
        .order_by("person__last_name", "person__first_names", "pk")
    )
    if not convocations:
        messages.info(request, _("Aucune convocation en attente à imprimer pour cette session."))
        return redirect("reception:session", pk=session.pk)
    warning = _without_address(request, convocations, back=session)
    if warning is not None:
        return warning
    return _pdf_response(convocations, f"convocations-{session.date.isoformat()}.pdf")


# --------------------------------------------------------------------------------------------
# Steps of the day sheet (htmx fragments, or full pages without JavaScript)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form_class: type
    save: Any  # (convocation, cleaned_data, user) -> None
    initial: Any = None  # (convocation) -> dict
    form_kwargs: Any = None  # (convocation) -> dict
    note: Any = None  # (convocation) -> str, shown above the form


def _step_context(convocation, step: Step, form=None) -> dict:
    """What a step's form needs: the form (pre-filled from what is known), its note, its URL."""
    if form is None:
        kwargs = step.form_kwargs(convocation) if step.form_kwargs else {}
        initial = step.initial(convocation) if step.initial else {}
        form = step.form_class(initial=initial, auto_id=f"id_c{convocation.pk}_%s", **kwargs)
    return {
        "c": convocation,
        "form": form,
        "step": step,
        "note": step.note(convocation) if step.note else "",
        "action": reverse(f"reception:{step.slug}", args=[convocation.pk]),
        "can_continue": step.slug in SEQUENCE_SLUGS,
    }


def _run_step(request, pk, step: Step):
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    convocation = _visible_convocation(request, pk)
    kwargs = step.form_kwargs(convocation) if step.form_kwargs else {}
    kwargs["auto_id"] = f"id_c{convocation.pk}_%s"
    form = None
    if request.method == "POST":
        form = step.form_class(request.POST, **kwargs)
        if form.is_valid():
            try:
                step.save(convocation, form.cleaned_data, request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                following = None
                if request.POST.get("next"):
                    following = next_step(request.membership, convocation, step)
                if request.htmx:
                    return _row_response(request, convocation.pk, saved=True, following=following)
                messages.success(
                    request,
                    _("Enregistré pour %(name)s : %(step)s.")
                    % {"step": step.title, "name": convocation.person.display_name},
                )
                if following is not None:
                    next_one, nxt = following
                    return redirect(reverse(f"reception:{next_one.slug}", args=[nxt.pk]))
                return redirect(_session_url(convocation.session_id, convocation.pk))
    context = _step_context(convocation, step, form)
    template = "reception/_step_row.html" if request.htmx else "reception/step_page.html"
    return render(request, template, context)


def _save_attendance(convocation, data, user):
    services.record_attendance(
        convocation,
        data["status"],
        actor=user,
        rescheduled_to=data.get("rescheduled_to"),
        reason=data.get("reason", ""),
    )


ATTENDANCE = Step(
    slug="attendance",
    title=gettext_lazy("Présence"),
    form_class=forms.AttendanceForm,
    save=_save_attendance,
    initial=lambda c: {"status": c.status},
    form_kwargs=lambda c: {"convocation": c},
)


@action_required(Action.CONVOKE)
def attendance(request, pk):
    return _run_step(request, pk, ATTENDANCE)


POSITIONING = Step(
    slug="positioning",
    title=gettext_lazy("Positionnement linguistique"),
    form_class=forms.PositioningForm,
    save=lambda c, data, user: services.record_positioning(c, actor=user, **data),
    initial=lambda c: (
        {
            "written_level": c.positioning.written_level,
            "oral_level": c.positioning.oral_level,
            "can_read": c.positioning.can_read,
            "little_schooling": c.positioning.little_schooling,
        }
        if hasattr(c, "positioning")
        else {"can_read": True}
    ),
)


@action_required(Action.RECORD_POSITIONING)
def positioning(request, pk):
    return _run_step(request, pk, POSITIONING)


def _interview_initial(c):
    if not hasattr(c, "interview"):
        return {
            "employment_status": c.person.employment_status,
            "accommodation": c.person.accommodation,
        }
    interview = c.interview
    return {
        "employment_status": interview.employment_status,
        "accommodation": interview.accommodation,
        "needs": interview.needs,
        "orientations": [o.target for o in interview.orientations.all()],
    }


def _interview_note(c):
    """The requirements of the title the person will apply for, as information (issue 15)."""
    found = titles.standing(
        c.person, c.session.date, age=ages.age_on(c.person.birth_date, c.session.date)
    )
    if found is None:
        return ""
    return _("Titre envisagé : %(title)s. %(lines)s") % {
        "title": found.title_label,
        "lines": " ".join(found.lines),
    }


INTERVIEW = Step(
    slug="interview",
    title=gettext_lazy("Entretien de diagnostic"),
    form_class=forms.InterviewForm,
    save=lambda c, data, user: services.record_interview(c, actor=user, **data),
    initial=_interview_initial,
    note=_interview_note,
)


@action_required(Action.INTERVIEW)
def interview(request, pk):
    return _run_step(request, pk, INTERVIEW)


def _contract_initial(c):
    contract = getattr(c, "contract", None)
    if contract is None:
        return {"signed_on": c.session.date}
    return {
        "signed_on": contract.signed_on,
        "civic_training_date": contract.civic_training_date,
        "civic_training_place": contract.civic_training_place,
    }


CONTRACT = Step(
    slug="contract",
    title=gettext_lazy("Signature du CIR"),
    form_class=forms.ContractForm,
    save=lambda c, data, user: services.sign_contract(c, actor=user, **data),
    initial=_contract_initial,
)


@action_required(Action.INTERVIEW)
def contract(request, pk):
    return _run_step(request, pk, CONTRACT)


def _prescription_note(c):
    decision = services.proposed_prescription(c)
    if decision is None:
        return _("Saisissez d'abord le positionnement linguistique : la décision en découle.")
    return prescription_text(decision)


def prescription_text(decision) -> str:
    """The rule's offer in words: kind, modality, hours and pace, with the rule's code."""
    values = {
        "level": LanguageLevel(decision.level).label,
        "target": LanguageLevel(decision.target).label,
        "rule": decision.rule_version,
        "hours": decision.hours,
        "months": decision.duration_months,
    }
    if not decision.training:
        return _("Niveau %(level)s : pas de formation selon la règle %(rule)s.") % values
    if decision.modality == Modality.ASYNCHRONOUS:
        text = _(
            "Formation proposée vers %(target)s en asynchrone, sur la plateforme en ligne, "
            "sans plafond d'heures fixé par les textes (règle %(rule)s)."
        )
    elif decision.paces:
        text = _(
            "Formation proposée de %(hours)s h vers %(target)s en présentiel, sur "
            "%(months)s mois, au rythme extensif (6 à 10 h par semaine), semi-intensif "
            "(11 à 19 h) ou intensif (20 à 30 h) (règle %(rule)s)."
        )
    elif decision.proposed:
        text = _("Formation proposée de %(hours)s h vers %(target)s (règle %(rule)s).")
    else:
        text = _(
            "Formation prescrite de %(hours)s h vers %(target)s en présentiel (règle %(rule)s)."
        )
    return text % values


def _prescription_initial(c):
    prescription = getattr(c, "prescription", None)
    if prescription is None:
        return {}
    return {
        "answer": prescription.answer,
        "pace": prescription.pace,
        "modality": prescription.modality
        if prescription.modality != prescription.proposed_modality
        else "",
        "override_reason": prescription.modality_override_reason,
    }


PRESCRIPTION = Step(
    slug="prescription",
    title=gettext_lazy("Formation linguistique"),
    form_class=forms.PrescriptionForm,
    save=lambda c, data, user: services.decide_prescription(c, actor=user, **data),
    initial=_prescription_initial,
    form_kwargs=lambda c: {"decision": services.proposed_prescription(c)},
    note=_prescription_note,
)


@action_required(Action.INTERVIEW)
def prescription(request, pk):
    return _run_step(request, pk, PRESCRIPTION)


def _check_initial(c):
    check = getattr(c, "employment_check", None)
    if check is None:
        person = c.person
        # The situation told at the diagnostic interview of the day, else the file's.
        interview = getattr(c, "interview", None)
        situation = interview.employment_status if interview else person.employment_status
        return {
            "situation": situation if situation != "unknown" else None,
            "already_ft": person.ft_registered,
            "rsa_recipient": person.rsa_recipient,
            "agir_followed": person.agir_followed or services.agir_source(person.pk) is not None,
        }
    return {
        "situation": check.situation,
        "already_ft": check.already_ft,
        "rsa_recipient": check.rsa_recipient,
        "agir_followed": check.agir_followed,
        "registered_today": check.registered_today,
        "reregistration_reason": check.reregistration_reason,
        "ft_identifier": check.ft_identifier,
        "ft_registration_date": check.ft_registration_date,
        "first_appointment_date": check.first_appointment_date,
    }


def _check_note(c):
    """What the CIP must know before the interview: AGIR, an earlier registration."""
    person = c.person
    notes = []
    source = services.agir_source(person.pk)
    if source is not None:
        notes.append(
            _(
                "%(name)s est %(source)s : à suivre par l'opérateur AGIR, pas d'inscription à "
                "France Travail pendant l'entretien ; comptée parmi les personnes « allocataires "
                "du RSA ou orientées vers AGIR »."
            )
            % {"name": person.display_name, "source": source.describe()}
        )
    check = getattr(c, "employment_check", None)
    if person.ft_registered and not (check and check.registered_today):
        notes.append(
            _(
                "Déjà enregistrée comme inscrite à France Travail : une nouvelle inscription "
                "demande son motif."
            )
        )
    return " ".join(notes)


EMPLOYMENT_CHECK = Step(
    slug="employment_check",
    title=gettext_lazy("Entretien CIP"),
    form_class=forms.EmploymentCheckForm,
    save=lambda c, data, user: services.record_employment_check(c, actor=user, **data),
    initial=_check_initial,
    note=_check_note,
)


@action_required(Action.CIP_INTERVIEW)
def employment_check(request, pk):
    return _run_step(request, pk, EMPLOYMENT_CHECK)


def _save_follow_up(c, data, user):
    check = getattr(c, "employment_check", None)
    if check is None:
        raise ValidationError(_("Enregistrez d'abord l'entretien CIP de cette personne."))
    services.record_ft_follow_up(check, **data)


def _follow_up_initial(c):
    check = getattr(c, "employment_check", None)
    if check is None:
        return {}
    return {
        "first_appointment_date": check.first_appointment_date,
        "accompaniment": check.accompaniment,
        "accompaniment_date": check.accompaniment_date,
    }


FOLLOW_UP = Step(
    slug="follow_up",
    title=gettext_lazy("Premier rendez-vous France Travail"),
    form_class=forms.FollowUpForm,
    save=_save_follow_up,
    initial=_follow_up_initial,
)


@action_required(Action.CIP_INTERVIEW)
def follow_up(request, pk):
    return _run_step(request, pk, FOLLOW_UP)


# « Enregistrer et suivant » (issue 16): the steps of a person in the order of the day, then
# the next person present. Each step is offered to the roles that may record it, when it
# applies and is not recorded yet.
SEQUENCE = (
    (POSITIONING, Action.RECORD_POSITIONING, lambda c: not hasattr(c, "positioning")),
    (INTERVIEW, Action.INTERVIEW, lambda c: not hasattr(c, "interview")),
    (
        CONTRACT,
        Action.INTERVIEW,
        # A CIR signed at an earlier session is not signed again (the row says so).
        lambda c: not hasattr(c.person, "cir_contract"),
    ),
    (
        PRESCRIPTION,
        Action.INTERVIEW,
        # The decision follows from the positioning: offered once the levels are known.
        lambda c: not hasattr(c, "prescription") and hasattr(c, "positioning"),
    ),
    (EMPLOYMENT_CHECK, Action.CIP_INTERVIEW, lambda c: not hasattr(c, "employment_check")),
)
SEQUENCE_SLUGS = frozenset(step.slug for step, _action, _todo in SEQUENCE)


def next_step(membership, convocation, after: Step) -> tuple[Step, Convocation] | None:
    """The step to open after `after` for this person, else the first one to do for the next
    persons present of the sheet, in sheet order; None when nothing is left after them."""
    session = convocation.session
    experiment_open = services.experiment_open(session)
    steps = [
        (step, todo)
        for step, action, todo in SEQUENCE
        if can(membership, action) and (step is not EMPLOYMENT_CHECK or experiment_open)
    ]
    rows = list(
        _sheet_convocations(membership)
        .filter(session=session, status=AttendanceStatus.PRESENT)
        .order_by("person__last_name", "person__first_names", "pk")
    )
    position = next((i for i, c in enumerate(rows) if c.pk == convocation.pk), None)
    if position is None:
        return None
    current = rows[position]
    slugs = [step.slug for step, _todo in steps]
    later = slugs.index(after.slug) + 1 if after.slug in slugs else 0
    for step, todo in steps[later:]:
        if todo(current):
            return step, current
    for candidate in rows[position + 1 :]:
        for step, todo in steps:
            if todo(candidate):
                return step, candidate
    return None


@require_GET
@action_required(Action.VIEW_PERSON)
def row(request, pk):
    """One day-sheet row (htmx: "cancel" puts the row back in place of a step form)."""
    if not request.htmx:
        convocation = _visible_convocation(request, pk)
        return redirect(_session_url(convocation.session_id, convocation.pk))
    return _row_response(request, pk)


# --------------------------------------------------------------------------------------------
# Worklists
# --------------------------------------------------------------------------------------------


# Each worklist: its order (a date of the indexed rows, then the key), read by the partial
# indexes of issue 12 (reception/models.py), and the template of its rows.
WORKLISTS = {
    "reconvoke": "session_date",
    "no_ft": "signed_on",
    "no_outcome": "first_appointment_date",
}


def _cursor(value: str):
    """The (date, key) of a « Suivants » link (`2026-01-27.123`), or None when malformed:
    the list then starts from its first row (no 500 on an edited address)."""
    day, _sep, pk = (value or "").partition(".")
    try:
        return datetime.date.fromisoformat(day), int(pk)
    except ValueError:
        return None


def _row_person(path: str) -> tuple[str, ...]:
    """The person's columns a worklist row shows (their link and `display_name`)."""
    return tuple(f"{path}__{name}" for name in ("id", "usual_name", "last_name", "first_names"))


def _row_session(path: str) -> tuple[str, ...]:
    """The session's columns of its name (`ReceptionSession.__str__`)."""
    return tuple(f"{path}__{name}" for name in ("id", "date", "half_day", "place"))


def _worklist_page(queryset, field: str, cursor) -> dict:
    """One page of a worklist in (date, key) order from after `cursor`, and the cursor of the
    next page if any: a keyset read (one index range, whatever the page), not an offset."""
    if cursor is not None:
        day, pk = cursor
        # The date bound first, alone, so that it is the index's range; the key breaks ties.
        queryset = queryset.filter(**{f"{field}__gte": day}).filter(
            Q(**{f"{field}__gt": day}) | Q(pk__gt=pk)
        )
    rows = list(queryset.order_by(field, "pk")[: WORKLIST_PAGE_SIZE + 1])
    following = None
    if len(rows) > WORKLIST_PAGE_SIZE:
        rows = rows[:WORKLIST_PAGE_SIZE]
        last = rows[-1]
        following = f"{getattr(last, field).isoformat()}.{last.pk}"
    return {"rows": rows, "following": following, "from_start": cursor is None}


@action_required(Action.VIEW_PERSON)
def worklists(request):
    """What the DT has to follow up: people to re-convoke, FT registrations, FT appointments.

    Each list shows a page of its oldest rows; « Suivants » (`?liste=…&apres=…`) reads the
    next page of that list, swapped in alone by htmx, or the whole page with that list's tab
    open without JavaScript."""
    from parcours.www.home import WORKLIST_COUNT_CAP, capped_count, dt_worklist_counts

    membership = request.membership
    directorate_id = _directorate_id(membership)
    today = timezone.localdate()
    settings = ReceptionSettings.for_directorate(directorate_id) if directorate_id else None
    delay = settings.ft_registration_delay_days if settings else 30
    cutoff = today - datetime.timedelta(days=delay)
    reconvoke = _of_visible_persons(Convocation.objects.to_reconvoke(), membership)
    no_ft = _of_visible_persons(
        Contract.objects.without_ft_registration(signed_on_or_before=cutoff), membership
    )
    no_outcome = _of_visible_persons(
        EmploymentCheck.objects.first_appointment_without_outcome(today), membership
    )
    if directorate_id:
        reconvoke = reconvoke.for_directorate(directorate_id)
    # Only the columns the rows show: a person has some fifty, and three pages of fifty rows
    # built whole cost more than the three index reads (issue 12, `profile_pages`).
    lists = {
        "reconvoke": reconvoke.select_related("person", "session").only(
            "status", "session_date", *_row_person("person"), *_row_session("session")
        ),
        "no_ft": no_ft.select_related("person").only(
            "signed_on", *_row_person("person"), "person__employment_status"
        ),
        "no_outcome": no_outcome.select_related("convocation__person").only(
            "first_appointment_date", "convocation__id", *_row_person("convocation__person")
        ),
    }
    chosen = request.GET.get("liste", "")
    cursor = _cursor(request.GET.get("apres", "")) if chosen in lists else None
    if chosen in lists and request.htmx:
        # « Suivants » with JavaScript: that list's next page only, in place of its page.
        return render(
            request,
            f"reception/_worklist_{chosen}.html",
            {
                "page": _worklist_page(lists[chosen], WORKLISTS[chosen], cursor),
                **_worklist_flags(membership),
            },
        )
    # The counts, capped (capped_count): an exact one read every row of each list (tens of
    # thousands in a large DT, issue 12). Cached under the generation of freshness.py, so any
    # write shows on the next read. A DT's are the home page's, from one builder
    # (www/home.py); a membership without a DT follows any write.
    if directorate_id:
        counts = dt_worklist_counts(directorate_id, today, cutoff)
    else:
        counts = freshness.cached(
            ("worklists", f"m{membership.pk}", cutoff),
            lambda: {
                name: capped_count(queryset, WORKLISTS[name], "pk")
                for name, queryset in lists.items()
            },
        )
    context = {
        name: {
            "page": _worklist_page(queryset, WORKLISTS[name], cursor if name == chosen else None),
            "count": counts[name],
        }
        for name, queryset in lists.items()
    }
    delay_form = None
    if directorate_id and can(membership, Action.PLAN_SESSIONS):
        delay_form = forms.DelayForm(initial={"ft_registration_delay_days": delay})
    return render(
        request,
        "reception/worklists.html",
        {
            **context,
            **_worklist_flags(membership),
            "selected": chosen if chosen in lists else "reconvoke",
            "cap": WORKLIST_COUNT_CAP,
            "delay": delay,
            "delay_form": delay_form,
        },
    )


def _worklist_flags(membership) -> dict:
    """What the worklists' rows offer to this membership."""
    return {
        "open_sessions": sessions_with_seats(membership),
        "can_reconvoke": bool(_directorate_id(membership)) and can(membership, Action.CONVOKE),
        # Only the roles that may record it get the follow-up link (issue 16: no link to a 403).
        "can_follow_up": can(membership, Action.CIP_INTERVIEW),
    }


# Sessions offered to convoke into from a worklist or a person file: the next three months.
CONVOKE_HORIZON_DAYS = forms.RESCHEDULE_HORIZON_DAYS


def sessions_with_seats(membership) -> list[ReceptionSession]:
    """The DT's sessions still to come with a free seat, soonest first (one query)."""
    directorate_id = _directorate_id(membership)
    if directorate_id is None or not can(membership, Action.CONVOKE):
        return []
    today = timezone.localdate()
    sessions = (
        ReceptionSession.objects.planned()
        .filter(directorate_id=directorate_id)
        .in_range(today, today + datetime.timedelta(days=CONVOKE_HORIZON_DAYS))
        .with_counts()
        .order_by("date", "start_time", "place")
    )
    found = [s for s in sessions if s.seats_taken < s.capacity]
    for session in found:
        session.free_seats = session.capacity - session.seats_taken
    return found


def _convoke_into(request, persons, session_id) -> bool:
    """Convoke persons into a session still to come of the DT; a message says what happened."""
    today = timezone.localdate()
    session = (
        ReceptionSession.objects.visible_to(request.membership)
        .planned()
        .filter(
            directorate_id=_directorate_id(request.membership),
            date__gte=today,
            pk=session_id if str(session_id).isdigit() else None,
        )
        .first()
    )
    if session is None:
        messages.error(request, _("Choisissez une session à venir de votre DT."))
        return False
    if not persons:
        messages.error(request, _("Choisissez au moins une personne à convoquer."))
        return False
    try:
        services.convoke_many(session, persons, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    messages.success(
        request,
        _("%(count)s personne(s) convoquée(s) à la session %(session)s : %(names)s.")
        % {
            "count": len(persons),
            "session": session,
            "names": ", ".join(p.display_name for p in persons),
        },
    )
    return True


@require_POST
@action_required(Action.CONVOKE)
def worklist_reconvoke(request):
    """Re-convoke from « À reconvoquer »: one person (its row's button) or the ticked ones."""
    directorate_id = _directorate_id(request.membership)
    if directorate_id is None:
        raise PermissionDenied
    one = request.POST.get("one", "")
    chosen = [one] if one else request.POST.getlist("convocation")
    ids = [value for value in chosen if value.isdigit()]
    missed = (
        _of_visible_persons(Convocation.objects.to_reconvoke(), request.membership)
        .for_directorate(directorate_id)
        .filter(pk__in=ids)
        .select_related("person")
    )
    persons = list({c.person_id: c.person for c in missed}.values())
    if len(ids) != len(chosen) or len(persons) != len(set(ids)):
        messages.error(
            request,
            _("Une personne choisie n'est plus à reconvoquer : rien n'a été enregistré."),
        )
    else:
        _convoke_into(request, persons, request.POST.get("session", ""))
    return redirect(reverse("reception:worklists") + "#panel-reconvoke")


@require_POST
@action_required(Action.CONVOKE)
def convoke_person(request, person_pk):
    """« Convoquer » from a person file: into a session still to come with a free seat."""
    if _directorate_id(request.membership) is None:
        raise PermissionDenied
    person = get_object_or_404(Person.objects.visible_to(request.membership), pk=person_pk)
    _convoke_into(request, [person], request.POST.get("session", ""))
    return redirect("person_detail", pk=person.pk)


@require_POST
@action_required(Action.PLAN_SESSIONS)
def worklist_delay(request):
    directorate_id = _directorate_id(request.membership)
    if directorate_id is None:
        raise PermissionDenied
    form = forms.DelayForm(request.POST)
    if form.is_valid():
        services.set_ft_registration_delay(
            directorate_id, form.cleaned_data["ft_registration_delay_days"]
        )
        messages.success(request, _("Délai enregistré."))
    else:
        messages.error(request, " ".join(form.errors.get("ft_registration_delay_days", [])))
    return redirect(reverse("reception:worklists") + "#no-ft")


# --------------------------------------------------------------------------------------------
# The day's summary
# --------------------------------------------------------------------------------------------


def summary_directorates(membership):
    """Directorates whose day summaries the membership may read.

    A DT reads its own; the operator of a CIP experiment (seed 001: AMLI) reads those of the
    directorates where it runs one. Regional and national roles get figures from the indicators,
    where small counts are protected, not day by day.
    """
    directorate_id = _directorate_id(membership)
    if directorate_id:
        return Directorate.objects.filter(pk=directorate_id)
    if membership is not None and membership.role in PARTNER_ROLES:
        return Directorate.objects.filter(
            cip_experiments__operator_id=membership.organisation_id
        ).distinct()
    return Directorate.objects.none()


def _summary_request(request):
    """Read the summary's scope from the query string: a session, or dates (today by default)."""
    directorates = list(summary_directorates(request.membership).order_by("name"))
    if not directorates:
        return None
    chosen = next((d for d in directorates if d.code == request.GET.get("dt")), directorates[0])
    session = None
    session_id = request.GET.get("session", "")
    if session_id.isdigit():
        session = ReceptionSession.objects.filter(directorate=chosen, pk=session_id).first()
    today = timezone.localdate().isoformat()
    data = {"first": request.GET.get("first", today), "last": request.GET.get("last", today)}
    if session is not None:
        data = {"first": session.date, "last": session.date}
    form = forms.SummaryForm(data)
    if not form.is_valid():
        return {"directorates": directorates, "directorate": chosen, "form": form}
    first, last = form.cleaned_data["first"], form.cleaned_data["last"]
    summary = summary_for(
        chosen.pk, first=first, last=last, session_id=session.pk if session else None
    )
    if session is not None:
        title = _("%(dt)s – %(session)s") % {"dt": chosen, "session": session}
    elif first == last:
        title = _("%(dt)s – journée du %(date)s") % {"dt": chosen, "date": date_format(first)}
    else:
        title = _("%(dt)s – du %(first)s au %(last)s") % {
            "dt": chosen,
            "first": date_format(first),
            "last": date_format(last),
        }
    return {
        "directorates": directorates,
        "directorate": chosen,
        "form": form,
        "session": session,
        "summary": summary,
        "lines": summary_lines(summary),
        "title": title,
        "query": request.GET.urlencode(),
    }


@action_required(Action.VIEW_AGGREGATES)
@reads_replica
def summary(request):
    """The day's summary: people present by situation, for a session or a date range."""
    context = _summary_request(request)
    if context is None:
        return render(request, "reception/summary.html", {"unavailable": True})
    context["can_export"] = can(request.membership, Action.EXPORT)
    return render(request, "reception/summary.html", context)


def _summary_export(request, build, content_type, extension):
    context = _summary_request(request)
    if context is None or "summary" not in context:
        messages.error(request, _("Choisissez d'abord une période valide."))
        return redirect("reception:summary")
    response = HttpResponse(build(context["summary"], context["title"]), content_type=content_type)
    first = context["form"].cleaned_data["first"].isoformat()
    filename = f"recapitulatif-pfa-{context['directorate'].code}-{first}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@action_required(Action.EXPORT)
@reads_replica
def summary_export_csv(request):
    return _summary_export(request, summary_csv, "text/csv; charset=utf-8", "csv")


@require_GET
@action_required(Action.EXPORT)
@reads_replica
def summary_export_xlsx(request):
    return _summary_export(
        request,
        summary_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    )
