"""User accounts of Parcours: people who sign in (agents, counsellors, viewers)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "parcours.accounts"
    label = "accounts"
    verbose_name = _("Comptes")

    def ready(self):
        from parcours.accounts import checks  # noqa: F401  (registers the deploy checks)
        from parcours.organisations.permissions import Action
        from parcours.www.navigation import (
            DATA_AND_SECURITY,
            MenuEntry,
            add_entry,
        )

        add_entry(
            MenuEntry(
                label=_("Sécurité des partenaires"),
                url_name="accounts:two_factor_policy",
                action=Action.MANAGE_PARTNERS,
                group=DATA_AND_SECURITY,
            )
        )
        add_entry(
            MenuEntry(
                label=_("Comptes bloqués"),
                url_name="accounts:lockouts",
                action=Action.MANAGE_USERS,
                group=DATA_AND_SECURITY,
            )
        )
