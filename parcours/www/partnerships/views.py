"""Pages of the partnerships: agreements, calls, working groups, actions, contacts, network.

Thin views: every write goes through partnerships.services or partnerships.reporting, every
object is read through partnerships.queries (outside the membership's perimeter: 404).
"""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from parcours.core import spreadsheets
from parcours.indicators import exports
from parcours.indicators.perimeters import perimeter_for
from parcours.indicators.periods import Month
from parcours.organisations.permissions import Action as Can
from parcours.organisations.permissions import can
from parcours.partnerships import queries, reporting, services
from parcours.partnerships.goals import GOALS
from parcours.partnerships.models import (
    Action,
    AgreementReport,
    Contact,
    Decision,
    Document,
    DocumentKind,
    GroupGoal,
    Meeting,
    ReportingDuty,
)
from parcours.partnerships.network import build_network, network_rows
from parcours.partnerships.states import (
    CORRECTABLE_REPORT_STATES,
    ActionStatus,
    ApplicationStatus,
    ReportStatus,
    allowed_transitions,
    can_apply,
)
from parcours.privacy.rules import subtract_months
from parcours.www.decorators import action_required
from parcours.www.partnerships import forms

SPREADSHEET_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def _error(request, error: ValidationError):
    for message in error.messages:
        messages.error(request, message)


def _form_errors(request, form):
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _post_form(request, form, save, success, *, form_errors_as_messages=True):
    """Validate → write through the service → say so, the one path of every write here.

    Returns what `save(cleaned_data)` returned (True when it returned nothing), or None when
    the form or the service refused: the French messages say why and nothing is written.
    """
    if not form.is_valid():
        if form_errors_as_messages:
            _form_errors(request, form)
        return None
    try:
        saved = save(form.cleaned_data)
    except ValidationError as error:
        _error(request, error)
        return None
    messages.success(request, success)
    return True if saved is None else saved


def _form_page(request, form, save, success, *, title, back_url, done):
    """A page holding one form: on a valid POST the write, then `done(saved)`'s address;
    otherwise the form again with its errors next to the fields."""
    if request.method == "POST":
        saved = _post_form(request, form, save, success, form_errors_as_messages=False)
        if saved is not None:
            return redirect(done(saved))
    return render(
        request, "partnerships/form.html", {"form": form, "title": title, "back_url": back_url}
    )


def _url(name, *args):
    return reverse(f"partnerships:{name}", args=args)


def _actor(request) -> dict:
    """Who writes, as the services log it: the user and the organisation they act for."""
    return {"by": request.user, "organisation": request.membership.organisation}


def _model_form_pages(form_class, *, source, detail, created, changed, new_title, edit_title):
    """The create and edit pages of an object written by its ModelForm (calls, groups):
    both need MANAGE_PARTNERS; the edit page finds the object in `source(membership)`."""

    def page(request, instance, success, title, back_url):
        form = form_class(request.POST or None, instance=instance, membership=request.membership)
        return _form_page(
            request,
            form,
            lambda _data: form.save(),
            success,
            title=title,
            back_url=back_url,
            done=lambda saved: _url(detail, saved.pk),
        )

    @action_required(Can.MANAGE_PARTNERS)
    def create(request):
        return page(request, None, created, new_title, _url("index"))

    @action_required(Can.MANAGE_PARTNERS)
    def edit(request, pk):
        instance = get_object_or_404(source(request.membership), pk=pk)
        return page(request, instance, changed, edit_title, _url(detail, instance.pk))

    return create, edit


# Home of the area ------------------------------------------------------------------------------


@action_required(Can.VIEW_PARTNERSHIPS)
def index(request):
    membership = request.membership
    agreements = (
        queries.agreements_visible_to(membership)
        .prefetch_related("partners", "directorates")
        .order_by("-starts_on", "title")
    )
    groups = queries.groups_visible_to(membership).select_related("chair").order_by("name")
    calls = queries.calls_visible_to(membership).select_related("issuer").order_by("-published_on")
    to_correct = (
        queries.reports_visible_to(membership)
        .filter(status=ReportStatus.REOPENED)
        .select_related("duty__agreement")
    )
    open_actions = (
        queries.actions_visible_to(membership).open().filter(owner=membership.organisation).count()
    )
    return render(
        request,
        "partnerships/index.html",
        {
            "agreements": agreements,
            "groups": groups,
            "calls": calls,
            "to_correct": to_correct,
            "open_actions": open_actions,
            "can_manage": can(membership, Can.MANAGE_PARTNERS),
        },
    )


