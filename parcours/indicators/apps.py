"""Indicators and monthly reports: definitions, age bands, protection, approvals, sending."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "parcours.indicators"
    label = "indicators"
    verbose_name = _("Chiffres et rapports mensuels")

    def ready(self):
        from parcours.indicators import catalogue, frozen  # noqa: F401  (registration)

        catalogue.register_builtin_reports()
