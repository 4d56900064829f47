"""Messages to convoked persons and their delivery, the person's page, the DT's settings."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcours.people.models import Person
from parcours.reception.models import Convocation
from parcours.territories.models import Directorate

# Issue 18: "by default two days before the session (configurable per DT)", the delay of
# RDV-Solidarités (48 hours ahead).
DEFAULT_REMINDER_DAYS = 2
# Wrong birth dates accepted on a person's page before it locks (issue 18, "attempt limits").
MAX_FAILED_CHECKS = 5
LOCK_HOURS = 24


class Channel(models.TextChoices):
    EMAIL = "email", _("Courriel")
    SMS = "sms", _("SMS")


class Kind(models.TextChoices):
    CONVOKED = "convoked", _("Convocation")
    RECONVOKED = "reconvoked", _("Nouvelle convocation")
    MOVED = "moved", _("Session déplacée")
    CANCELLED = "cancelled", _("Session annulée")
    REMINDER = "reminder", _("Rappel")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("En attente")
    SENT = "sent", _("Envoyé")
    DELIVERED = "delivered", _("Reçu")
    FAILED = "failed", _("Échec")


class Message(models.Model):
    """One message to one person about one convocation, by one channel, with its delivery."""

    convocation = models.ForeignKey(
        Convocation,
        verbose_name=_("convocation"),
        on_delete=models.CASCADE,
        related_name="messages",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("personne"), on_delete=models.CASCADE, related_name="messages"
    )
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("modèle"), max_length=20, choices=Kind.choices)
    language = models.CharField(_("langue"), max_length=8)
    recipient = models.CharField(_("destinataire"), max_length=254)
    body = models.TextField(_("texte"))
    segments = models.PositiveSmallIntegerField(_("segments SMS"), null=True, blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    failure_reason = models.CharField(_("motif de l'échec"), max_length=200, blank=True)
    provider_id = models.CharField(_("identifiant du prestataire"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    status_at = models.DateTimeField(_("état reçu le"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        constraints = [
            # Issue 18: one reminder per convocation and channel, whatever the retries.
            models.UniqueConstraint(
                fields=["convocation", "channel"],
                condition=Q(kind="reminder"),
                name="messaging_one_reminder_per_convocation",
            ),
            models.UniqueConstraint(
                fields=["provider_id"],
                condition=~Q(provider_id=""),
                name="messaging_unique_provider_id",
            ),
            models.CheckConstraint(
                condition=Q(status="failed") | Q(failure_reason=""),
                name="messaging_reason_only_when_failed",
            ),
            models.CheckConstraint(
                condition=Q(status="queued") | Q(sent_at__isnull=False) | Q(status="failed"),
                name="messaging_sent_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["convocation", "created_at"], name="messaging_by_convocation"),
            models.Index(fields=["person", "created_at"], name="messaging_by_person"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.get_kind_display()} – {self.recipient}"


class AnswerReason(models.TextChoices):
    ILLNESS = "illness", _("Maladie")
    WORK = "work", _("Travail")
    TRAINING = "training", _("Formation")
    MOVED_AWAY = "moved_away", _("Déménagement")
    OTHER = "other", _("Autre raison")


class Answer(models.TextChoices):
    CONFIRMED = "confirmed", _("Viendra")
    CANNOT_COME = "cannot_come", _("Ne peut pas venir")


class ConvocationPage(models.Model):
    """The person's own page for a convocation: a short unguessable link, its check and answer."""

    convocation = models.OneToOneField(
        Convocation,
        verbose_name=_("convocation"),
        on_delete=models.CASCADE,
        related_name="page",
    )
    token = models.CharField(_("lien"), max_length=16, unique=True)
    failed_checks = models.PositiveSmallIntegerField(_("vérifications manquées"), default=0)
    locked_until = models.DateTimeField(_("bloquée jusqu'au"), null=True, blank=True)
    answer = models.CharField(_("réponse"), max_length=20, choices=Answer.choices, blank=True)
    reason = models.CharField(_("motif"), max_length=20, choices=AnswerReason.choices, blank=True)
    answered_at = models.DateTimeField(_("réponse le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("page de convocation")
        verbose_name_plural = _("pages de convocation")
        constraints = [
            models.CheckConstraint(
                condition=(Q(answer="cannot_come") & ~Q(reason=""))
                | (~Q(answer="cannot_come") & Q(reason="")),
                name="messaging_reason_with_cannot_come",
            ),
            models.CheckConstraint(
                condition=Q(answer="") | Q(answered_at__isnull=False),
                name="messaging_answer_has_time",
            ),
        ]

    def __str__(self):
        return self.token


class MessagingSettings(models.Model):
    """A directorate's settings for messages: how many days before a session the reminder goes."""

    directorate = models.OneToOneField(
        Directorate,
        verbose_name=_("direction territoriale"),
        on_delete=models.CASCADE,
        related_name="messaging_settings",
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("rappel (jours avant la session)"),
        default=DEFAULT_REMINDER_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(14)],
    )

    class Meta:
        verbose_name = _("réglages des messages")
        verbose_name_plural = _("réglages des messages")
        constraints = [
            models.CheckConstraint(
                condition=Q(reminder_days__gte=1) & Q(reminder_days__lte=14),
                name="messaging_reminder_days_range",
            )
        ]

    def __str__(self):
        return str(self.directorate)
