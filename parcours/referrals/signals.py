"""Referral events other modules listen to (the API's webhooks), sent once the change commits.

The referrals module knows nothing of who listens (import layers: api sits above referrals);
it only says what happened, after the transaction that made it happen has committed.
"""

from django.db import transaction
from django.dispatch import Signal

# Sent with `event` ("new_referral", "withdrawn", "seat_freed"), `referral` or `scheme`.
referral_event = Signal()

NEW_REFERRAL = "new_referral"
WITHDRAWN = "withdrawn"
SEAT_FREED = "seat_freed"


def announce(event: str, *, referral=None, scheme_id=None) -> None:
    """Send `referral_event` after commit; nothing is announced for a change rolled back."""
    transaction.on_commit(
        lambda: referral_event.send(
            sender=None, event=event, referral=referral, scheme_id=scheme_id
        )
    )
