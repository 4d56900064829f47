"""Deployment checks of sign-in security: `manage.py check --deploy` refuses demo shortcuts."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def two_factor_is_enforced(app_configs, **kwargs):
    errors = []
    if getattr(settings, "PARCOURS_DEMO_SKIP_2FA", False):
        errors.append(
            Error(
                "PARCOURS_DEMO_SKIP_2FA is on: demo accounts sign in without a TOTP code.",
                hint="Unset PARCOURS_DEMO_SKIP_2FA (and DEBUG) in production.",
                id="parcours.E001",
            )
        )
    if not getattr(settings, "PARCOURS_TOTP_ENFORCED", True):
        errors.append(
            Error(
                "PARCOURS_TOTP_ENFORCED is off: no role is asked for a TOTP code.",
                hint="Only the test settings may turn two-factor authentication off.",
                id="parcours.E002",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def oidc_is_served_over_https(app_configs, **kwargs):
    if not getattr(settings, "OIDC_ENABLED", False):
        return []
    endpoints = [
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
        settings.OIDC_OP_TOKEN_ENDPOINT,
        settings.OIDC_OP_USER_ENDPOINT,
        settings.OIDC_OP_JWKS_ENDPOINT,
    ]
    if all(url.startswith("https://") for url in endpoints):
        return []
    return [
        Error(
            "An OIDC_OP_* endpoint is not served over HTTPS.",
            hint="The identity provider's endpoints must use https:// in production.",
            id="parcours.E003",
        )
    ]


@register(Tags.security, deploy=True)
def trusted_proxies_are_declared(app_configs, **kwargs):
    """Issue 10, door 8: behind proxies, the socket's address is shared by every user."""
    value = getattr(settings, "PARCOURS_TRUSTED_PROXIES", None)
    if isinstance(value, int) and 0 <= value <= 5:
        return []
    return [
        Error(
            "PARCOURS_TRUSTED_PROXIES is not set: failed sign-ins are counted per address, and "
            "behind a reverse proxy every user would share the proxy's address.",
            hint="Set PARCOURS_TRUSTED_PROXIES to the number of reverse proxies in front of "
            "the application (0 when gunicorn faces the clients, 1 behind one nginx).",
            id="parcours.E004",
        )
    ]
