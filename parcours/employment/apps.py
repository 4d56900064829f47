"""Employment (issue 20): ROME referential, professional profiles, shortage lists, employers."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmploymentConfig(AppConfig):
    name = "parcours.employment"
    label = "employment"
    verbose_name = _("Emploi")

    def ready(self):
        from parcours.employment import indicators, privacy  # noqa: F401  (registrations)