# Agreements -----------------------------------------------------------------------------------


def _agreement_values(data) -> dict:
    """The form's data as the services take it: the parties as lists."""
    data = dict(data)
    return {
        **data,
        "partners": list(data.pop("partners")),
        "directorates": list(data.pop("directorates")),
        "schemes": list(data.pop("schemes")),
    }


@action_required(Can.MANAGE_PARTNERS)
def agreement_create(request):
    form = forms.AgreementForm(request.POST or None, membership=request.membership)
    return _form_page(
        request,
        form,
        lambda data: services.create_agreement(
            **_actor(request),
            **_agreement_values(data),
        ),
        _("Convention enregistrée (projet)."),
        title=_("Nouvelle convention"),
        back_url=_url("index"),
        done=lambda agreement: _url("agreement_detail", agreement.pk),
    )


def _agreement(request, pk, *, manage=False):
    source = (
        queries.agreements_managed_by(request.membership)
        if manage
        else queries.agreements_visible_to(request.membership)
    )
    return get_object_or_404(source, pk=pk)


@action_required(Can.MANAGE_PARTNERS)
def agreement_edit(request, pk):
    """Issue 19: change an agreement's terms and parties; logged in its history."""
    agreement = _agreement(request, pk, manage=True)
    form = forms.AgreementForm(
        request.POST or None, instance=agreement, membership=request.membership
    )
    return _form_page(
        request,
        form,
        lambda data: services.update_agreement(
            agreement,
            **_actor(request),
            **_agreement_values(data),
        ),
        _("Convention modifiée."),
        title=_("Modifier la convention"),
        back_url=_url("agreement_detail", agreement.pk),
        done=lambda saved: _url("agreement_detail", saved.pk),
    )


@action_required(Can.MANAGE_PARTNERS)
def agreement_renew(request, pk):
    """« Renouveler » (issue 19): the next agreement as a draft, this one "renewed"."""
    agreement = _agreement(request, pk, manage=True)
    initial = {"ceiling": agreement.ceiling}
    if agreement.ends_on:
        initial["starts_on"] = agreement.ends_on + datetime.timedelta(days=1)
    form = forms.RenewalForm(request.POST or None, initial=initial)
    return _form_page(
        request,
        form,
        lambda data: services.renew_agreement(agreement, **_actor(request), **data),
        _("Convention renouvelée : la suivante est enregistrée en projet."),
        title=_("Renouveler « %(title)s »") % {"title": agreement.title},
        back_url=_url("agreement_detail", agreement.pk),
        done=lambda new: _url("agreement_detail", new.pk),
    )


@action_required(Can.VIEW_PARTNERSHIPS)
def agreement_detail(request, pk):
    agreement = _agreement(request, pk)
    membership = request.membership
    manageable = (
        can(membership, Can.MANAGE_PARTNERS)
        and queries.agreements_managed_by(membership).filter(pk=pk).exists()
    )
    duties = agreement.reporting_duties.prefetch_related(
        "recipients",
        Prefetch(
            "reports",
            queryset=AgreementReport.objects.prefetch_related("transitions__by").order_by(
                "-period_start"
            ),
        ),
    )
    today = timezone.localdate()
    last_month = Month.of(today).previous
    return render(
        request,
        "partnerships/agreement_detail.html",
        {
            "agreement": agreement,
            "partners": agreement.partners.all(),
            "directorates": agreement.directorates.all(),
            "schemes": agreement.schemes.select_related("organisation"),
            "payments": agreement.payments.all(),
            "paid": services.paid_total(agreement),
            "ceiling": services.ceiling_in_force(agreement),
            "balance": services.remaining_balance(agreement),
            "amendments": agreement.amendments.all(),
            "documents": agreement.documents.defer("content"),
            "duties": duties,
            "transitions": agreement.transitions.select_related("by", "by_organisation"),
            "manageable": manageable,
            "can_review": can(membership, Can.REVIEW_PARTNER_REPORTS),
            "can_view_figures": can(membership, Can.VIEW_AGGREGATES),
            "correctable": CORRECTABLE_REPORT_STATES,
            "reopened": ReportStatus.REOPENED,
            "last_month": str(last_month),
            "next_states": allowed_transitions("agreement", agreement.status),
            "can_renew": can_apply("agreement", "renew", agreement.status),
            "renewals": agreement.renewals.all(),
            "transition_form": forms.AgreementTransitionForm(),
            "payment_form": forms.PaymentForm(),
            "amendment_form": forms.AmendmentForm(),
            "document_form": forms.DocumentForm(),
            "duty_form": forms.DutyForm(agreement=agreement),
            "correction_form": forms.CorrectionForm(),
            "resend_form": forms.ResendForm(),
        },
    )


