"""Background work of the messages: sending after a convocation, and the daily reminders."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from parcours.messaging import services

logger = logging.getLogger(__name__)


# No automatic retry: a rerun would send the messages already sent again. Each failure is a
# "failed" row with its reason, shown to the agent on the day sheet and the person file.
@db_task()
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
