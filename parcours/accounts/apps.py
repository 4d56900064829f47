"""User accounts of Parcours: people who sign in (agents, counsellors, viewers)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "parcours.accounts"
    label = "accounts"
    verbose_name = _("Comptes")

    def ready(self):
        from parcours.accounts import checks  # noqa: F401  (registers the deploy checks)
