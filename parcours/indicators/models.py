"""Approved monthly figures, the recipients of the monthly sending and the log of its runs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcours.territories.models import Directorate


class MonthlyApprovalQuerySet(models.QuerySet):
    def for_month(self, directorate_id, month_first_day, report_code):
        return self.filter(
            directorate_id=directorate_id, month=month_first_day, report_code=report_code
        )

    def current(self):
        """Only the latest version of each (directorate, month, report)."""
        later = MonthlyApproval.objects.filter(
            directorate_id=models.OuterRef("directorate_id"),
            month=models.OuterRef("month"),
            report_code=models.OuterRef("report_code"),
            version__gt=models.OuterRef("version"),
        )
        return self.exclude(models.Exists(later))


class MonthlyApproval(models.Model):
    """One approval of a month's report by the DT director: the figures, frozen.

    A re-approval adds a row with the next version: the rows are the approval log, the latest
    one is in force (STYLE.md, DHIS2: approved data is locked and approval is audited).
    """

    directorate = models.ForeignKey(
        Directorate,
        verbose_name=_("direction territoriale"),
        on_delete=models.PROTECT,
        related_name="monthly_approvals",
    )
    month = models.DateField(_("mois"), help_text=_("Premier jour du mois validé."))
    report_code = models.CharField(_("rapport"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    figures = models.JSONField(_("chiffres validés"))
    bands = models.JSONField(_("tranches d'âge utilisées"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("validé par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("validé le"))
    comment = models.TextField(
        _("commentaire"),
        blank=True,
        help_text=_("Obligatoire pour une nouvelle validation : ce qui a été corrigé et pourquoi."),
    )
    # Issue 16: the consistency alerts shown before approving and confirmed by the approver.
    confirmed_checks = models.JSONField(
        _("alertes confirmées"),
        default=list,
        blank=True,
        help_text=_("Alertes de cohérence affichées avant la validation et confirmées."),
    )

    objects = MonthlyApprovalQuerySet.as_manager()

    class Meta:
        verbose_name = _("validation mensuelle")
        verbose_name_plural = _("validations mensuelles")
        ordering = ["-month", "directorate__name", "report_code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["directorate", "month", "report_code", "version"],
                name="indicators_approval_unique_version",
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="indicators_approval_version_positive"
            ),
            models.CheckConstraint(
                condition=Q(version=1) | ~Q(comment=""),
                name="indicators_reapproval_has_comment",
            ),
        ]

    def __str__(self):
        return f"{self.directorate} – {self.month:%m/%Y} – v{self.version}"


class Audience(models.TextChoices):
    # The DT receives exact figures; anything leaving the DT is protected (DOMAIN.md).
    DIRECTORATE = "directorate", _("La DT (chiffres exacts)")
    DREETS = "dreets", _("La DREETS (petits effectifs masqués)")


class ReportRecipient(models.Model):
    """An address that receives a directorate's monthly report on the first working day."""

    directorate = models.ForeignKey(
        Directorate,
        verbose_name=_("direction territoriale"),
        on_delete=models.CASCADE,
        related_name="report_recipients",
    )
    email = models.EmailField(_("adresse électronique"))
    name = models.CharField(
        _("destinataire"),
        max_length=150,
        blank=True,
        help_text=_("Par exemple : DREETS Grand Est."),
    )
    audience = models.CharField(_("reçoit"), max_length=20, choices=Audience.choices)
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)

    class Meta:
        verbose_name = _("destinataire du rapport mensuel")
        verbose_name_plural = _("destinataires du rapport mensuel")
        ordering = ["directorate__name", "audience", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["directorate", "email"],
                name="indicators_recipient_unique_email",
                violation_error_message=_(
                    "Cette adresse reçoit déjà le rapport mensuel de cette DT."
                ),
            )
        ]

    def __str__(self):
        return f"{self.name or self.email} ({self.get_audience_display()})"


class RunStatus(models.TextChoices):
    SENDING = "sending", _("Envoi en cours")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")


class ReportRun(models.Model):
    """One sending of one month's report of a directorate to one recipient.

    The unique key (directorate, month, report, recipient) makes the monthly task idempotent:
    a re-run finds the row and sends nothing twice; only a failed sending is tried again.
    """

    directorate = models.ForeignKey(
        Directorate,
        verbose_name=_("direction territoriale"),
        on_delete=models.PROTECT,
        related_name="report_runs",
    )
    month = models.DateField(_("mois"))
    report_code = models.CharField(_("rapport"), max_length=40)
    recipient_email = models.EmailField(_("destinataire"))
    audience = models.CharField(_("reçoit"), max_length=20, choices=Audience.choices)
    status = models.CharField(_("état"), max_length=20, choices=RunStatus.choices)
    approval_version = models.PositiveIntegerField(
        _("version validée envoyée"),
        null=True,
        blank=True,
        help_text=_("Vide : chiffres provisoires, pas encore validés."),
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    error = models.TextField(_("erreur"), blank=True)
    started_at = models.DateTimeField(_("commencé le"), auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("envoi du rapport mensuel")
        verbose_name_plural = _("envois du rapport mensuel")
        ordering = ["-month", "directorate__name", "recipient_email"]
        constraints = [
            models.UniqueConstraint(
                fields=["directorate", "month", "report_code", "recipient_email"],
                name="indicators_run_unique_sending",
            ),
            models.CheckConstraint(
                condition=Q(status=RunStatus.SENT, sent_at__isnull=False)
                | (~Q(status=RunStatus.SENT) & Q(sent_at__isnull=True)),
                name="indicators_run_sent_has_date",
            ),
        ]
        indexes = [models.Index(fields=["directorate", "-month"], name="indicators_run_dt_month")]

    def __str__(self):
        return f"{self.directorate} – {self.month:%m/%Y} – {self.recipient_email}"


class ReleaseRecord(models.Model):
    """What one audience received of a directorate's month: the values and the hidden cells.

    Issue 11: what was released before counts as published. A later release of the same month
    to the same audience (a quarter after its months, a correction after approval) keeps
    every value hidden here hidden (release.py). One row per distinct release (fingerprint):
    seeing the same figures again writes nothing.
    """

    audience = models.CharField(
        _("destinataire"),
        max_length=80,
        help_text=_("Par exemple « region:12 » (une DREETS) ou « national »."),
    )
    directorate = models.ForeignKey(
        Directorate,
        verbose_name=_("direction territoriale"),
        on_delete=models.PROTECT,
        related_name="release_records",
    )
    month = models.DateField(_("mois"))
    report_code = models.CharField(_("rapport"), max_length=40)
    fingerprint = models.CharField(_("empreinte des chiffres"), max_length=64)
    threshold = models.PositiveSmallIntegerField(_("seuil"))
    values = models.JSONField(_("valeurs publiées"))
    hidden = models.JSONField(_("cases masquées"))
    released_at = models.DateTimeField(_("publié le"), auto_now_add=True)

    class Meta:
        verbose_name = _("publication hors de la DT")
        verbose_name_plural = _("publications hors de la DT")
        ordering = ["-month", "directorate__name", "audience", "-released_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["audience", "directorate", "month", "report_code", "fingerprint"],
                name="indicators_release_unique_version",
            )
        ]
        indexes = [
            models.Index(
                fields=["audience", "report_code", "directorate", "month"],
                name="indicators_release_lookup",
            )
        ]

    def __str__(self):
        return f"{self.audience} – {self.directorate} – {self.month:%m/%Y}"
