"""Scheduled work of the reception day: the daily check of the facts copied on events."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from parcours.reception.facts import repair_copies

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="5", minute="45"))
def daily_event_copies_check():
    """Every morning, before the monthly sending (6:30): find and repair stale copies.

    Issue 13: a copy made stale by a fix outside the services (SQL, a shell) is repaired and
    logged the next morning; approving or sending a month checks it again first.
    """
    repaired = repair_copies()
    if any(repaired.values()):
        logger.warning("daily check: stale event copies repaired %s", repaired)
    return repaired
