"""Reference data on territories: regions, départements and OFII directorates."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoriesConfig(AppConfig):
    name = "parcours.territories"
    label = "territories"
    verbose_name = _("Territoires")
