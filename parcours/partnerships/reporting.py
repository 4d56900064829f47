"""Each agreement's periodic report, and the correction loop with the DREETS.

Issue 19, item 1: an agreement's report is built from the indicators of its perimeter with the
indicators' own code (compute_report, build_document), so the AMLI agreement's monthly report
*is* the experiment report (seed 001), figure for figure; it is sent through the monthly
sending's message (indicators.sending.send_document) to the DT's report recipients the duty
names, each getting exact (DT) or protected (DREETS) figures as in the monthly sending. A
DREETS reviewer may ask for a correction of a sent report: the report is reopened for the DT,
the request logged; the DT sends a corrected version, logged with what changed.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parcours.indicators.approvals import current_approvals
from parcours.indicators.definitions import get_report
from parcours.indicators.documents import ReportDocument, build_document
from parcours.indicators.models import Audience
from parcours.indicators.periods import Month, Period
from parcours.indicators.reports import ComputedReport, DirectorateRef, compute_report
from parcours.indicators.sending import send_document
from parcours.partnerships.models import (
    AgreementReport,
    Frequency,
    ReportingDuty,
    ReportSending,
)
from parcours.partnerships.services import move
from parcours.partnerships.states import IN_FORCE_STATES, ReportStatus

logger = logging.getLogger(__name__)


def period_of(duty: ReportingDuty, month: Month) -> Period:
    """The reporting period of `duty` that holds `month` (a month, or its calendar quarter)."""
    if duty.frequency == Frequency.QUARTERLY:
        first = Month(month.year, 3 * ((month.month - 1) // 3) + 1)
        return Period(first, Month(first.year, first.month + 2))
    return Period.single(month)


def deadline_of(duty: ReportingDuty, period: Period) -> datetime.date:
    """Seed 001: "chaque fin de mois", the period's last day, plus the duty's delay if any."""
    return period.last.last_day + datetime.timedelta(days=duty.due_days_after_period)


def covers(duty: ReportingDuty, period: Period) -> bool:
    """Whether the agreement runs during part of the period (a report is owed for it)."""
    agreement = duty.agreement
    if agreement.starts_on >= period.end_exclusive:
        return False
    return agreement.ends_on is None or agreement.ends_on >= period.start


def _refs(duty: ReportingDuty) -> list[DirectorateRef]:
    return [DirectorateRef.of(d) for d in duty.agreement.directorates.order_by("name")]


def perimeter_label(refs) -> str:
    # The label the figures pages give a DT (indicators.perimeters): its name.
    return ", ".join(ref.name for ref in refs)


def compute(duty: ReportingDuty, period: Period) -> ComputedReport:
    """The exact tables of the duty's report for its agreement's DTs (one report query)."""
    return compute_report(get_report(duty.report_code), _refs(duty), period)


def document(duty: ReportingDuty, period: Period, *, exact: bool, computed=None) -> ReportDocument:
    """The agreement's report as a document, exact for the DT or protected for anyone else."""
    computed = computed or compute(duty, period)
    return build_document(
        computed, exact=exact, perimeter_label=perimeter_label(computed.directorates)
    )


def _figures(computed: ComputedReport) -> dict:
    return {
        str(ref.id): {
            str(month): computed.figures(ref.id, month) for month in computed.period.months
        }
        for ref in computed.directorates
    }


def _approval_versions(duty, computed) -> dict:
    approvals = current_approvals(
        duty.report_code, [ref.id for ref in computed.directorates], computed.period
    )
    return {f"{key[0]}:{key[1]}": approval.version for key, approval in approvals.items()}


def _send(report: AgreementReport, computed: ComputedReport) -> list[ReportSending]:
    """One e-mail per recipient of the duty for this version; a re-run sends nothing twice."""
    sent = []
    documents: dict[str, ReportDocument] = {}
    for recipient in report.duty.recipients.filter(is_active=True).order_by("email"):
        try:
            with transaction.atomic():
                sending = ReportSending.objects.create(
                    report=report,
                    version=report.version,
                    recipient_email=recipient.email,
                    audience=recipient.audience,
                )
        except IntegrityError:
            # This version already went to this address; only a failed e-mail is tried
            # again, by whoever clears its error first.
            sending = ReportSending.objects.get(
                report=report, version=report.version, recipient_email=recipient.email
            )
            claimed = (
                ReportSending.objects.filter(pk=sending.pk, sent_at__isnull=True)
                .exclude(error="")
                .update(error="")
            )
            if not claimed:
                continue
        audience = recipient.audience
        if audience not in documents:
            documents[audience] = document(
                report.duty,
                computed.period,
                exact=audience == Audience.DIRECTORATE,
                computed=computed,
            )
        try:
            send_document(documents[audience], recipient)
        except Exception as error:  # a mail failure is kept on the row, never a lost report
            logger.exception("agreement report to %s failed", recipient.email)
            sending.error = str(error)[:2000]
            sending.save(update_fields=["error"])
            continue
        sending.sent_at = timezone.now()
        sending.save(update_fields=["sent_at"])
        sent.append(sending)
    return sent