@require_POST
@action_required(Can.MANAGE_PARTNERS)
def agreement_transition(request, pk):
    agreement = _agreement(request, pk, manage=True)
    _post_form(
        request,
        forms.AgreementTransitionForm(request.POST),
        lambda data: services.change_agreement_status(
            agreement,
            data["transition"],
            **_actor(request),
            signed_on=data["signed_on"],
            comment=data["comment"],
        ),
        _("État de la convention mis à jour."),
    )
    return redirect("partnerships:agreement_detail", agreement.pk)


@require_POST
@action_required(Can.MANAGE_PARTNERS)
def payment_add(request, pk):
    agreement = _agreement(request, pk, manage=True)
    _post_form(
        request,
        forms.PaymentForm(request.POST),
        lambda data: services.add_payment(agreement, by=request.user, **data),
        _("Versement enregistré."),
    )
    return redirect("partnerships:agreement_detail", agreement.pk)


@require_POST
@action_required(Can.MANAGE_PARTNERS)
def amendment_add(request, pk):
    agreement = _agreement(request, pk, manage=True)
    _post_form(
        request,
        forms.AmendmentForm(request.POST),
        lambda data: services.add_amendment(agreement, **data),
        _("Avenant enregistré."),
    )
    return redirect("partnerships:agreement_detail", agreement.pk)


@require_POST
@action_required(Can.MANAGE_PARTNERS)
def document_add(request, pk):
    agreement = _agreement(request, pk, manage=True)
    _post_form(
        request,
        forms.DocumentForm(request.POST, request.FILES),
        lambda data: services.add_document(
            uploaded=data["file"],
            kind=data["kind"],
            title=data["title"],
            by=request.user,
            agreement=agreement,
        ),
        _("Document ajouté."),
    )
    return redirect("partnerships:agreement_detail", agreement.pk)


@require_GET
@action_required(Can.VIEW_PARTNERSHIPS)
def document_download(request, pk):
    membership = request.membership
    document = get_object_or_404(Document, pk=pk)
    visible = (
        document.agreement_id
        and queries.agreements_visible_to(membership).filter(pk=document.agreement_id).exists()
    ) or (
        document.meeting_id
        and queries.groups_visible_to(membership).filter(meetings__pk=document.meeting_id).exists()
    )
    if not visible:
        raise Http404
    content_type = exports.CONTENT_TYPES.get(document.file_format, "application/octet-stream")
    response = HttpResponse(bytes(document.content), content_type=content_type)
    safe_name = "".join(c for c in document.filename if c.isalnum() or c in "._-") or "document"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    return response


@require_POST
@action_required(Can.MANAGE_PARTNERS)
def duty_add(request, pk):
    agreement = _agreement(request, pk, manage=True)
    _post_form(
        request,
        forms.DutyForm(request.POST, agreement=agreement),
        lambda data: services.add_duty(agreement, **data),
        _("Obligation de compte rendu enregistrée."),
    )
    return redirect("partnerships:agreement_detail", agreement.pk)


def _duty(request, pk, *, manage=False):
    agreements = (
        queries.agreements_managed_by(request.membership)
        if manage
        else queries.agreements_visible_to(request.membership)
    )
    return get_object_or_404(
        ReportingDuty.objects.filter(agreement__in=agreements).select_related("agreement"), pk=pk
    )


def _month(request, source) -> Month:
    try:
        return Month.parse(source.get("mois", ""))
    except ValueError:
        return Month.of(timezone.localdate()).previous


