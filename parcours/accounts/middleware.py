"""Send a session that still owes its TOTP code to the verification (or enrolment) page."""

from urllib.parse import urlencode

from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from parcours.accounts.two_factor import (
    has_confirmed_device,
    is_verified,
    second_factor_required,
)

# Public pages a half-signed-in session may still use. Other public views (an API answering
# tokens, for instance) are not exempt: a session cookie there would skip the second factor.
PUBLIC_BEFORE_SECOND_FACTOR = frozenset({"login", "health", "set_language"})


class SecondFactorRequiredMiddleware:
    """Nothing but the TOTP pages, logout and the organisation switch before the second factor.

    Runs after CurrentMembershipMiddleware: the requirement depends on the role in use.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "second_factor_exempt", False):
            return None
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in PUBLIC_BEFORE_SECOND_FACTOR:
            return None
        user = request.user
        if not user.is_authenticated or is_verified(user):
            return None
        if not second_factor_required(user, getattr(request, "membership", None)):
            return None
        target = "accounts:totp_verify" if has_confirmed_device(user) else "accounts:totp_enrol"
        # The path only, never the query string: a search may carry a person's name.
        url = f"{reverse(target)}?{urlencode({'next': request.path})}"
        if getattr(request, "htmx", False):
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        if not request.accepts("text/html"):
            return JsonResponse(
                {"detail": _("Double authentification requise."), "location": url}, status=403
            )
        return redirect(url)
