"""Background tasks of the indicators: the monthly sending (Huey, run daily, acts when due)."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from parcours.indicators.sending import month_to_send, send_monthly_reports


@db_periodic_task(crontab(hour="6", minute="30"))
def monthly_report_sending():
    """Every morning: from the first working day of a month, send the previous month's reports.

    Idempotent: recipients already served are skipped (ReportRun), so running daily only
    catches up a missed day, a failed sending or a recipient added since.
    """
    month = month_to_send(timezone.localdate())
    if month is None:
        return None
    summary = send_monthly_reports(month)
    return {"month": str(month), "sent": len(summary.sent), "failed": len(summary.failed)}
