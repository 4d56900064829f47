"""Partnerships of a DT: agreements, calls for expressions of interest, working groups, contacts.

Issue 19. Seeds 000 (Epide, France Travail, the SPIE and its FLE group), 001 (the DREETS Grand
Est AMI and the AMLI subsidy agreement) and 004 (CFP02). Every state change is a row of
PartnershipTransition; the database ties states to their dates and keeps reminders unique.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.indicators.catalogue import MONTHLY_REPORT
from parcours.indicators.models import ReportRecipient
from parcours.organisations.models import Organisation
from parcours.partnerships.states import (
    DECIDED_APPLICATION_STATES,
    SIGNED_STATES,
    ActionStatus,
    AgreementStatus,
    ApplicationStatus,
    ReportStatus,
)
from parcours.referrals.models import Scheme
from parcours.territories.models import Directorate

TEXT_LIMIT = 4000
AMOUNT = {"max_digits": 12, "decimal_places": 2}


def _sorted(values):
    return sorted(str(value) for value in values)


class Theme(models.TextChoices):
    # The six themes of issue 19, item 4.
    EMPLOYMENT = "employment", _("Emploi")
    HOUSING = "housing", _("Logement")
    HEALTH = "health", _("Santé")
    LANGUAGE = "language", _("Langue")
    TRAINING = "training", _("Formation")
    SOCIAL = "social", _("Social")


class AgreementKind(models.TextChoices):
    NATIONAL_FRAMEWORK = "national_framework", _("Accord-cadre national")
    LOCAL_DECLINATION = "local_declination", _("Déclinaison locale d'un accord national")
    SUBSIDY = "subsidy", _("Convention attributive de subvention")
    EXPERIMENT = "experiment", _("Expérimentation")
    PARTNERSHIP = "partnership", _("Partenariat sans financement")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Chaque mois")
    QUARTERLY = "quarterly", _("Chaque trimestre")


class Contact(models.Model):
    """A person to reach at a partner: role and professional details only (issue 19, item 5).

    Kept while confirmed: a contact not confirmed for the retention period is deleted by the
    "partner_contacts" retention category (privacy.py).
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("structure"),
        on_delete=models.CASCADE,
        related_name="partner_contacts",
    )
    full_name = models.CharField(_("nom et prénom"), max_length=150)
    job_title = models.CharField(_("fonction"), max_length=150)
    email = models.EmailField(_("adresse électronique professionnelle"), blank=True)
    phone = models.CharField(_("téléphone professionnel"), max_length=30, blank=True)
    confirmed_on = models.DateField(
        _("confirmé le"),
        default=timezone.localdate,
        help_text=_("Dernière date à laquelle ces coordonnées ont été vérifiées."),
    )
    created_at = models.DateTimeField(_("ajouté le"), default=timezone.now)

    class Meta:
        verbose_name = _("contact partenaire")
        verbose_name_plural = _("contacts partenaires")
        ordering = ["organisation__name", "full_name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone=""), name="partnerships_contact_reachable"
            )
        ]

    def __str__(self):
        return f"{self.full_name} ({self.job_title}, {self.organisation})"


class Call(models.Model):
    """A call for expressions of interest (AMI), such as the DREETS Grand Est's (seed 001)."""

    title = models.CharField(_("intitulé"), max_length=200)
    issuer = models.ForeignKey(
        Organisation,
        verbose_name=_("émetteur"),
        on_delete=models.PROTECT,
        related_name="issued_calls",
    )
    directorates = models.ManyToManyField(
        Directorate, verbose_name=_("DT concernées"), related_name="partnership_calls"
    )
    invited = models.ManyToManyField(
        Organisation,
        verbose_name=_("structures invitées"),
        related_name="invited_calls",
        blank=True,
    )
    published_on = models.DateField(_("publié le"))
    closes_on = models.DateField(_("date limite de dépôt"))
    budget = models.DecimalField(_("budget"), null=True, blank=True, **AMOUNT)
    criteria = models.TextField(_("critères de sélection"), max_length=TEXT_LIMIT)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("appel à manifestation d'intérêt")
        verbose_name_plural = _("appels à manifestation d'intérêt")
        ordering = ["-published_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("published_on")),
                name="partnerships_call_closes_after_publication",
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="partnerships_call_budget_positive",
            ),
        ]

    def __str__(self):
        return self.title


