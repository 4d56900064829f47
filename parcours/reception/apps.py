"""App configuration of the reception day: menu entries, timeline provider, signal handlers."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    name = "parcours.reception"
    label = "reception"
    verbose_name = _("Journée d'accueil (PFA)")

    def ready(self):
        from parcours.organisations.permissions import Action
        from parcours.reception import (  # noqa: F401  (registration)
            privacy,  # noqa: F401  (history, retention, erasure)
            signals,
            timeline,
        )
        from parcours.www.navigation import RECEPTION, MenuEntry, add_entry

        add_entry(
            MenuEntry(
                label=_("Sessions d'accueil"),
                url_name="reception:planning",
                action=Action.VIEW_PERSON,
                url_prefix="/pfa/sessions",
                group=RECEPTION,
            )
        )
        add_entry(
            MenuEntry(
                label=_("À traiter"),
                url_name="reception:worklists",
                action=Action.VIEW_PERSON,
                url_prefix="/pfa/a-traiter",
                group=RECEPTION,
            )
        )
        add_entry(
            MenuEntry(
                label=_("Récapitulatif des journées"),
                url_name="reception:summary",
                action=Action.VIEW_AGGREGATES,
                url_prefix="/pfa/recapitulatif",
                group=RECEPTION,
            )
        )