def send_report(duty: ReportingDuty, month: Month, *, by, organisation=None) -> AgreementReport:
    """Send the period's report of the duty (the first version); refused if already sent."""
    period = period_of(duty, month)
    if not covers(duty, period):
        raise ValidationError(_("La convention ne couvre pas cette période."))
    if not duty.recipients.filter(is_active=True).exists():
        # A report sent to nobody would show as sent: the DT chooses its recipients first.
        raise ValidationError(
            _("Ce compte rendu n'a aucun destinataire : choisissez-les avant l'envoi.")
        )
    if period.last.last_day >= timezone.localdate():
        # A period's figures are complete once it is over (as for approvals).
        raise ValidationError(
            _("La période n'est pas terminée : le rapport pourra être envoyé à partir du %(day)s.")
            % {"day": period.end_exclusive.strftime("%d/%m/%Y")}
        )
    with translation.override(settings.LANGUAGE_CODE):
        computed = compute(duty, period)
        with transaction.atomic():
            report = AgreementReport(
                duty=duty,
                period_start=period.start,
                period_end=period.last.last_day,
                version=1,
                figures=_figures(computed),
                approval_versions=_approval_versions(duty, computed),
                sent_at=timezone.now(),
            )
            try:
                with transaction.atomic():
                    move("report", report, "send", by=by, organisation=organisation)
            except IntegrityError as error:
                raise ValidationError(
                    _("Le rapport de cette période a déjà été envoyé.")
                ) from error
        _send(report, computed)
    return report


@transaction.atomic
def request_correction(report: AgreementReport, *, by, organisation=None, comment: str):
    """The DREETS asks the DT to correct a sent report: reopened, the request logged."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Indiquez ce qui doit être corrigé."))
    report = AgreementReport.objects.select_for_update().get(pk=report.pk)
    return move(
        "report", report, "request_correction", by=by, organisation=organisation, comment=comment
    )


def resend_report(
    report: AgreementReport, *, by, organisation=None, comment: str
) -> AgreementReport:
    """The DT's corrected report: today's figures as the next version, sent and logged."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Indiquez ce qui a été corrigé."))
    with translation.override(settings.LANGUAGE_CODE):
        with transaction.atomic():
            report = (
                AgreementReport.objects.select_for_update().select_related("duty").get(pk=report.pk)
            )
            if report.status != ReportStatus.REOPENED:
                raise ValidationError(_("Aucune correction n'a été demandée sur ce rapport."))
            period = Period(Month.of(report.period_start), Month.of(report.period_end))
            computed = compute(report.duty, period)
            report.version += 1
            report.figures = _figures(computed)
            report.approval_versions = _approval_versions(report.duty, computed)
            report.sent_at = timezone.now()
            move(
                "report",
                report,
                "resend",
                by=by,
                organisation=organisation,
                comment=comment,
                fields=("version", "figures", "approval_versions", "sent_at"),
            )
        _send(report, computed)
    return report


def duties_due(month: Month):
    """Duties of agreements in force that owe the report of the period ending with `month`."""
    duties = ReportingDuty.objects.filter(
        agreement__status__in=sorted(IN_FORCE_STATES)
    ).select_related("agreement")
    for duty in duties:
        period = period_of(duty, month)
        if period.last == month and covers(duty, period):
            yield duty, period


def send_due_reports(today: datetime.date, *, by) -> list[AgreementReport]:
    """With the monthly sending (its day, indicators.sending.month_to_send): every report owed
    for the month that just ended. Idempotent: a period already sent is skipped."""
    from parcours.indicators.sending import month_to_send

    month = month_to_send(today)
    if month is None:
        return []
    sent = []
    for duty, period in duties_due(month):
        if AgreementReport.objects.filter(duty=duty, period_start=period.start).exists():
            continue
        try:
            sent.append(send_report(duty, month, by=by))
        except ValidationError:
            continue  # sent meanwhile by someone else
    return sent