@require_GET
@action_required(Can.VIEW_AGGREGATES)
def report_preview(request, pk):
    """The duty's report of a period, as the experiment report shows it (indicators)."""
    duty = _duty(request, pk)
    month = _month(request, request.GET)
    period = reporting.period_of(duty, month)
    # Exact figures inside the DT only, as on the figures pages (indicators.perimeters).
    perimeter = perimeter_for(request.membership)
    exact = perimeter.exact and set(
        duty.agreement.directorates.values_list("pk", flat=True)
    ) <= set(perimeter.ids)
    document = reporting.document(duty, period, exact=exact)
    file_format = request.GET.get("format")
    if file_format in exports.WRITERS:
        response = HttpResponse(
            exports.export(document, file_format), content_type=exports.CONTENT_TYPES[file_format]
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{exports.filename(document, file_format)}"'
        )
        return response
    return render(
        request,
        "partnerships/report.html",
        {
            "duty": duty,
            "agreement": duty.agreement,
            "document": document,
            "month": month,
            "previous": month.previous,
            "next": month.next,
        },
    )


@require_POST
@action_required(Can.MANAGE_PARTNERS)
def report_send(request, pk):
    duty = _duty(request, pk, manage=True)
    month = _month(request, request.POST)
    try:
        reporting.send_report(
            duty, month, by=request.user, organisation=request.membership.organisation
        )
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("Rapport envoyé à ses destinataires."))
    return redirect("partnerships:agreement_detail", duty.agreement_id)


@require_POST
@action_required(Can.REVIEW_PARTNER_REPORTS)
def report_correction(request, pk):
    report = get_object_or_404(queries.reports_visible_to(request.membership), pk=pk)
    _post_form(
        request,
        forms.CorrectionForm(request.POST),
        lambda data: reporting.request_correction(
            report,
            **_actor(request),
            comment=data["comment"],
        ),
        _("Demande de correction envoyée à la DT."),
    )
    return redirect("partnerships:agreement_detail", report.duty.agreement_id)


@require_POST
@action_required(Can.MANAGE_PARTNERS)
def report_resend(request, pk):
    agreements = queries.agreements_managed_by(request.membership)
    report = get_object_or_404(
        AgreementReport.objects.filter(duty__agreement__in=agreements), pk=pk
    )
    _post_form(
        request,
        forms.ResendForm(request.POST),
        lambda data: reporting.resend_report(
            report,
            **_actor(request),
            comment=data["comment"],
        ),
        _("Rapport corrigé envoyé."),
    )
    return redirect("partnerships:agreement_detail", report.duty.agreement_id)


# Calls for expressions of interest ------------------------------------------------------------


call_create, call_edit = _model_form_pages(
    forms.CallForm,
    source=queries.calls_visible_to,
    detail="call_detail",
    created=gettext_lazy("Appel enregistré."),
    changed=gettext_lazy("Appel modifié."),
    new_title=gettext_lazy("Nouvel appel à manifestation d'intérêt"),
    edit_title=gettext_lazy("Modifier l'appel"),
)


@action_required(Can.VIEW_PARTNERSHIPS)
def call_detail(request, pk):
    membership = request.membership
    call = get_object_or_404(queries.calls_visible_to(membership).select_related("issuer"), pk=pk)
    applications = (
        queries.applications_visible_to(membership, call.applications.all())
        .select_related("applicant", "directorate", "agreement")
        .order_by("directorate__name", "-score", "applicant__name")
    )
    manageable = can(membership, Can.MANAGE_PARTNERS)
    return render(
        request,
        "partnerships/call_detail.html",
        {
            "call": call,
            "directorates": call.directorates.all(),
            "invited": call.invited.all(),
            "applications": applications,
            "manageable": manageable,
            "submitted": ApplicationStatus.SUBMITTED,
            "selected": ApplicationStatus.SELECTED,
            "application_form": forms.ApplicationForm(call=call, membership=membership)
            if manageable
            else None,
            "decision_form": forms.DecisionForm() if manageable else None,
        },
    )


@require_POST
@action_required(Can.MANAGE_PARTNERS)
def application_add(request, pk):
    membership = request.membership
    call = get_object_or_404(queries.calls_visible_to(membership), pk=pk)
    _post_form(
        request,
        forms.ApplicationForm(request.POST, call=call, membership=membership),
        lambda data: services.submit_application(
            call, by=request.user, organisation=membership.organisation, **data
        ),
        _("Candidature enregistrée."),
    )
    return redirect("partnerships:call_detail", call.pk)


def _managed_application(request, pk):
    membership = request.membership
    return get_object_or_404(
        queries.applications_visible_to(membership).select_related("call"), pk=pk
    )


