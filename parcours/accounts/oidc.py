"""Sign-in through the state's agent identity federation (ProConnect), an OpenID Connect client.

mozilla-django-oidc does the protocol (authorisation code flow with PKCE, nonce, signed ID
token checked against the provider's JWKS); Parcours only decides who may come in: an
existing, active account whose e-mail address the provider asserts. Nothing happens unless
every OIDC_* setting is configured (settings.OIDC_ENABLED).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from mozilla_django_oidc.auth import OIDCAuthenticationBackend


class ParcoursOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        self.enabled = bool(getattr(settings, "OIDC_ENABLED", False))
        self.UserModel = get_user_model()
        if self.enabled:
            super().__init__(*args, **kwargs)

    def authenticate(self, request, **kwargs):
        if not self.enabled:
            return None
        return super().authenticate(request, **kwargs)

    def verify_claims(self, claims):
        # A provider that says the address is unverified proves nothing about the account.
        return bool(claims.get("email")) and claims.get("email_verified", True) is not False

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email, is_active=True)

    def get_user(self, user_id):
        user = self.UserModel._default_manager.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None
