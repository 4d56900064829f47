"""The person record: the CIR signatory, their identifiers, situation and timeline."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "parcours.people"
    label = "people"
    verbose_name = _("Personnes")