class Application(models.Model):
    """An invited operator's application to a call, for one DT, and the decision on it."""

    call = models.ForeignKey(
        Call, verbose_name=_("appel"), on_delete=models.CASCADE, related_name="applications"
    )
    applicant = models.ForeignKey(
        Organisation,
        verbose_name=_("candidat"),
        on_delete=models.PROTECT,
        related_name="call_applications",
    )
    directorate = models.ForeignKey(
        Directorate,
        verbose_name=_("pour la DT"),
        on_delete=models.PROTECT,
        related_name="call_applications",
    )
    submitted_on = models.DateField(_("déposée le"))
    project = models.TextField(_("projet"), max_length=TEXT_LIMIT, blank=True)
    status = models.CharField(
        _("état"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    score = models.PositiveSmallIntegerField(
        _("note (sur 100)"), null=True, blank=True, help_text=_("De 0 à 100.")
    )
    reasons = models.TextField(_("motifs de la décision"), max_length=TEXT_LIMIT, blank=True)
    decided_on = models.DateField(_("décidée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("candidature")
        verbose_name_plural = _("candidatures")
        ordering = ["call", "directorate__name", "-score", "applicant__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "applicant", "directorate"],
                name="partnerships_one_application_per_dt",
                violation_error_message=_("Cette structure a déjà candidaté pour cette DT."),
            ),
            # A decision carries its date and its reasons (issue 19: "with reasons and scores").
            models.CheckConstraint(
                condition=Q(status=ApplicationStatus.SUBMITTED, decided_on__isnull=True)
                | (
                    Q(status__in=_sorted(DECIDED_APPLICATION_STATES), decided_on__isnull=False)
                    & ~Q(reasons="")
                ),
                name="partnerships_decision_has_date_and_reasons",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100),
                name="partnerships_score_out_of_100",
            ),
            # One selected operator per call and DT (seed 001: "AMLI a été retenu").
            models.UniqueConstraint(
                fields=["call", "directorate"],
                condition=Q(status=ApplicationStatus.SELECTED),
                name="partnerships_one_selected_per_dt",
                violation_error_message=_("Une candidature est déjà retenue pour cette DT."),
            ),
        ]

    def __str__(self):
        return f"{self.applicant} – {self.call} ({self.directorate})"


class Agreement(models.Model):
    """An agreement between OFII DTs and partners: its parties, money, duties and state."""

    title = models.CharField(_("intitulé"), max_length=200)
    kind = models.CharField(_("nature"), max_length=30, choices=AgreementKind.choices)
    theme = models.CharField(_("thème"), max_length=20, choices=Theme.choices)
    purpose = models.TextField(_("objet"), max_length=TEXT_LIMIT)
    partners = models.ManyToManyField(
        Organisation, verbose_name=_("partenaires"), related_name="partner_agreements"
    )
    directorates = models.ManyToManyField(
        Directorate, verbose_name=_("DT concernées"), related_name="partner_agreements"
    )
    schemes = models.ManyToManyField(
        Scheme, verbose_name=_("dispositifs couverts"), related_name="agreements", blank=True
    )
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"), null=True, blank=True, help_text=_("Vide : sans terme."))
    signed_on = models.DateField(_("signée le"), null=True, blank=True)
    ceiling = models.DecimalField(_("montant maximal"), null=True, blank=True, **AMOUNT)
    status = models.CharField(
        _("état"), max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    application = models.OneToOneField(
        Application,
        verbose_name=_("candidature retenue"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreement",
    )
    renews = models.ForeignKey(
        "self",
        verbose_name=_("renouvelle"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    class Meta:
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="partnerships_agreement_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ceiling__isnull=True) | Q(ceiling__gte=0),
                name="partnerships_agreement_ceiling_positive",
            ),
            # Signed states carry the signature date; a draft has none.
            models.CheckConstraint(
                condition=Q(status=AgreementStatus.DRAFT, signed_on__isnull=True)
                | Q(status__in=_sorted(SIGNED_STATES), signed_on__isnull=False),
                name="partnerships_signed_has_date",
            ),
        ]

    def __str__(self):
        return self.title


class Payment(models.Model):
    """A payment made under an agreement; their sum never exceeds the ceiling (services)."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("convention"), on_delete=models.CASCADE, related_name="payments"
    )
    paid_on = models.DateField(_("versé le"))
    amount = models.DecimalField(_("montant"), **AMOUNT)
    label = models.CharField(_("libellé"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisi par"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("versement")
        verbose_name_plural = _("versements")
        ordering = ["paid_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="partnerships_payment_positive")
        ]

    def __str__(self):
        return f"{self.agreement} – {self.amount} €"


class Amendment(models.Model):
    """An amendment to an agreement (seed 001: missions may change with national orientations
    or interim reviews)."""

    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("convention"),
        on_delete=models.CASCADE,
        related_name="amendments",
    )
    signed_on = models.DateField(_("signé le"))
    summary = models.TextField(_("ce qui change"), max_length=TEXT_LIMIT)
    new_ends_on = models.DateField(_("nouvelle date de fin"), null=True, blank=True)
    new_ceiling = models.DecimalField(_("nouveau montant maximal"), null=True, blank=True, **AMOUNT)

    class Meta:
        verbose_name = _("avenant")
        verbose_name_plural = _("avenants")
        ordering = ["signed_on", "pk"]

    def __str__(self):
        return f"{self.agreement} – {self.signed_on}"


class ReportingDuty(models.Model):
    """What an agreement's partner reports, how often, to whom (seed 001: four indicators by
    sex and age band, "chaque fin de mois à chaque direction territoriale OFII et à la DREETS")."""

    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("convention"),
        on_delete=models.CASCADE,
        related_name="reporting_duties",
    )
    report_code = models.CharField(_("rapport"), max_length=40, default=MONTHLY_REPORT)
    frequency = models.CharField(
        _("fréquence"), max_length=20, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    due_days_after_period = models.PositiveSmallIntegerField(
        _("délai après la fin de la période (jours)"),
        default=0,
        help_text=_("0 : le dernier jour de la période (« chaque fin de mois »)."),
    )
    recipients = models.ManyToManyField(
        ReportRecipient,
        verbose_name=_("destinataires"),
        related_name="agreement_duties",
        blank=True,
        help_text=_(
            "Parmi les destinataires du rapport mensuel des DT : chacun reçoit les chiffres "
            "exacts (DT) ou protégés (DREETS) comme dans l'envoi mensuel."
        ),
    )

    class Meta:
        verbose_name = _("obligation de compte rendu")
        verbose_name_plural = _("obligations de compte rendu")
        ordering = ["agreement", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_days_after_period__lte=90),
                name="partnerships_duty_due_within_90_days",
            )
        ]

    def __str__(self):
        return f"{self.agreement} – {self.get_frequency_display()}"


class AgreementReport(models.Model):
    """One period's report of an agreement, as sent; a correction adds a version."""

    duty = models.ForeignKey(
        ReportingDuty,
        verbose_name=_("obligation"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    period_start = models.DateField(_("début de la période"))
    period_end = models.DateField(_("fin de la période"))
    status = models.CharField(_("état"), max_length=20, choices=ReportStatus.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    figures = models.JSONField(_("chiffres envoyés"), default=dict)
    approval_versions = models.JSONField(_("validations envoyées"), default=dict)
    sent_at = models.DateTimeField(_("envoyé le"))

    class Meta:
        verbose_name = _("rapport de convention")
        verbose_name_plural = _("rapports de convention")
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["duty", "period_start"], name="partnerships_one_report_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="partnerships_report_period_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.duty.agreement} – {self.period_start:%m/%Y} v{self.version}"


class ReportSending(models.Model):
    """One e-mail of one version of an agreement report: unique, so never sent twice."""

    report = models.ForeignKey(
        AgreementReport,
        verbose_name=_("rapport"),
        on_delete=models.CASCADE,
        related_name="sendings",
    )
    version = models.PositiveSmallIntegerField(_("version"))
    recipient_email = models.EmailField(_("destinataire"))
    audience = models.CharField(_("reçoit"), max_length=20)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)

    class Meta:
        verbose_name = _("envoi d'un rapport de convention")
        verbose_name_plural = _("envois des rapports de convention")
        ordering = ["report", "version", "recipient_email"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "version", "recipient_email"],
                name="partnerships_sending_once",
            )
        ]

    def __str__(self):
        return f"{self.report} – {self.recipient_email}"


class WorkingGroup(models.Model):
    """A thematic working group of a body (the SPIE's FLE group, chaired by the DT, seed 000)."""

    name = models.CharField(_("nom"), max_length=200)
    theme = models.CharField(_("thème"), max_length=20, choices=Theme.choices)
    body = models.CharField(
        _("instance"),
        max_length=200,
        blank=True,
        help_text=_("Par exemple : SPIE de la Collectivité européenne d'Alsace."),
    )
    chair = models.ForeignKey(
        Organisation,
        verbose_name=_("pilote"),
        on_delete=models.PROTECT,
        related_name="chaired_groups",
    )
    members = models.ManyToManyField(
        Organisation, verbose_name=_("structures membres"), related_name="working_groups"
    )
    directorates = models.ManyToManyField(
        Directorate, verbose_name=_("DT concernées"), related_name="working_groups"
    )
    purpose = models.TextField(_("objet"), max_length=TEXT_LIMIT, blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("groupe de travail")
        verbose_name_plural = _("groupes de travail")
        ordering = ["body", "name"]

    def __str__(self):
        return self.name


class GroupGoal(models.Model):
    """A goal a group follows, computed by Parcours when it holds the data (goals.py)."""

    group = models.ForeignKey(
        WorkingGroup, verbose_name=_("groupe"), on_delete=models.CASCADE, related_name="goals"
    )
    label = models.CharField(_("objectif"), max_length=200)
    indicator = models.CharField(
        _("indicateur suivi"),
        max_length=40,
        blank=True,
        help_text=_("Vide : Parcours ne détient pas les données de cet objectif."),
    )

    class Meta:
        verbose_name = _("objectif d'un groupe")
        verbose_name_plural = _("objectifs des groupes")
        ordering = ["group", "pk"]

    def __str__(self):
        return self.label


class Meeting(models.Model):
    """A meeting of a working group, or about an agreement (seed 000: the France Travail
    meetings with the DT director, her assistant and an integration auditor)."""

    group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("groupe"),
        on_delete=models.CASCADE,
        related_name="meetings",
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    agenda = models.TextField(_("ordre du jour"), max_length=TEXT_LIMIT)
    attendees = models.ManyToManyField(
        Contact, verbose_name=_("participants"), related_name="meetings", blank=True
    )

    class Meta:
        verbose_name = _("réunion")
        verbose_name_plural = _("réunions")
        ordering = ["-held_on", "pk"]

    def __str__(self):
        return f"{self.group} – {self.held_on}"


class Decision(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("réunion"), on_delete=models.CASCADE, related_name="decisions"
    )
    text = models.TextField(_("décision"), max_length=TEXT_LIMIT)

    class Meta:
        verbose_name = _("décision")
        verbose_name_plural = _("décisions")
        ordering = ["meeting", "pk"]

    def __str__(self):
        return self.text[:60]


class ActionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ActionStatus.OPEN)

    def overdue(self, today):
        return self.open().filter(due_on__lt=today)


class Action(models.Model):
    """Something a member organisation has to do for a group, by a date."""

    group = models.ForeignKey(
        WorkingGroup, verbose_name=_("groupe"), on_delete=models.CASCADE, related_name="actions"
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("décidée en réunion"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("structure responsable"),
        on_delete=models.PROTECT,
        related_name="group_actions",
    )
    due_on = models.DateField(_("échéance"))
    status = models.CharField(
        _("état"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_on = models.DateField(_("faite le"), null=True, blank=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="partnerships_action_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ActionStatus.OPEN, done_on__isnull=True)
                | Q(status=ActionStatus.DONE, done_on__isnull=False),
                name="partnerships_action_done_has_date",
            )
        ]

    def __str__(self):
        return self.title


class DocumentKind(models.TextChoices):
    AGREEMENT = "agreement", _("Convention signée")
    AMENDMENT = "amendment", _("Avenant")
    REVIEW = "review", _("Bilan")
    MINUTES = "minutes", _("Compte rendu de réunion")
    OTHER = "other", _("Autre")


class Document(models.Model):
    """A checked upload (privacy.uploads) attached to an agreement or a meeting.

    The content is stored in the database: application servers keep nothing between requests
    (docs/architecture.md, "Scale").
    """

    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("convention"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("réunion"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    kind = models.CharField(_("nature"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("titre"), max_length=200)
    filename = models.CharField(_("nom du fichier"), max_length=200)
    file_format = models.CharField(_("format"), max_length=10)
    content = models.BinaryField(_("contenu"))
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposé par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("déposé le"), default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(agreement__isnull=False, meeting__isnull=True)
                | Q(agreement__isnull=True, meeting__isnull=False),
                name="partnerships_document_has_one_owner",
            )
        ]

    def __str__(self):
        return self.title


class ReminderKind(models.TextChoices):
    AGREEMENT_END = "agreement_end", _("Fin de convention prochaine")
    REPORT_DEADLINE = "report_deadline", _("Échéance de compte rendu prochaine")
    OVERDUE_ACTION = "overdue_action", _("Action en retard")


class Reminder(models.Model):
    """A reminder owed once: the unique key (kind, subject, date) makes it a database fact."""

    kind = models.CharField(_("nature"), max_length=20, choices=ReminderKind.choices)
    subject_id = models.PositiveIntegerField(_("objet"))
    due_on = models.DateField(_("échéance rappelée"))
    recipients = models.JSONField(_("destinataires"), default=list)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("rappel")
        verbose_name_plural = _("rappels")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_id", "due_on"], name="partnerships_reminder_once"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject_id} {self.due_on}"


class PartnershipTransition(models.Model):
    """One state change of an agreement, application, action or report: who, when, why."""

    workflow = models.CharField(_("processus"), max_length=20)
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, null=True, blank=True, related_name="transitions"
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="transitions"
    )
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, null=True, blank=True, related_name="transitions"
    )
    report = models.ForeignKey(
        AgreementReport,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="transitions",
    )
    name = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("état de départ"), max_length=20, blank=True)
    to_status = models.CharField(_("nouvel état"), max_length=20)
    at = models.DateTimeField(_("le"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("par"), on_delete=models.PROTECT, related_name="+"
    )
    by_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("pour la structure"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    comment = models.TextField(_("commentaire"), max_length=TEXT_LIMIT, blank=True)

    class Meta:
        verbose_name = _("changement d'état (partenariats)")
        verbose_name_plural = _("changements d'état (partenariats)")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(workflow="agreement", agreement__isnull=False)
                    | Q(workflow="application", application__isnull=False)
                    | Q(workflow="action", action__isnull=False)
                    | Q(workflow="report", report__isnull=False)
                ),
                name="partnerships_transition_has_subject",
            )
        ]

    def __str__(self):
        return f"{self.workflow} {self.name} {self.at:%d/%m/%Y}"
