"""Rate limiting of the API per token (issue 17): one partner's loop cannot starve the others.

The count is kept in Django's cache, per token (per signed-in user for the browser session).
The rate is a setting (`PARCOURS_API_RATE`, "600/minute" by default) read at each request so
that tests and deployments can change it. With the default local-memory cache the count is per
process: behind several gunicorn workers, a shared cache (Redis) makes it exact.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from parcours.api.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api_token"

    def get_rate(self):
        return settings.PARCOURS_API_RATE

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
