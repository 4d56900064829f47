"""The page answered when django-axes locks sign-ins out (AXES_LOCKOUT_CALLABLE)."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from parcours.accounts.throttling import cooloff_minutes
from parcours.www.forms import LoginForm


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, with a French explanation, answered as 429 Too Many Requests."""
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
