"""Background work of the messages: sending after a convocation, and the daily reminders."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from parcours.messaging import services

logger = logging.getLogger(__name__)


@db_task(retries=2, retry_delay=300)
def send_convocation_messages(convocation_ids, kind):
    return len(services.send_for_convocations(convocation_ids, kind))


# Huey's schedule is in UTC (settings.HUEY["utc"]): 9:00 UTC is 10:00 or 11:00 in Paris, far
# from the night hours when clocks change (2:00–3:00), and a time people read their phone.
@db_periodic_task(crontab(hour="9", minute="0"))
def daily_reminders():
    """Issue 18: the reminders of the day, each sent once (see services.send_reminders)."""
    count = services.send_reminders()
    logger.info("reminders sent: %s", count)
    return count