@require_POST
@action_required(Can.MANAGE_PARTNERS)
def application_decide(request, pk):
    application = _managed_application(request, pk)
    _post_form(
        request,
        forms.DecisionForm(request.POST),
        lambda data: services.decide_application(
            application,
            selected=data["decision"] == "select",
            score=data["score"],
            reasons=data["reasons"],
            decided_on=data["decided_on"],
            **_actor(request),
        ),
        _("Décision enregistrée."),
    )
    return redirect("partnerships:call_detail", application.call_id)


@action_required(Can.MANAGE_PARTNERS)
def agreement_from_application(request, pk):
    application = _managed_application(request, pk)
    initial = {
        "title": f"{application.call.title} – {application.applicant.name}",
        "kind": "subsidy",
        "budget": application.call.budget,
    }
    form = forms.SelectionAgreementForm(request.POST or None, initial=initial)
    return _form_page(
        request,
        form,
        lambda data: services.agreement_from_selection(application, **_actor(request), **data),
        _("Convention créée à partir de la candidature retenue."),
        title=_("Convention pour %(applicant)s") % {"applicant": application.applicant},
        back_url=_url("call_detail", application.call_id),
        done=lambda agreement: _url("agreement_detail", agreement.pk),
    )


# Working groups ---------------------------------------------------------------------------------


def _group(request, pk, *, manage=False):
    source = (
        queries.groups_managed_by(request.membership)
        if manage
        else queries.groups_visible_to(request.membership)
    )
    return get_object_or_404(source.select_related("chair"), pk=pk)


group_create, group_edit = _model_form_pages(
    forms.GroupForm,
    source=queries.groups_managed_by,
    detail="group_detail",
    created=gettext_lazy("Groupe de travail enregistré."),
    changed=gettext_lazy("Groupe de travail modifié."),
    new_title=gettext_lazy("Nouveau groupe de travail"),
    edit_title=gettext_lazy("Modifier le groupe de travail"),
)


def _goal_results(group):
    today = timezone.localdate()
    since = subtract_months(today, 12)
    directorate_ids = list(group.directorates.values_list("pk", flat=True))
    results = []
    for goal in group.goals.all():
        definition = GOALS.get(goal.indicator)
        result = definition.compute(directorate_ids, since, today) if definition else None
        results.append((goal, definition, result))
    return results


@action_required(Can.VIEW_PARTNERSHIPS)
def group_detail(request, pk):
    group = _group(request, pk)
    membership = request.membership
    manageable = (
        can(membership, Can.MANAGE_PARTNERS)
        and queries.groups_managed_by(membership).filter(pk=pk).exists()
    )
    # Issue 19: the chair organisation (a partner) records the meetings of its own group.
    records_meetings = manageable or queries.meetings_recorded_by(membership, group)
    meetings = group.meetings.prefetch_related(
        "attendees__organisation",
        "decisions",
        Prefetch("documents", queryset=Document.objects.defer("content")),
    )
    return render(
        request,
        "partnerships/group_detail.html",
        {
            "group": group,
            "members": group.members.all(),
            "directorates": group.directorates.all(),
            "meetings": meetings,
            "actions": group.actions.select_related("owner", "meeting"),
            "goals": _goal_results(group),
            "manageable": manageable,
            "organisation_id": membership.organisation_id,
            "open": ActionStatus.OPEN,
            "records_meetings": records_meetings,
            "meeting_form": forms.MeetingForm(group=group) if records_meetings else None,
            "action_form": forms.ActionForm(group=group) if manageable else None,
            "goal_form": forms.GoalForm() if manageable else None,
            "decision_form": forms.DecisionTextForm() if records_meetings else None,
            "minutes_form": forms.MinutesForm() if records_meetings else None,
        },
    )


def _meeting_group(request, pk):
    """A group whose meetings the membership records: it manages it, or chairs it."""
    group = _group(request, pk)
    if not queries.meetings_recorded_by(request.membership, group) and not (
        can(request.membership, Can.MANAGE_PARTNERS)
        and queries.groups_managed_by(request.membership).filter(pk=group.pk).exists()
    ):
        raise PermissionDenied
    return group


