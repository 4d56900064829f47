"""The versioned REST API (/api/v1/) for partners' systems, with its OpenAPI document."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "parcours.api"
    label = "api"
    verbose_name = _("API")

    def ready(self):
        from parcours.api import webhooks  # noqa: F401  (listens to referral events, Huey task)
