"""Who is who: organisations, memberships with a role, and the perimeter a membership opens."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "parcours.organisations"
    label = "organisations"
    verbose_name = _("Organisations")
