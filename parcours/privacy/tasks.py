"""Scheduled data-protection work: retention, notices to the DT, access-log purge (daily)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from parcours.privacy.access_log import purge_access_log, purge_sign_in_records
from parcours.privacy.retention import run_retention, send_retention_notices


@db_periodic_task(crontab(hour="2", minute="30"))
def daily_data_protection():
    """Idempotent: a second run the same day finds nothing left to do or to tell."""
    send_retention_notices()
    run_retention(dry_run=False)
    purge_access_log(dry_run=False)
    purge_sign_in_records()
