"""Daily background work of the partnerships (Huey): reminders, and the agreements' reports."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from parcours.partnerships.reminders import send_due_reminders
from parcours.partnerships.reporting import send_due_reports
from parcours.referrals.system import system_user


@db_periodic_task(crontab(hour="6", minute="45"))
def partnerships_daily():
    """Every morning, after the monthly sending: reminders owed today, reports owed this month.

    Idempotent: reminders are unique rows, a period's report is sent once (its unique row).
    """
    today = timezone.localdate()
    reminders = send_due_reminders(today)
    reports = send_due_reports(today, by=system_user())
    return {**reminders, "reports": len(reports)}
