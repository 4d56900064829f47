"""Information sessions (CFP02 pattern, seed 004): plan, invite, record volunteers, refer.

The list of signatories whose language course ends soon is a narrow projection (name, level,
estimated end of course) shown to the presenting partner so it can record who came and who
volunteered; their person files stay closed to the partner until a referral is sent.
"""

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.organisations.permissions import Action, can
from parcours.people.models import Person
from parcours.referrals import services
from parcours.referrals.courses import courses_ending
from parcours.referrals.eligibility import PersonFacts, SchemeRules, evaluate
from parcours.referrals.models import InformationSession, InformationSessionAttendee, Scheme
from parcours.referrals.perimeters import session_departments
from parcours.referrals.projection import reasons_for
from parcours.referrals.states import Origin
from parcours.www.decorators import action_required
from parcours.www.referrals.forms import (
    AttendeeAddForm,
    AttendeeReferForm,
    AttendeeUpdateForm,
    InformationSessionForm,
)
from parcours.www.referrals.views_referrals import _attach_error


@action_required(Action.ANSWER_REFERRAL)
def session_list(request):
    sessions = (
        InformationSession.objects.filter(organisation_id=request.membership.organisation_id)
        .select_related("venue")
        .annotate(
            attendee_count=Count("attendees", distinct=True),
            volunteer_count=Count(
                "attendees", filter=Q(attendees__volunteered=True), distinct=True
            ),
            referral_count=Count(
                "attendees", filter=Q(attendees__referral__isnull=False), distinct=True
            ),
        )
        .order_by("-date", "-start_time")
    )
    # Issue 16.5: « à venir » first on the day's work, sort and date filter, an export.
    from parcours.www.referrals import lists

    filters = lists.SessionFilterForm(request.GET or None)
    sessions = filters.apply(sessions)
    if request.GET.get("export") == "xlsx":
        return lists.session_export(sessions)
    page = Paginator(sessions, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/session_list.html",
        {"page": page, "filters": filters, "query_string": filters.query_string()},
    )


