"""Throttling of failed sign-ins (django-axes): how an account is named, the French lockout page.

A lockout counts failures per account and, separately, per client address
(issue 6, "Login": "throttling of failed logins per account and per address").
"""

from django.conf import settings


def normalise_username(value) -> str:
    """One account whatever the case or spaces typed: e-mail addresses are matched that way."""
    return str(value or "").strip().lower()


def username_from_request(request, credentials=None) -> str:
    """The account named by a sign-in attempt (AXES_USERNAME_CALLABLE)."""
    value = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if value is None and request is not None:
        value = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    return normalise_username(value)


def lockout_parameters(request_or_attempt, credentials=None) -> list[str]:
    """Lock per account and per address; only per address when no account is named.

    An OpenID Connect callback names no account: counting its failures under an empty name
    would lock every such sign-in at once.
    """
    username = getattr(request_or_attempt, "username", None)
    if username is None:
        username = username_from_request(request_or_attempt, credentials)
    return ["username", "ip_address"] if username else ["ip_address"]


def cooloff_minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
