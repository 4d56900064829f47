"""Indicators and monthly reports: definitions, age bands, protection, approvals, sending."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "parcours.indicators"
    label = "indicators"
    verbose_name = _("Chiffres et rapports mensuels")

    def ready(self):
        from parcours.indicators import catalogue
        from parcours.organisations.permissions import Action
        from parcours.www.navigation import FIGURES_POSITION, MenuEntry, add_entry

        catalogue.register_builtin_reports()
        add_entry(
            MenuEntry(
                label=_("Chiffres"),
                url_name="indicators:dashboard",
                action=Action.VIEW_AGGREGATES,
                url_prefix="/chiffres/",
                position=FIGURES_POSITION,
            )
        )
