"""Throttling of failed sign-ins (django-axes): how an account is named, the French lockout page.

A lockout counts failures per account and, separately, per client address
(issue 6, "Login": "throttling of failed logins per account and per address").
"""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _


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


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, with a French explanation, answered as 429 Too Many Requests."""
    from parcours.www.forms import LoginForm  # the HTTP layer's form; imported late (no cycle)

    message = _(
        "Trop de tentatives de connexion ont échoué. Par sécurité, la connexion est bloquée "
        "pendant %(minutes)s minutes pour ce compte ou depuis ce poste. Réessayez plus tard, "
        "ou demandez à l'administrateur de votre structure de débloquer votre compte."
    ) % {"minutes": cooloff_minutes()}
    context = {
        "form": LoginForm(request),
        "lockout_message": message,
        "next": request.POST.get("next", "") if request.method == "POST" else "",
    }
    return render(request, "www/login.html", context, status=429)
