"""Partner schemes, eligibility, referrals, seats and information sessions (issue 4)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "parcours.referrals"
    label = "referrals"
    verbose_name = _("Orientations")

    def ready(self):
        from parcours.referrals import (
            privacy,  # noqa: F401  (history, retention, erasure)
            timeline,  # noqa: F401  (registers the provider)
            visibility,  # noqa: F401  (persons referred to a partner)
        )