@require_POST
@action_required(Can.VIEW_PARTNERSHIPS)
def meeting_add(request, pk):
    group = _meeting_group(request, pk)
    _post_form(
        request,
        forms.MeetingForm(request.POST, group=group),
        lambda data: services.record_meeting(group, **data),
        _("Réunion enregistrée."),
    )
    return redirect("partnerships:group_detail", group.pk)


@action_required(Can.VIEW_PARTNERSHIPS)
def meeting_edit(request, pk):
    meeting = _recorded_meeting(request, pk)
    group = meeting.group
    form = forms.MeetingForm(
        request.POST or None,
        group=group,
        initial={
            "held_on": meeting.held_on,
            "place": meeting.place,
            "agenda": meeting.agenda,
            "attendees": list(meeting.attendees.values_list("pk", flat=True)),
        },
    )
    return _form_page(
        request,
        form,
        lambda data: services.update_meeting(meeting, **data),
        _("Réunion modifiée."),
        title=_("Modifier la réunion du %(day)s") % {"day": meeting.held_on.strftime("%d/%m/%Y")},
        back_url=_url("group_detail", group.pk),
        done=lambda saved: _url("group_detail", group.pk),
    )


@require_POST
@action_required(Can.MANAGE_PARTNERS)
def goal_add(request, pk):
    group = _group(request, pk, manage=True)
    _post_form(
        request,
        forms.GoalForm(request.POST),
        lambda data: GroupGoal.objects.create(group=group, **data),
        _("Objectif enregistré."),
    )
    return redirect("partnerships:group_detail", group.pk)


def _recorded_meeting(request, pk):
    """A meeting of a group the membership sees, if it records that group's meetings."""
    groups = queries.groups_visible_to(request.membership)
    meeting = get_object_or_404(
        Meeting.objects.filter(group__in=groups).select_related("group"), pk=pk
    )
    _meeting_group(request, meeting.group_id)
    return meeting


@require_POST
@action_required(Can.VIEW_PARTNERSHIPS)
def decision_add(request, pk):
    meeting = _recorded_meeting(request, pk)
    _post_form(
        request,
        forms.DecisionTextForm(request.POST),
        lambda data: Decision.objects.create(meeting=meeting, text=data["text"]),
        _("Décision enregistrée."),
    )
    return redirect("partnerships:group_detail", meeting.group_id)


@require_POST
@action_required(Can.VIEW_PARTNERSHIPS)
def minutes_add(request, pk):
    meeting = _recorded_meeting(request, pk)
    _post_form(
        request,
        forms.MinutesForm(request.POST, request.FILES),
        lambda data: services.add_document(
            uploaded=data["file"],
            kind=DocumentKind.MINUTES,
            title=data["title"],
            by=request.user,
            meeting=meeting,
        ),
        _("Compte rendu ajouté."),
    )
    return redirect("partnerships:group_detail", meeting.group_id)


@require_POST
@action_required(Can.MANAGE_PARTNERS)
def action_add(request, pk):
    group = _group(request, pk, manage=True)
    _post_form(
        request,
        forms.ActionForm(request.POST, group=group),
        lambda data: services.create_action(group, **_actor(request), **data),
        _("Action enregistrée."),
    )
    return redirect("partnerships:group_detail", group.pk)


@action_required(Can.MANAGE_PARTNERS)
def action_edit(request, pk):
    groups = queries.groups_managed_by(request.membership)
    action = get_object_or_404(
        Action.objects.filter(group__in=groups).select_related("group"), pk=pk
    )
    form = forms.ActionForm(
        request.POST or None,
        group=action.group,
        initial={"title": action.title, "owner": action.owner_id, "due_on": action.due_on},
    )
    return _form_page(
        request,
        form,
        lambda data: services.update_action(action, **_actor(request), **data),
        _("Action modifiée."),
        title=_("Modifier l'action"),
        back_url=_url("group_detail", action.group_id),
        done=lambda saved: _url("group_detail", saved.group_id),
    )


@action_required(Can.VIEW_PARTNERSHIPS)
def action_list(request):
    """Open actions of the membership's organisation, then those of the groups it sees."""
    membership = request.membership
    actions = (
        queries.actions_visible_to(membership)
        .open()
        .select_related("group", "owner")
        .order_by("due_on", "pk")
    )
    own = [a for a in actions if a.owner_id == membership.organisation_id]
    others = [a for a in actions if a.owner_id != membership.organisation_id]
    return render(
        request,
        "partnerships/action_list.html",
        {"own": own, "others": others, "today": timezone.localdate()},
    )


