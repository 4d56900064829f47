"""Daily background work of the referrals module (Huey): expiry, reminders, e-mail retries."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from parcours.referrals.notifications import deliver_pending
from parcours.referrals.services import expire_stale_referrals, send_due_reminders


@db_periodic_task(crontab(hour="6", minute="15"))
def referrals_daily():
    """Expire stale referrals, remind partners before expiry, retry unsent e-mails.

    Idempotent: running it twice the same day changes nothing the second time.
    """
    expired = expire_stale_referrals(apply=True)
    reminded = send_due_reminders(apply=True)
    retried = deliver_pending()
    return {"expired": len(expired), "reminded": len(reminded), "retried": retried}
