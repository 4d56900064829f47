"""API tokens: a partner system acts through one membership, like a person would."""

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.organisations.models import Membership

TOKEN_PREFIX = "prc_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        now = timezone.now()
        return self.filter(
            revoked_at__isnull=True,
            membership__is_active=True,
            membership__organisation__is_active=True,
            membership__user__is_active=True,
        ).filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))


class ApiToken(models.Model):
    """A secret given to a partner system. Only its SHA-256 is stored; the key is shown once.

    The token carries a membership, so the API applies exactly the perimeter and the
    permission matrix of that membership's role, and the access log names who acted.
    """

    membership = models.ForeignKey(
        Membership,
        verbose_name=_("rattachement"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("nom"), max_length=100, help_text=_("Le système qui l'utilise."))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("début de la clé"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, membership, name, expires_at=None) -> tuple["ApiToken", str]:
        """Create a token; return it with the clear key, which is never stored."""
        key = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            membership=membership,
            name=name,
            key_hash=hash_key(key),
            prefix=key[:10],
            expires_at=expires_at,
        )
        return token, key
