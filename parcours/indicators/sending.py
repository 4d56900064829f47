"""The monthly sending: each DT's report of the previous month, e-mailed to its recipients.

Issue 5, item 7 (seed 001: the figures go "chaque fin de mois à chaque direction territoriale
OFII et à la DREETS"): on the first working day of the month, the previous month's report of
each DT goes to the DT's recipients with exact figures and to the DREETS with small cells
protected. A ReportRun row per (directorate, month, report, recipient) is written *before*
sending, under a unique constraint, so a re-run, or two runs at once, send nothing twice;
only a sending that failed is tried again.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parcours.indicators import exports
from parcours.indicators.approvals import current_approvals
from parcours.indicators.catalogue import MONTHLY_REPORT
from parcours.indicators.definitions import get_report
from parcours.indicators.documents import ReportDocument, build_document
from parcours.indicators.models import Audience, ReportRecipient, ReportRun, RunStatus
from parcours.indicators.periods import Month, Period, first_working_day
from parcours.indicators.release import (
    ReleaseRefused,
    audience_for_region,
    received_hidden,
    record_release,
)
from parcours.indicators.reports import DirectorateRef, compute_report

logger = logging.getLogger(__name__)


@dataclass
class SendingSummary:
    month: Month
    sent: list[ReportRun] = field(default_factory=list)
    failed: list[ReportRun] = field(default_factory=list)
    skipped: int = 0
    planned: list[tuple[str, str, str]] = field(default_factory=list)  # dry run


def month_to_send(today: datetime.date) -> Month | None:
    """The month whose report is due on `today`: the previous one, from the first working day.

    Checking "on or after" rather than "on" lets a worker that was down on the first working
    day catch up the next day; the run log keeps it from sending twice.
    """
    this_month = Month.of(today)
    if today < first_working_day(this_month):
        return None
    return this_month.previous


def _message(document: ReportDocument, recipient: ReportRecipient) -> EmailMessage:
    subject = _("Parcours – %(title)s – %(subtitle)s") % {
        "title": document.title,
        "subtitle": document.subtitle,
    }
    body = render_to_string(
        "indicators/email/monthly_report.txt", {"document": document, "recipient": recipient}
    )
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
    )
    for file_format in ("pdf", "xlsx"):
        message.attach(
            exports.filename(document, file_format),
            exports.export(document, file_format),
            exports.CONTENT_TYPES[file_format],
        )
    return message


def send_document(document: ReportDocument, recipient: ReportRecipient) -> None:
    """E-mail one report to one recipient as the monthly sending does (PDF and XLSX attached).

    Used by the agreements' reports (partnerships.reporting), which are sent with the same
    message and the same protection per audience.
    """
    _message(document, recipient).send()


def _claim(directorate_id, month: Month, recipient: ReportRecipient, code: str) -> ReportRun | None:
    """The run row this sending owns, or None when it was sent or is being sent elsewhere."""
    try:
        with transaction.atomic():
            return ReportRun.objects.create(
                directorate_id=directorate_id,
                month=month.first_day,
                report_code=code,
                recipient_email=recipient.email,
                audience=recipient.audience,
                status=RunStatus.SENDING,
                attempts=1,
            )
    except IntegrityError:
        pass
    run = ReportRun.objects.get(
        directorate_id=directorate_id,
        month=month.first_day,
        report_code=code,
        recipient_email=recipient.email,
    )
    # Only a failed sending is tried again, and only by whoever flips it back first.
    claimed = ReportRun.objects.filter(pk=run.pk, status=RunStatus.FAILED).update(
        status=RunStatus.SENDING, attempts=F("attempts") + 1, error=""
    )
    if not claimed:
        return None
    run.refresh_from_db()
    return run


def send_monthly_reports(
    month: Month, *, directorate_ids=None, dry_run: bool = False
) -> SendingSummary:
    """Send `month`'s report of every DT that has recipients; idempotent.

    A constant number of queries for the figures (one report query for all DTs, one for the
    approvals), then one claim per recipient.
    """
    definition = get_report(MONTHLY_REPORT)
    summary = SendingSummary(month)
    recipients = ReportRecipient.objects.filter(is_active=True).select_related("directorate")
    if directorate_ids is not None:
        recipients = recipients.filter(directorate_id__in=list(directorate_ids))
    recipients = list(recipients.order_by("directorate__name", "audience", "email"))
    if not recipients:
        return summary
    directorates = {r.directorate_id: DirectorateRef.of(r.directorate) for r in recipients}
    period = Period.single(month)
    already = set(
        ReportRun.objects.filter(
            month=month.first_day,
            report_code=definition.code,
            directorate_id__in=list(directorates),
            status__in=[RunStatus.SENT, RunStatus.SENDING],
        ).values_list("directorate_id", "recipient_email")
    )
    pending = [r for r in recipients if (r.directorate_id, r.email) not in already]
    summary.skipped = len(recipients) - len(pending)
    if dry_run:
        summary.planned = [(r.directorate.name, r.email, r.get_audience_display()) for r in pending]
        return summary
    if not pending:
        return summary
    # Issue 13: copies are checked (and repaired, logged) before any figure leaves.
    from parcours.reception.facts import repair_copies

    repair_copies()
    # Documents are written in French, whatever language the worker runs in.
    with translation.override(settings.LANGUAGE_CODE):
        computed = compute_report(definition, list(directorates.values()), period)
        approvals = current_approvals(definition.code, list(directorates), period)
        documents: dict[tuple[int, str], ReportDocument | ReleaseRefused] = {}
        for recipient in pending:
            key = (recipient.directorate_id, recipient.audience)
            exact = recipient.audience == Audience.DIRECTORATE
            # Issue 11: the DREETS is its region's audience, like the regional viewers.
            audience = "" if exact else audience_for_region(recipient.directorate.region_id)
            if key not in documents:
                ref = directorates[recipient.directorate_id]
                single = computed.narrowed([ref.id])
                try:
                    documents[key] = build_document(
                        single,
                        exact=exact,
                        perimeter_label=ref.name,
                        approvals={k: v for k, v in approvals.items() if k[0] == ref.id},
                        received=None
                        if exact
                        else received_hidden(audience, definition.code, [ref.id], [month]),
                    )
                except ReleaseRefused as refused:  # fail closed: never sent
                    documents[key] = refused
            run = _claim(recipient.directorate_id, month, recipient, definition.code)
            if run is None:
                summary.skipped += 1
                continue
            document = documents[key]
            approval = approvals.get((recipient.directorate_id, month))
            try:
                if isinstance(document, ReleaseRefused):
                    raise document
                _message(document, recipient).send()
                record_release(audience, document)
            except Exception as error:  # any mail failure is logged, and retried next run
                logger.exception("monthly report to %s failed", recipient.email)
                run.status = RunStatus.FAILED
                run.error = str(error)[:2000]
                run.save(update_fields=["status", "error"])
                summary.failed.append(run)
                continue
            run.status = RunStatus.SENT
            run.sent_at = timezone.now()
            run.approval_version = approval.version if approval else None
            run.save(update_fields=["status", "sent_at", "approval_version"])
            summary.sent.append(run)
    return summary
