"""Partner schemes, eligibility, referrals, seats and information sessions (issue 4)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "parcours.referrals"
    label = "referrals"
    verbose_name = _("Orientations")

    def ready(self):
        from parcours.organisations.permissions import Action
        from parcours.referrals import (
            privacy,  # noqa: F401  (history, retention, erasure)
            timeline,  # noqa: F401  (registers the provider)
        )
        from parcours.www.navigation import REFERRALS, MenuEntry, add_entry

        add_entry(
            MenuEntry(
                _("Dispositifs"),
                "referrals:scheme_list",
                Action.REFER,
                "/dispositifs/",
                group=REFERRALS,
            )
        )
        add_entry(
            MenuEntry(
                _("Gérer les dispositifs"),
                "referrals:scheme_manage",
                Action.MANAGE_SCHEMES,
                "/gestion-dispositifs/",
                group=REFERRALS,
            )
        )
        add_entry(
            MenuEntry(
                _("Orientations envoyées"),
                "referrals:sent_list",
                Action.REFER,
                "/orientations/",
                group=REFERRALS,
            )
        )
        add_entry(
            MenuEntry(
                _("Orientations reçues"),
                "referrals:inbox",
                Action.ANSWER_REFERRAL,
                "/orientations-recues/",
                group=REFERRALS,
            )
        )
        add_entry(
            MenuEntry(
                _("Séances d'information"),
                "referrals:session_list",
                Action.ANSWER_REFERRAL,
                "/seances-information/",
                group=REFERRALS,
            )
        )
