"""Records the home pages count (issue 16): approved months, recipients and their sendings."""

import datetime

from django.utils import timezone

from parcours.indicators.catalogue import MONTHLY_REPORT
from parcours.indicators.models import Audience, MonthlyApproval, ReportRecipient, ReportRun
from tests.factories import UserFactory


def approve(directorate, month: datetime.date, *, version: int = 1) -> MonthlyApproval:
    """A director's approval of `month` (its first day) for `directorate`."""
    return MonthlyApproval.objects.create(
        directorate=directorate,
        month=month,
        report_code=MONTHLY_REPORT,
        version=version,
        figures={},
        bands={},
        approved_by=UserFactory(),
        approved_at=timezone.now(),
        comment="" if version == 1 else "Correction",
    )


def recipient(directorate, email: str, audience=Audience.DIRECTORATE) -> ReportRecipient:
    return ReportRecipient.objects.create(directorate=directorate, email=email, audience=audience)


def sent(directorate, month: datetime.date, email: str, *, version=None) -> ReportRun:
    """A sending that went out, carrying approval `version` (None: provisional figures)."""
    return ReportRun.objects.create(
        directorate=directorate,
        month=month,
        report_code=MONTHLY_REPORT,
        recipient_email=email,
        audience=Audience.DIRECTORATE,
        status="sent",
        approval_version=version,
        sent_at=timezone.now(),
    )
