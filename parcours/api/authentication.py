"""Bearer-token authentication for the API: the token's membership becomes the one in use."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from parcours.api.models import ApiToken, hash_key


class MembershipTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("En-tête Authorization mal formé."))
        try:
            key = header[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed(_("Jeton illisible.")) from error
        token = (
            ApiToken.objects.usable()
            .select_related("membership__user", "membership__organisation__directorate")
            .filter(key_hash=hash_key(key))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Jeton inconnu, expiré ou révoqué."))
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        # The API acts through the token's membership, never the user's other ones.
        request._request.membership = token.membership
        return token.membership.user, token

    def authenticate_header(self, request):
        return self.keyword


class MembershipTokenScheme(OpenApiAuthenticationExtension):
    """Describe the bearer token in the OpenAPI document."""

    target_class = MembershipTokenAuthentication
    name = "jetonParcours"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Jeton d'API lié à un rattachement (create_api_token).",
        }
