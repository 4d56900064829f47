"""Partnerships: agreements, calls for expressions of interest, working groups, the network."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "parcours.partnerships"
    label = "partnerships"
    verbose_name = _("Partenariats")

    def ready(self):
        from parcours.partnerships import privacy  # noqa: F401  (contacts' retention)
