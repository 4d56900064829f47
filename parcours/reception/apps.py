"""App configuration of the reception day: timeline, visibility, person followers, tasks."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    name = "parcours.reception"
    label = "reception"
    verbose_name = _("Journée d'accueil (PFA)")

    def ready(self):
        from parcours.reception import (  # noqa: F401  (registration)
            facts,  # noqa: F401  (follows corrections of persons)
            privacy,  # noqa: F401  (history, retention, erasure)
            tasks,
            timeline,
            visibility,
        )
