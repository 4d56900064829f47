"""API tokens: a partner system acts through one membership, like a person would."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.organisations.models import Membership

TOKEN_PREFIX = "prc_"


class Scope(models.TextChoices):
    """What a token may do: read answers GET/HEAD/OPTIONS, write also the transitions (issue 17)."""

    READ = "read", _("Lecture")
    WRITE = "write", _("Lecture et écriture")


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
    # Read-only unless asked otherwise: a system that only reads cannot be made to write.
    scope = models.CharField(_("portée"), max_length=10, choices=Scope.choices, default=Scope.READ)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(
        cls, membership, name, expires_at=None, scope: str = Scope.READ
    ) -> tuple["ApiToken", str]:
        """Create a token; return it with the clear key, which is never stored."""
        key = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            membership=membership,
            name=name,
            key_hash=hash_key(key),
            prefix=key[:10],
            expires_at=expires_at,
            scope=scope,
        )
        return token, key

    @property
    def can_write(self) -> bool:
        return self.scope == Scope.WRITE

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )


class WebhookEvent(models.TextChoices):
    """The events a partner's system may subscribe to (issue 17, point 3)."""

    NEW_REFERRAL = "referral.new", _("Nouvelle orientation")
    REFERRAL_WITHDRAWN = "referral.withdrawn", _("Orientation retirée")
    SEAT_FREED = "scheme.seat_freed", _("Place libérée")


class WebhookEndpoint(models.Model):
    """An HTTPS address of a partner's system that receives signed events of its organisation.

    The secret signs each body (HMAC-SHA256); it is kept in clear because the server must sign
    with it, shown once to the partner, and replaced rather than read back.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("structure"),
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
    )
    url = models.URLField(_("adresse"), max_length=500)
    secret = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(_("actif"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("point de réception d'évènements")
        verbose_name_plural = _("points de réception d'évènements")
        ordering = ["-created_at"]

    def __str__(self):
        return self.url

    @staticmethod
    def new_secret() -> str:
        return secrets.token_hex(32)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    DELIVERED = "delivered", _("Reçu")
    FAILED = "failed", _("Abandonné après plusieurs essais")


class WebhookDelivery(models.Model):
    """One event owed to one endpoint, with every attempt's outcome (the delivery log)."""

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("point de réception"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.CharField(_("évènement"), max_length=30, choices=WebhookEvent.choices)
    # The body as sent, so that every retry signs exactly the same bytes.
    body = models.TextField(_("contenu"))
    status = models.CharField(
        _("état"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("essais"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("dernier code HTTP"), null=True)
    last_error = models.CharField(_("dernière erreur"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("reçu le"), null=True, blank=True)

    class Meta:
        verbose_name = _("envoi d'évènement")
        verbose_name_plural = _("envois d'évènements")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.event} → {self.endpoint_id}"
