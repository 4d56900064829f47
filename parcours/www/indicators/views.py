"""Views of the figures: dashboard per role, exports, month approval, sending log, recipients.

Thin: the perimeter comes from indicators.perimeters, the figures from indicators.dashboard,
documents and exports, the writes from indicators.approvals and the recipient form.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from parcours.core import freshness
from parcours.core.replica import reads_replica
from parcours.indicators import approvals, checks, conf, exports
from parcours.indicators.catalogue import MONTHLY_REPORT
from parcours.indicators.dashboard import build_dashboard, default_period
from parcours.indicators.definitions import get_report
from parcours.indicators.documents import build_document
from parcours.indicators.frozen import corrections_since
from parcours.indicators.models import ReportRecipient, ReportRun
from parcours.indicators.pathway import FUNNEL_STAGES, funnel_by_scheme, referral_funnel, seats
from parcours.indicators.perimeters import perimeter_for
from parcours.indicators.periods import Period
from parcours.indicators.release import (
    ReleaseRefused,
    audience_for_region,
    received_hidden,
    record_release,
    release_rows,
    write_release,
)
from parcours.indicators.reports import DirectorateRef, compute_report
from parcours.indicators.summary import build_summary
from parcours.indicators.viewer import received_for
from parcours.organisations.permissions import Action, can
from parcours.organisations.roles import PARTNER_ROLES
from parcours.www.decorators import action_required
from parcours.www.indicators.forms import ApprovalForm, FiguresFilterForm, MonthField, RecipientForm

EXACT, PROTECTED = "dt", "dreets"
EXPORT_FORMATS = [
    ("pdf", gettext_lazy("PDF")),
    ("xlsx", gettext_lazy("Tableur XLSX")),
    ("ods", gettext_lazy("Tableur ODS")),
    ("csv", gettext_lazy("CSV")),
]


def _selection(request):
    """(perimeter, period, form) from the GET filters; the period is None on bad input."""
    perimeter = perimeter_for(request.membership)
    initial = default_period()
    form = FiguresFilterForm(request.GET or None, perimeter=perimeter, initial_period=initial)
    if not request.GET:
        return perimeter, initial, form
    if not form.is_valid():
        return perimeter, None, form
    return (
        perimeter.narrowed(form.cleaned_data["directorate_id"]),
        form.cleaned_data["period"],
        form,
    )


def _query(period: Period, directorate_id=None, **extra) -> str:
    params = {"start": str(period.first), "end": str(period.last), **extra}
    if directorate_id:
        params["directorate"] = directorate_id
    return urlencode(params)


@require_GET
@action_required(Action.VIEW_AGGREGATES)
@reads_replica
def dashboard(request):
    perimeter, period, form = _selection(request)
    context = {
        "form": form,
        "perimeter": perimeter,
        "period": period,
        "figures_seconds": 0,
        "can_view_impact": can(request.membership, Action.VIEW_IMPACT),
    }
    if request.membership.role in PARTNER_ROLES:
        # Issue 16.3: a partner's « Chiffres » shows its own referrals and seats only (exact:
        # they are the ones in its inbox), not the report of the DTs it serves.
        return _partner_figures(request, period, form, context)
    if not perimeter.directorates:
        return render(request, "indicators/no_perimeter.html", context)
    if period is None:
        return render(request, "indicators/dashboard.html", context, status=400)
    # The figures are computed only when the template's cached fragment is missing
    # (core/freshness.py): a page read again before any write costs the generation's lookup,
    # not the figures (issue 12: a DREETS region's month cost 300 ms of processor time, the
    # national year 2 s).
    received = received_for(perimeter, period)
    board = SimpleLazyObject(lambda: build_dashboard(perimeter, period, received=received))
    # Outside the DT, the protected release depends on what its audience was shown hidden
    # before (issue 11), which the generations do not follow: it is part of the keys.
    depends = (_perimeter_key(perimeter), period, _received_key(received))
    if not perimeter.exact:
        # A protected release is recorded for its audience on every view, cached or not; it
        # fails closed: built (and audited) when its records are not cached under these keys.
        try:
            rows = freshness.cached(
                ("release", perimeter.audience, *depends),
                lambda: release_rows(perimeter.audience, board.document),
                directorates=perimeter.directorates,
            )
        except ReleaseRefused as refused:
            context["refused"] = refused.message
            return render(request, "indicators/dashboard.html", context, status=503)
        write_release(rows)
    directorate_id = form.cleaned_data.get("directorate_id") if form.is_bound else None
    single = len(period.months) == 1
    can_approve = (
        single
        and perimeter.exact
        and can(request.membership, Action.APPROVE_MONTH)
        and period.first.last_day < timezone.localdate()
    )
    can_export = can(request.membership, Action.EXPORT)
    can_manage = can(request.membership, Action.MANAGE_PARTNERS)
    query = _query(period, directorate_id)
    context.update(
        {
            "board": board,
            "document": SimpleLazyObject(lambda: board.document),
            "can_export": can_export,
            "can_manage": can_manage,
            "can_approve": can_approve,
            "query": query,
            "formats": EXPORT_FORMATS,
            "figures_seconds": freshness.cache_seconds(),
            # Everything the fragment shows depends on: the figures and what this user may do.
            "figures_key": freshness.key(
                "page",
                *depends,
                can_approve,
                can_export,
                can_manage,
                query,
                directorates=perimeter.directorates,  # a write in another DT keeps it
            ),
        }
    )
    return render(request, "indicators/dashboard.html", context)


def _partner_figures(request, period, form, context):
    """A partner's own referrals received in the period, by scheme, and its schemes' seats."""
    if period is None:
        return render(request, "indicators/partner_figures.html", context, status=400)
    organisation_id = request.membership.organisation_id
    context["own"] = {
        "funnel": [
            {**row, "values": [row["stages"][code] for code, _label in FUNNEL_STAGES]}
            for row in funnel_by_scheme(
                referral_funnel(None, period, organisation_id=organisation_id)
            )
        ],
        "seats": seats(None, organisation_id=organisation_id),
        "stage_columns": FUNNEL_STAGES,
    }
    return render(request, "indicators/partner_figures.html", context)


def _received_key(received) -> str:
    """The cells an audience was shown hidden before (viewer.received_for), in a fixed order."""
    if not received:
        return ""
    return repr(sorted((key[0], str(key[1]), sorted(cells)) for key, cells in received.items()))


def _perimeter_key(perimeter) -> tuple:
    """What a cached figure depends on besides the records: the perimeter and the settings."""
    bands = [(band.code, band.minimum) for band in conf.age_bands().bands]
    return (
        perimeter.label,
        perimeter.exact,
        tuple(d.pk for d in perimeter.directorates),
        # Outside the DT: who is given the release, and the views protected with it (issue 11).
        perimeter.audience,
        tuple(d.pk for d in perimeter.selectable),
        conf.small_cell_threshold(),
        bands,
    )


@require_GET
@action_required(Action.EXPORT)
@reads_replica
def export(request, file_format):
    if file_format not in exports.WRITERS:
        raise Http404
    perimeter, period, _form = _selection(request)
    if not perimeter.directorates or period is None:
        messages.error(request, _("Choisissez une période valide avant d'exporter."))
        for errors in _form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("indicators:dashboard")
    # The DT may download exact figures or the protected version it sends to the DREETS;
    # anyone else only ever gets protected figures.
    exact = perimeter.exact and request.GET.get("pour") != PROTECTED
    if exact:

        def produce():
            definition = get_report(MONTHLY_REPORT)
            computed = compute_report(
                definition, [DirectorateRef.of(d) for d in perimeter.directorates], period
            )
            document = build_document(computed, exact=True, perimeter_label=perimeter.label)
            return exports.export(document, file_format), exports.filename(document, file_format)

        # The same file until a write changes the figures (freshness.py).
        content, name = freshness.cached(
            ("export", file_format, exact, _perimeter_key(perimeter), period),
            produce,
            directorates=perimeter.directorates,
        )
    else:
        definition = get_report(MONTHLY_REPORT)
        computed = compute_report(
            definition, [DirectorateRef.of(d) for d in perimeter.directorates], period
        )
        # The protected version a DT downloads is the one it forwards to its region's DREETS.
        audience = perimeter.audience or audience_for_region(perimeter.directorates[0].region_id)
        try:
            document = build_document(
                computed,
                exact=False,
                perimeter_label=perimeter.label,
                received=received_hidden(
                    audience, definition.code, computed_ids(computed), period.months
                ),
            )
        except ReleaseRefused as refused:
            messages.error(request, refused.message)
            return redirect("indicators:dashboard")
        record_release(audience, document)
        content, name = (
            exports.export(document, file_format),
            exports.filename(document, file_format),
        )
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def computed_ids(computed) -> list[int]:
    return [d.id for d in computed.directorates]


def _approval_directorate(request):
    directorate = request.membership.organisation.directorate
    if directorate is None:
        raise Http404
    return directorate


@action_required(Action.APPROVE_MONTH)
def approve(request):
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    directorate = _approval_directorate(request)
    definition = get_report(MONTHLY_REPORT)
    if request.method == "POST":
        try:
            month = MonthField().clean(request.POST.get("month", ""))
        except ValidationError:
            month = None
    else:
        try:
            month = MonthField().clean(request.GET.get("mois", "")) or default_period().first
        except ValidationError as error:
            messages.error(request, error.messages[0])
            month = default_period().first
    if month is None:
        messages.error(request, _("Ce mois n'existe pas : choisissez-le de nouveau."))
        return redirect("indicators:dashboard")
    ref = DirectorateRef.of(directorate)
    computed = compute_report(definition, [ref], Period.single(month))
    # Issue 16: the consistency alerts are shown before the button and each must be confirmed.
    alerts = checks.report_checks(computed)
    month_checks = [check for entry in alerts for check in entry.checks]
    if request.method == "POST":
        form = ApprovalForm(request.POST, checks=month_checks)
    else:
        form = ApprovalForm(initial={"month": month}, checks=month_checks)
    if request.method == "POST" and form.is_valid():
        try:
            approval = approvals.approve_month(
                definition=definition,
                directorate=directorate,
                month=month,
                user=request.user,
                comment=form.cleaned_data["comment"],
                computed=computed,
                confirmed_checks=form.cleaned_data.get("confirmed_checks") or [],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Les chiffres de %(month)s sont validés (version %(version)s).")
                % {"month": month.label, "version": approval.version},
            )
            return redirect(f"{reverse('indicators:dashboard')}?{_query(Period.single(month))}")
    document = build_document(computed, exact=True, perimeter_label=directorate.name)
    summary = build_summary(document, threshold=conf.small_cell_threshold())
    history = list(approvals.approval_history(definition.code, directorate.pk, month))
    # Issue 13: identity corrections made since the approval, with their reasons.
    corrections = corrections_since(history[0]) if history else []
    return render(
        request,
        "indicators/approve.html",
        {
            "alerts": alerts,
            "corrections": corrections,
            "form": form,
            "month": month,
            "document": document,
            "status": document.statuses[0] if document.statuses else None,
            "summary": summary,
            "history": history,
            "month_over": month.last_day < timezone.localdate(),
            "query": _query(Period.single(month)),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@action_required(Action.MANAGE_PARTNERS)
def runs(request):
    perimeter = perimeter_for(request.membership)
    rows = (
        ReportRun.objects.filter(directorate_id__in=perimeter.ids)
        .select_related("directorate")
        .order_by("-month", "directorate__name", "recipient_email")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "indicators/runs.html", {"page": page, "perimeter": perimeter})


@action_required(Action.MANAGE_PARTNERS)
def recipients(request):
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    perimeter = perimeter_for(request.membership)
    form = RecipientForm(request.POST or None, perimeter=perimeter)
    if request.method == "POST" and form.is_valid():
        recipient = form.save()
        messages.success(
            request,
            _("%(email)s recevra le rapport mensuel de %(dt)s.")
            % {"email": recipient.email, "dt": recipient.directorate},
        )
        return redirect("indicators:recipients")
    rows = (
        ReportRecipient.objects.filter(directorate_id__in=perimeter.ids)
        .select_related("directorate")
        .order_by("directorate__name", "-is_active", "audience", "email")
    )
    return render(
        request,
        "indicators/recipients.html",
        {
            "form": form,
            "recipients": rows,
            "perimeter": perimeter,
            "threshold": conf.small_cell_threshold(),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@action_required(Action.MANAGE_PARTNERS)
def recipient_toggle(request, pk):
    perimeter = perimeter_for(request.membership)
    recipient = get_object_or_404(ReportRecipient, pk=pk, directorate_id__in=perimeter.ids)
    recipient.is_active = not recipient.is_active
    recipient.save(update_fields=["is_active"])
    messages.success(
        request,
        (
            _("%(email)s recevra de nouveau le rapport mensuel.")
            if recipient.is_active
            else _("%(email)s ne recevra plus le rapport mensuel.")
        )
        % {"email": recipient.email},
    )
    return redirect("indicators:recipients")