@action_required(Action.ANSWER_REFERRAL)
def session_create(request):
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    organisation = request.membership.organisation
    today = timezone.localdate()
    initial = {
        "date": today + datetime.timedelta(days=14),
        "start_time": datetime.time(14, 0),
        "courses_ending_from": today,
        "courses_ending_until": today + datetime.timedelta(days=45),
    }
    form = InformationSessionForm(
        request.POST or None,
        instance=InformationSession(organisation=organisation, created_by=request.user),
        organisation=organisation,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        session = form.save()
        messages.success(request, _("Séance d'information enregistrée."))
        return redirect("referrals:session_detail", pk=session.pk)
    return render(
        request, "referrals/session_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _session(request, pk):
    return get_object_or_404(
        InformationSession.objects.filter(
            organisation_id=request.membership.organisation_id
        ).select_related("venue", "organisation"),
        pk=pk,
    )


def _candidates(session):
    """Persons whose course ends in the session's window, in the départements both the venue
    and the organising partner serve (issue 10: never another region's people)."""
    departments = session_departments(session)
    if not departments:
        return []
    courses = courses_ending(departments, session.courses_ending_from, session.courses_ending_until)
    # The sources are asked for these départements; the filter holds even if one is not careful.
    persons = Person.objects.filter(department_id__in=departments).in_bulk(
        [c.person_id for c in courses]
    )
    return [(persons[c.person_id], c) for c in courses if c.person_id in persons]


def _render_session(request, session, forms=None, status=200):
    forms = forms or {}
    attendees = list(
        session.attendees.select_related("person", "referral__scheme").order_by(
            "person__last_name", "person__first_names", "pk"
        )
    )
    present = {a.person_id for a in attendees}
    candidates = [(p, c) for p, c in _candidates(session) if p.pk not in present]
    add_form = forms.get("add") or AttendeeAddForm(candidates=[p for p, _c in candidates])
    return render(
        request,
        "referrals/session_detail.html",
        {
            "session": session,
            "schemes": session.schemes.all(),
            "attendees": attendees,
            "candidates": candidates,
            "add_form": add_form,
            "can_refer": can(request.membership, Action.REFER),
        },
        status=status,
    )


@action_required(Action.ANSWER_REFERRAL)
def session_detail(request, pk):
    return _render_session(request, _session(request, pk))


@action_required(Action.ANSWER_REFERRAL)
@require_POST
def attendee_add(request, pk):
    session = _session(request, pk)
    candidates = [p for p, _c in _candidates(session)]
    form = AttendeeAddForm(request.POST, candidates=candidates)
    if not form.is_valid():
        return _render_session(request, session, {"add": form}, status=400)
    _attendee, created = InformationSessionAttendee.objects.get_or_create(
        session=session, person_id=form.cleaned_data["person"]
    )
    if created:
        messages.success(request, _("Participant ajouté."))
    return redirect("referrals:session_detail", pk=session.pk)


def _attendee(session, attendee_pk):
    return get_object_or_404(
        InformationSessionAttendee.objects.select_related("person__department", "referral"),
        session=session,
        pk=attendee_pk,
    )


@action_required(Action.ANSWER_REFERRAL)
@require_POST
def attendee_update(request, pk, attendee_pk):
    """Record that a participant volunteered, and the date of their personal interview."""
    session = _session(request, pk)
    attendee = _attendee(session, attendee_pk)
    form = AttendeeUpdateForm(request.POST, attendee=attendee)
    if form.is_valid():
        if attendee.referral_id and not form.cleaned_data["volunteered"]:
            messages.error(
                request, _("Cette personne a déjà été orientée : elle reste volontaire.")
            )
        else:
            attendee.volunteered = form.cleaned_data["volunteered"]
            attendee.interviewed_on = form.cleaned_data["interviewed_on"]
            attendee.interviewed_by = request.user if attendee.interviewed_on else None
            attendee.save(update_fields=["volunteered", "interviewed_on", "interviewed_by"])
            messages.success(
                request,
                _("Participant %(name)s mis à jour.") % {"name": attendee.person.display_name},
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("referrals:session_detail", pk=session.pk)


@action_required(Action.REFER)
def attendee_refer(request, pk, attendee_pk):
    """After the personal interview, refer a volunteer to one of the presented schemes."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    session = _session(request, pk)
    attendee = _attendee(session, attendee_pk)
    if attendee.referral_id or not (attendee.volunteered and attendee.interviewed_on):
        messages.error(
            request,
            _(
                "Une orientation se fait après l'entretien individuel d'un volontaire, "
                "une seule fois."
            ),
        )
        return redirect("referrals:session_detail", pk=session.pk)
    schemes = Scheme.objects.active().filter(pk__in=session.schemes.values("pk"))
    form = AttendeeReferForm(request.POST or None, schemes=schemes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                referral = services.create_referral(
                    attendee.person,
                    data["scheme"],
                    by=request.user,
                    organisation=request.membership.organisation,
                    origin=Origin.INFORMATION_SESSION,
                    information_session=session,
                    planned_entry_date=data["planned_entry_date"],
                    note=data["note"],
                    waiver_justification=data["waiver_justification"],
                    consent=data["consent"],
                    send=True,
                )
                attendee.referral = referral
                attendee.save(update_fields=["referral"])
        except services.ReferralError as error:
            _attach_error(form, error)
        else:
            messages.success(request, _("Orientation créée et transmise."))
            return redirect("referrals:detail", pk=referral.pk)
    facts = PersonFacts.from_person(attendee.person)
    today = timezone.localdate()
    verdicts = [
        (scheme, verdict, reasons_for(request.membership, verdict, scheme))
        for scheme in schemes.select_related("organisation").prefetch_related(
            "departments", "entry_dates"
        )
        for verdict in [
            evaluate(SchemeRules.from_scheme(scheme), facts, scheme.planned_entry_date(today))
        ]
    ]
    return render(
        request,
        "referrals/attendee_refer.html",
        {"session": session, "attendee": attendee, "form": form, "verdicts": verdicts},
        status=400 if form.errors else 200,
    )
