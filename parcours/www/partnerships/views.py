"""Pages of the partnerships: agreements, calls, working groups, actions, contacts, network.

Thin views: every write goes through partnerships.services or partnerships.reporting, every
object is read through partnerships.queries (outside the membership's perimeter: 404).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
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


@action_required(Can.MANAGE_PARTNERS)
def agreement_create(request):
    form = forms.AgreementForm(request.POST or None, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            agreement = services.create_agreement(
                by=request.user,
                organisation=request.membership.organisation,
                partners=list(data.pop("partners")),
                directorates=list(data.pop("directorates")),
                schemes=list(data.pop("schemes")),
                **data,
            )
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("Convention enregistrée (projet)."))
            return redirect("partnerships:agreement_detail", agreement.pk)
    return render(
        request,
        "partnerships/form.html",
        {"form": form, "title": _("Nouvelle convention"), "back": "partnerships:index"},
    )


def _agreement(request, pk, *, manage=False):
    source = (
        queries.agreements_managed_by(request.membership)
        if manage
        else queries.agreements_visible_to(request.membership)
    )
    return get_object_or_404(source, pk=pk)


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
    form = forms.AgreementTransitionForm(request.POST)
    if form.is_valid():
        try:
            services.change_agreement_status(
                agreement,
                form.cleaned_data["transition"],
                by=request.user,
                organisation=request.membership.organisation,
                signed_on=form.cleaned_data["signed_on"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("État de la convention mis à jour."))
    else:
        _form_errors(request, form)
    return redirect("partnerships:agreement_detail", agreement.pk)


@require_POST
@action_required(Can.MANAGE_PARTNERS)
def payment_add(request, pk):
    agreement = _agreement(request, pk, manage=True)
    form = forms.PaymentForm(request.POST)
    if form.is_valid():
        try:
            services.add_payment(agreement, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("Versement enregistré."))
    else:
        _form_errors(request, form)
    return redirect("partnerships:agreement_detail", agreement.pk)


@require_POST
@action_required(Can.MANAGE_PARTNERS)
def amendment_add(request, pk):
    agreement = _agreement(request, pk, manage=True)
    form = forms.AmendmentForm(request.POST)
    if form.is_valid():
        try:
            services.add_amendment(agreement, **form.cleaned_data)
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("Avenant enregistré."))
    else:
        _form_errors(request, form)
    return redirect("partnerships:agreement_detail", agreement.pk)


@require_POST
@action_required(Can.MANAGE_PARTNERS)
def document_add(request, pk):
    agreement = _agreement(request, pk, manage=True)
    form = forms.DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_document(
                uploaded=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                by=request.user,
                agreement=agreement,
            )
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("Document ajouté."))
    else:
        _form_errors(request, form)
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
    form = forms.DutyForm(request.POST, agreement=agreement)
    if form.is_valid():
        duty = ReportingDuty.objects.create(
            agreement=agreement,
            report_code=form.cleaned_data["report_code"],
            frequency=form.cleaned_data["frequency"],
            due_days_after_period=form.cleaned_data["due_days_after_period"],
        )
        duty.recipients.set(form.cleaned_data["recipients"])
        messages.success(request, _("Obligation de compte rendu enregistrée."))
    else:
        _form_errors(request, form)
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
    form = forms.CorrectionForm(request.POST)
    if form.is_valid():
        try:
            reporting.request_correction(
                report,
                by=request.user,
                organisation=request.membership.organisation,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("Demande de correction envoyée à la DT."))
    else:
        _form_errors(request, form)
    return redirect("partnerships:agreement_detail", report.duty.agreement_id)


@require_POST
@action_required(Can.MANAGE_PARTNERS)
def report_resend(request, pk):
    agreements = queries.agreements_managed_by(request.membership)
    report = get_object_or_404(
        AgreementReport.objects.filter(duty__agreement__in=agreements), pk=pk
    )
    form = forms.ResendForm(request.POST)
    if form.is_valid():
        try:
            reporting.resend_report(
                report,
                by=request.user,
                organisation=request.membership.organisation,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("Rapport corrigé envoyé."))
    else:
        _form_errors(request, form)
    return redirect("partnerships:agreement_detail", report.duty.agreement_id)


# Calls for expressions of interest ------------------------------------------------------------


@action_required(Can.MANAGE_PARTNERS)
def call_create(request):
    form = forms.CallForm(request.POST or None, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        call = form.save()
        messages.success(request, _("Appel enregistré."))
        return redirect("partnerships:call_detail", call.pk)
    return render(
        request,
        "partnerships/form.html",
        {
            "form": form,
            "title": _("Nouvel appel à manifestation d'intérêt"),
            "back": "partnerships:index",
        },
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
    form = forms.ApplicationForm(request.POST, call=call, membership=membership)
    if form.is_valid():
        try:
            services.submit_application(
                call, by=request.user, organisation=membership.organisation, **form.cleaned_data
            )
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("Candidature enregistrée."))
    else:
        _form_errors(request, form)
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
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decide_application(
                application,
                selected=form.cleaned_data["decision"] == "select",
                score=form.cleaned_data["score"],
                reasons=form.cleaned_data["reasons"],
                decided_on=form.cleaned_data["decided_on"],
                by=request.user,
                organisation=request.membership.organisation,
            )
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("Décision enregistrée."))
    else:
        _form_errors(request, form)
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
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_from_selection(
                application,
                by=request.user,
                organisation=request.membership.organisation,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("Convention créée à partir de la candidature retenue."))
            return redirect("partnerships:agreement_detail", agreement.pk)
    return render(
        request,
        "partnerships/form.html",
        {
            "form": form,
            "title": _("Convention pour %(applicant)s") % {"applicant": application.applicant},
            "back": "partnerships:index",
        },
    )


# Working groups ---------------------------------------------------------------------------------


@action_required(Can.MANAGE_PARTNERS)
def group_create(request):
    form = forms.GroupForm(request.POST or None, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        group = form.save()
        messages.success(request, _("Groupe de travail enregistré."))
        return redirect("partnerships:group_detail", group.pk)
    return render(
        request,
        "partnerships/form.html",
        {"form": form, "title": _("Nouveau groupe de travail"), "back": "partnerships:index"},
    )


def _group(request, pk, *, manage=False):
    source = (
        queries.groups_managed_by(request.membership)
        if manage
        else queries.groups_visible_to(request.membership)
    )
    return get_object_or_404(source.select_related("chair"), pk=pk)


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
            "meeting_form": forms.MeetingForm(group=group) if manageable else None,
            "action_form": forms.ActionForm(group=group) if manageable else None,
            "goal_form": forms.GoalForm() if manageable else None,
            "decision_form": forms.DecisionTextForm() if manageable else None,
            "minutes_form": forms.MinutesForm() if manageable else None,
        },
    )


@require_POST
@action_required(Can.MANAGE_PARTNERS)
def meeting_add(request, pk):
    group = _group(request, pk, manage=True)
    form = forms.MeetingForm(request.POST, group=group)
    if form.is_valid():
        meeting = Meeting.objects.create(
            group=group,
            held_on=form.cleaned_data["held_on"],
            place=form.cleaned_data["place"],
            agenda=form.cleaned_data["agenda"],
        )
        meeting.attendees.set(form.cleaned_data["attendees"])
        messages.success(request, _("Réunion enregistrée."))
    else:
        _form_errors(request, form)
    return redirect("partnerships:group_detail", group.pk)


@require_POST
@action_required(Can.MANAGE_PARTNERS)
def goal_add(request, pk):
    group = _group(request, pk, manage=True)
    form = forms.GoalForm(request.POST)
    if form.is_valid():
        GroupGoal.objects.create(group=group, **form.cleaned_data)
        messages.success(request, _("Objectif enregistré."))
    else:
        _form_errors(request, form)
    return redirect("partnerships:group_detail", group.pk)


def _managed_meeting(request, pk):
    groups = queries.groups_managed_by(request.membership)
    return get_object_or_404(Meeting.objects.filter(group__in=groups), pk=pk)


@require_POST
@action_required(Can.MANAGE_PARTNERS)
def decision_add(request, pk):
    meeting = _managed_meeting(request, pk)
    form = forms.DecisionTextForm(request.POST)
    if form.is_valid():
        Decision.objects.create(meeting=meeting, text=form.cleaned_data["text"])
        messages.success(request, _("Décision enregistrée."))
    else:
        _form_errors(request, form)
    return redirect("partnerships:group_detail", meeting.group_id)


@require_POST
@action_required(Can.MANAGE_PARTNERS)
def minutes_add(request, pk):
    meeting = _managed_meeting(request, pk)
    form = forms.MinutesForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_document(
                uploaded=form.cleaned_data["file"],
                kind=DocumentKind.MINUTES,
                title=form.cleaned_data["title"],
                by=request.user,
                meeting=meeting,
            )
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("Compte rendu ajouté."))
    else:
        _form_errors(request, form)
    return redirect("partnerships:group_detail", meeting.group_id)


@require_POST
@action_required(Can.MANAGE_PARTNERS)
def action_add(request, pk):
    group = _group(request, pk, manage=True)
    form = forms.ActionForm(request.POST, group=group)
    if form.is_valid():
        try:
            services.create_action(
                group,
                by=request.user,
                organisation=request.membership.organisation,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("Action enregistrée."))
    else:
        _form_errors(request, form)
    return redirect("partnerships:group_detail", group.pk)


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
    if form.is_valid():
        form.save()
        messages.success(request, _("Contact enregistré."))
    else:
        _form_errors(request, form)
    return redirect("partnerships:contact_list")


def _managed_contact(request, pk):
    allowed = forms.perimeter_organisations(request.membership)
    return get_object_or_404(Contact.objects.filter(organisation__in=allowed), pk=pk)


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