@require_POST
@action_required(Can.VIEW_PARTNERSHIPS)
def action_transition(request, pk):
    """The owner organisation, or the group's managers, mark an action done or reopen it."""
    membership = request.membership
    action = get_object_or_404(queries.actions_visible_to(membership), pk=pk)
    managed = queries.groups_managed_by(membership).filter(pk=action.group_id).exists()
    if action.owner_id != membership.organisation_id and not managed:
        raise PermissionDenied
    try:
        if action.status == ActionStatus.OPEN:
            services.complete_action(action, by=request.user, organisation=membership.organisation)
            messages.success(request, _("Action marquée comme faite."))
        else:
            services.reopen_action(action, by=request.user, organisation=membership.organisation)
            messages.success(request, _("Action rouverte."))
    except ValidationError as error:
        _error(request, error)
    if request.POST.get("next") == "list":
        return redirect("partnerships:action_list")
    return redirect("partnerships:group_detail", action.group_id)


# Contacts ---------------------------------------------------------------------------------------


@action_required(Can.VIEW_PARTNERSHIPS)
def contact_list(request):
    membership = request.membership
    contacts = queries.contacts_visible_to(membership).select_related("organisation")
    manageable = can(membership, Can.MANAGE_PARTNERS)
    return render(
        request,
        "partnerships/contact_list.html",
        {
            "contacts": contacts.order_by("organisation__name", "full_name"),
            "manageable": manageable,
            "form": forms.ContactForm(membership=membership) if manageable else None,
        },
    )


@require_POST
@action_required(Can.MANAGE_PARTNERS)
def contact_add(request):
    form = forms.ContactForm(request.POST, membership=request.membership)
    _post_form(request, form, lambda _data: form.save(), _("Contact enregistré."))
    return redirect("partnerships:contact_list")


def _managed_contact(request, pk):
    allowed = forms.perimeter_organisations(request.membership)
    return get_object_or_404(Contact.objects.filter(organisation__in=allowed), pk=pk)


@action_required(Can.MANAGE_PARTNERS)
def contact_edit(request, pk):
    contact = _managed_contact(request, pk)
    form = forms.ContactForm(request.POST or None, instance=contact, membership=request.membership)
    return _form_page(
        request,
        form,
        lambda _data: form.save(),
        _("Contact modifié."),
        title=_("Modifier le contact"),
        back_url=_url("contact_list"),
        done=lambda _saved: _url("contact_list"),
    )


@require_POST
@action_required(Can.MANAGE_PARTNERS)
def contact_confirm(request, pk):
    contact = _managed_contact(request, pk)
    contact.confirmed_on = timezone.localdate()
    contact.save(update_fields=["confirmed_on"])
    messages.success(request, _("Coordonnées confirmées."))
    return redirect("partnerships:contact_list")


@require_POST
@action_required(Can.MANAGE_PARTNERS)
def contact_delete(request, pk):
    _managed_contact(request, pk).delete()
    messages.success(request, _("Contact supprimé."))
    return redirect("partnerships:contact_list")


# Network ---------------------------------------------------------------------------------------


def _network(request):
    perimeter = perimeter_for(request.membership)
    form = forms.NetworkFilterForm(request.GET or None, directorates=perimeter.directorates)
    directorates = list(perimeter.directorates)
    if form.is_valid() and form.cleaned_data["directorate"]:
        directorates = [form.cleaned_data["directorate"]]
    return form, build_network(directorates, timezone.localdate())


@require_GET
@action_required(Can.VIEW_NETWORK)
def network(request):
    form, network = _network(request)
    return render(request, "partnerships/network.html", {"form": form, "network": network})


@require_GET
@action_required(Can.EXPORT)
def network_export(request, file_format):
    if file_format not in SPREADSHEET_TYPES:
        raise Http404
    _form, network = _network(request)
    rows = network_rows(network)
    sheet = _("Réseau")
    if file_format == "csv":
        content = spreadsheets.csv_bytes(rows)
    elif file_format == "ods":
        content = spreadsheets.ods_bytes(rows, sheet)
    else:
        content = spreadsheets.xlsx_bytes(rows, sheet)
    response = HttpResponse(content, content_type=SPREADSHEET_TYPES[file_format])
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="reseau-partenaires-{day}.{file_format}"'
    )
    return response
