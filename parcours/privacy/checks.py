"""Deployment checks of data protection settings."""

from django.conf import settings
from django.core.checks import Error, Tags, register

from parcours.privacy.rules import ACCESS_LOG_MIN_MONTHS


@register(Tags.security, deploy=True)
def access_log_retention_is_within_cnil_range(app_configs, **kwargs):
    months = getattr(settings, "PARCOURS_ACCESS_LOG_RETENTION_MONTHS", 12)
    if ACCESS_LOG_MIN_MONTHS <= months <= 12:
        return []
    return [
        Error(
            f"PARCOURS_ACCESS_LOG_RETENTION_MONTHS is {months}; the CNIL expects 6 to 12 months.",
            id="parcours.E101",
        )
    ]
