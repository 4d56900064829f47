"""Partner schemes, referrals with their transition log, notifications and information sessions.

The database enforces what it can (DESIGN.md, "Every state change is a row"; "Seats are
counted by the database"): check constraints tie each state to its dates, a partial unique
constraint gives a person at most one seat per scheme, and `seats_taken` never exceeds
`capacity`.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.organisations.models import Organisation
from parcours.organisations.roles import OFII_DT_ROLES, PARTNER_ROLES, Role
from parcours.people.models import LanguageLevel, Person
from parcours.people.validators import validate_phone
from parcours.referrals.eligibility import EligibilityStatus, RsaRule, SchemeRules
from parcours.referrals.states import (
    ACTIVE_SEAT_STATES,
    ANSWERED_STATES,
    CLOSED_STATES,
    ENTERED_STATES,
    EXITED_STATES,
    OPEN_STATES,
    TRANSITIONS,
    DropOutReason,
    Origin,
    ReferralStatus,
    RefusalReason,
)
from parcours.territories.models import Department, Directorate

# The longest free text of a scheme (description, public): a page of text, read by auditors.
TEXT_LIMIT = 2000


def _sorted(states) -> list[str]:
    # Sorted so that migrations are stable from one run to the next.
    return sorted(str(state) for state in states)


class SchemeKind(models.TextChoices):
    FT_REGISTRATION = "ft_registration", _("Inscription et accompagnement France Travail")
    YOUTH_SUPPORT = "youth_support", _("Accompagnement des jeunes (Mission locale)")
    EPIDE = "epide", _("Epide (internat d'insertion 17–25 ans)")
    AGIR = "agir", _("Programme AGIR (réfugiés)")
    MICROCREDIT = "microcredit", _("Microcrédit et création d'entreprise")
    SOCIAL_INTEGRATION = "social_integration", _("Insertion sociale")
    VOCATIONAL_TRAINING = "vocational_training", _("Formation professionnelle")
    VAE_ADVICE = "vae_advice", _("Conseil en validation des acquis (VAE)")
    EMPLOYMENT_SUPPORT = "employment_support", _("Accompagnement vers l'emploi")
    LANGUAGE_COURSE = "language_course", _("Formation linguistique")
    # Issue 20: an employer's open position (parcours.employment.Position owns the scheme).
    JOB_POSITION = "job_position", _("Poste chez un employeur")
    OTHER = "other", _("Autre")


class SchemeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, organisation__is_active=True)

    def serving(self, departments):
        """Schemes serving at least one of `departments` (a queryset or ids of Department)."""
        through = Scheme.departments.through
        return self.filter(
            Exists(through.objects.filter(scheme_id=OuterRef("pk"), department__in=departments))
        )

    def for_person(self, person):
        """The schemes of a person's perimeter: active, serving a département of their DT."""
        return self.active().serving(
            Department.objects.filter(directorate_id=person.directorate_id)
        )

    def in_perimeter_of(self, membership):
        """The schemes a membership may look up in the directory."""
        if membership is None:
            return self.none()
        organisation = membership.organisation
        if membership.role in OFII_DT_ROLES and organisation.directorate_id:
            return self.serving(
                Department.objects.filter(directorate_id=organisation.directorate_id)
            )
        if membership.role in PARTNER_ROLES:
            return self.filter(
                Q(organisation_id=organisation.pk)
                | Q(pk__in=self.serving(organisation.departments.all()).values("pk"))
            )
        if membership.role == Role.NATIONAL_ADMIN:
            return self
        return self.none()

    def manageable_by(self, membership):
        """A partner admin keeps its own schemes; DT managers the schemes whose départements all
        lie in their perimeter (issue 10, door 4: a scheme shared with another DT is no single
        DT's to change, since its referred people belong to both)."""
        if membership is None:
            return self.none()
        organisation = membership.organisation
        if membership.role in (Role.DT_DIRECTOR, Role.DT_ADMIN) and organisation.directorate_id:
            through = Scheme.departments.through
            elsewhere = through.objects.filter(scheme_id=OuterRef("pk")).exclude(
                department__directorate_id=organisation.directorate_id
            )
            return self.serving(
                Department.objects.filter(directorate_id=organisation.directorate_id)
            ).exclude(Exists(elsewhere))
        if membership.role == Role.PARTNER_ADMIN:
            return self.filter(organisation_id=organisation.pk)
        return self.none()


class Scheme(models.Model):
    """A partner's scheme (dispositif): who it is for, where, how many seats, how to enter."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("structure"),
        on_delete=models.PROTECT,
        related_name="schemes",
    )
    name = models.CharField(_("nom du dispositif"), max_length=200)
    kind = models.CharField(_("type"), max_length=30, choices=SchemeKind.choices)
    # Limits checked by every form built on the model (issue 14); the database keeps TEXT.
    description = models.TextField(_("description"), max_length=TEXT_LIMIT)
    departments = models.ManyToManyField(
        Department,
        verbose_name=_("départements desservis"),
        related_name="schemes",
    )
    target_public = models.TextField(
        _("public visé"),
        max_length=TEXT_LIMIT,
        blank=True,
        help_text=_("En quelques mots, pour l'auditeur."),
    )
    contact_name = models.CharField(_("contact"), max_length=150, blank=True)
    contact_email = models.EmailField(
        _("adresse électronique du contact"),
        blank=True,
        help_text=_("Reçoit les nouvelles orientations et les relances."),
    )
    contact_phone = models.CharField(
        _("téléphone du contact"), max_length=30, blank=True, validators=[validate_phone]
    )
    capacity = models.PositiveIntegerField(
        _("nombre de places"),
        null=True,
        blank=True,
        help_text=_("Laisser vide si le nombre de places n'est pas limité."),
    )
    # Maintained only by conditional UPDATEs in services.seats, never from a form.
    seats_taken = models.PositiveIntegerField(_("places occupées"), default=0, editable=False)
    continuous_entry = models.BooleanField(
        _("entrées permanentes"),
        default=True,
        help_text=_("Décochez si les entrées se font seulement aux dates de session indiquées."),
    )
    expiry_days = models.PositiveSmallIntegerField(
        _("délai de réponse (jours)"),
        default=30,
        help_text=_("Sans réponse passé ce délai, l'orientation expire."),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("relance (jours avant l'expiration)"),
        default=7,
        help_text=_(
            "Le partenaire reçoit une relance ce nombre de jours avant l'expiration ; "
            "0 : pas de relance."
        ),
    )
    # Eligibility rules (see eligibility.py); an empty value means "no condition".
    min_age = models.PositiveSmallIntegerField(_("âge minimum"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(
        _("âge maximum"),
        null=True,
        blank=True,
        help_text=_("Inclus : 25 admet une personne de 25 ans, pas une personne de 26 ans."),
    )
    allowed_residence_statuses = models.JSONField(
        _("catégories de séjour admises"),
        default=list,
        blank=True,
        help_text=_("Aucune case cochée : toutes les catégories."),
    )
    min_level = models.CharField(
        _("niveau de français minimum"), max_length=10, choices=LanguageLevel.choices, blank=True
    )
    max_level = models.CharField(
        _("niveau de français maximum"), max_length=10, choices=LanguageLevel.choices, blank=True
    )
    level_waiver_allowed = models.BooleanField(
        _("dérogation possible au niveau minimum"),
        default=False,
        help_text=_("La personne qui oriente devra justifier la dérogation."),
    )
    rsa_rule = models.CharField(
        _("RSA"), max_length=10, choices=RsaRule.choices, default=RsaRule.ANY
    )
    allowed_employment_statuses = models.JSONField(
        _("situations professionnelles admises"),
        default=list,
        blank=True,
        help_text=_("Aucune case cochée : toutes les situations."),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispositif")
        verbose_name_plural = _("dispositifs")
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="scheme_unique_name_per_organisation"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(seats_taken__lte=F("capacity")),
                name="scheme_seats_within_capacity",
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(min_age__lte=F("max_age")),
                name="scheme_age_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(expiry_days__gte=1) & Q(reminder_days__lt=F("expiry_days")),
                name="scheme_reminder_before_expiry",
            ),
        ]

    def __str__(self):
        return f"{self.name} – {self.organisation.name}"

    @property
    def rules(self) -> SchemeRules:
        return SchemeRules.from_scheme(self)

    @property
    def uses_residence_status(self) -> bool:
        """Whether partners of this scheme need the person's residence status (need-to-know)."""
        return bool(self.allowed_residence_statuses)

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.seats_taken, 0)

    def next_entry_date(self, after: datetime.date) -> datetime.date | None:
        """The first entry date on or after `after` (uses prefetched entry_dates)."""
        upcoming = [e.starts_on for e in self.entry_dates.all() if e.starts_on >= after]
        return min(upcoming, default=None)

    def planned_entry_date(self, today: datetime.date) -> datetime.date:
        """The date eligibility is judged at: the next session, or today for open entry."""
        if self.continuous_entry:
            return today
        return self.next_entry_date(today) or today


class SchemeEntryDate(models.Model):
    """A cohort or entry date of a scheme."""

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("dispositif"), on_delete=models.CASCADE, related_name="entry_dates"
    )
    starts_on = models.DateField(_("date d'entrée"))
    label = models.CharField(_("intitulé"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("date d'entrée")
        verbose_name_plural = _("dates d'entrée")
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "starts_on"], name="scheme_entry_date_unique")
        ]

    def __str__(self):
        return self.label or str(self.starts_on)


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, membership):
        """Need-to-know: DT staff see the referrals of their perimeter's persons; partner staff
        see the referrals sent to their organisation and those their organisation made."""
        if membership is None:
            return self.none()
        organisation = membership.organisation
        if membership.role in OFII_DT_ROLES and organisation.directorate_id:
            return self.filter(person__directorate_id=organisation.directorate_id)
        if membership.role in PARTNER_ROLES:
            return self.filter(
                (Q(scheme__organisation_id=organisation.pk) & ~Q(status=ReferralStatus.DRAFT))
                | Q(referrer_organisation_id=organisation.pk)
            )
        return self.none()

    def received_by(self, organisation):
        """Referrals sent to the organisation's schemes (never its partners' drafts)."""
        return self.filter(scheme__organisation_id=organisation.pk).exclude(
            status=ReferralStatus.DRAFT
        )

    def holding_seat(self):
        return self.filter(status__in=_sorted(ACTIVE_SEAT_STATES))

    def open(self):
        return self.filter(status__in=_sorted(OPEN_STATES))

    def awaiting_answer(self):
        return self.filter(status=ReferralStatus.SENT)

    def waiting_list(self, scheme_id):
        """The waiting list of a scheme, in the order the partner's acceptances were recorded."""
        return self.filter(scheme_id=scheme_id, status=ReferralStatus.WAITLISTED).order_by(
            "answered_at", "pk"
        )

    def due_for_expiry(self, now: datetime.datetime):
        """Sent referrals left unanswered for their scheme's `expiry_days` (DORA: expiry
        after 30 days by default)."""
        days = Scheme.objects.values_list("expiry_days", flat=True).distinct()
        condition = Q(pk__in=[])
        for value in days:
            condition |= Q(
                scheme__expiry_days=value, sent_at__lte=now - datetime.timedelta(days=value)
            )
        return self.awaiting_answer().filter(condition)

    def due_for_reminder(self, now: datetime.datetime):
        """Sent, unanswered referrals within `reminder_days` of their expiry, not yet reminded."""
        pairs = (
            Scheme.objects.filter(reminder_days__gt=0)
            .values_list("expiry_days", "reminder_days")
            .distinct()
        )
        condition = Q(pk__in=[])
        for expiry, reminder in pairs:
            condition |= Q(
                scheme__expiry_days=expiry,
                scheme__reminder_days=reminder,
                sent_at__lte=now - datetime.timedelta(days=expiry - reminder),
            )
        already = Notification.objects.filter(referral_id=OuterRef("pk"), event="reminder")
        return self.awaiting_answer().filter(condition).exclude(Exists(already))


class Referral(models.Model):
    """The orientation of a person to a partner scheme, from draft to exit."""

    person = models.ForeignKey(
        Person, verbose_name=_("personne"), on_delete=models.PROTECT, related_name="referrals"
    )
    # Issue 13 (ADR 0013): the DT that followed the person when the referral was made, copied
    # so that the pathway figures keep it in that DT after the person moves.
    directorate = models.ForeignKey(
        Directorate,
        verbose_name=_("direction territoriale"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,  # led by the (directorate, sent_at) index
    )
    scheme = models.ForeignKey(
        Scheme, verbose_name=_("dispositif"), on_delete=models.PROTECT, related_name="referrals"
    )
    status = models.CharField(
        _("état"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT
    )
    origin = models.CharField(_("origine"), max_length=30, choices=Origin.choices)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("orientée par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    referrer_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("structure qui oriente"),
        on_delete=models.PROTECT,
        related_name="referrals_made",
    )
    information_session = models.ForeignKey(
        "InformationSession",
        verbose_name=_("séance d'information"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    transferred_from = models.OneToOneField(
        "self",
        verbose_name=_("transférée depuis"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transferred_to",
    )
    planned_entry_date = models.DateField(_("entrée prévue le"), null=True, blank=True)
    note = models.TextField(
        _("message au partenaire"),
        blank=True,
        help_text=_(
            "Ce qui aide le partenaire à recevoir la personne. N'écrivez ici ni santé, ni "
            "religion, ni détail familial."
        ),
    )
    # What the rules said when the referral was sent: a past decision stays explainable.
    eligibility_status = models.CharField(
        _("éligibilité à l'envoi"), max_length=30, choices=EligibilityStatus.choices, blank=True
    )
    eligibility_reasons = models.JSONField(_("motifs d'éligibilité"), default=list, blank=True)
    # The rule and outcome behind each reason ([rule, outcome] pairs, same order): a partner
    # reads the reasons phrased from its projection (referrals.projection, issue 10).
    eligibility_checks = models.JSONField(_("conditions d'éligibilité"), default=list, blank=True)
    waiver_justification = models.TextField(_("justification de la dérogation"), blank=True)
    consent_given_at = models.DateTimeField(
        _("accord de la personne recueilli le"), null=True, blank=True
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accord recueilli par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    answered_at = models.DateTimeField(_("réponse le"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("place attribuée le"), null=True, blank=True)
    refusal_reason = models.CharField(
        _("motif du refus"), max_length=20, choices=RefusalReason.choices, blank=True
    )
    answer_comment = models.TextField(_("commentaire du partenaire"), blank=True)
    entered_on = models.DateField(_("entrée le"), null=True, blank=True)
    exited_on = models.DateField(_("sortie le"), null=True, blank=True)
    drop_out_reason = models.CharField(
        _("motif de sortie anticipée"), max_length=20, choices=DropOutReason.choices, blank=True
    )
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("orientation")
        verbose_name_plural = _("orientations")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["scheme", "status"], name="referral_scheme_status_idx"),
            # The DTs of a partner's inbox, probed per DT (www/referrals/lists.py, issue 12).
            models.Index(fields=["scheme", "directorate"], name="referral_scheme_dt_idx"),
            models.Index(fields=["status", "sent_at"], name="referral_status_sent_idx"),
            models.Index(fields=["referrer_organisation", "status"], name="referral_referrer_idx"),
            models.Index(fields=["directorate", "sent_at"], name="referral_dt_sent_idx"),
            # A DT's sent list: one tab's rows, newest first (issue 12).
            models.Index(
                fields=["directorate", "status", "created_at"], name="referral_dt_status_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "scheme"],
                condition=Q(status__in=_sorted(ACTIVE_SEAT_STATES)),
                name="referral_one_seat_per_person_scheme",
            ),
            models.UniqueConstraint(
                fields=["person", "scheme"],
                condition=Q(status__in=_sorted(OPEN_STATES)),
                name="referral_one_open_per_person_scheme",
            ),
            models.CheckConstraint(
                condition=Q(status=ReferralStatus.DRAFT) | Q(consent_given_at__isnull=False),
                name="referral_sent_with_consent",
            ),
            models.CheckConstraint(
                condition=(Q(status=ReferralStatus.DRAFT) & Q(sent_at__isnull=True))
                | (~Q(status=ReferralStatus.DRAFT) & Q(sent_at__isnull=False)),
                name="referral_sent_at_matches_status",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=_sorted(ANSWERED_STATES)) | Q(answered_at__isnull=False),
                name="referral_answer_has_date",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status__in=_sorted(ACTIVE_SEAT_STATES | EXITED_STATES))
                    & Q(accepted_at__isnull=False)
                )
                | (
                    Q(status__in=[ReferralStatus.SENT, ReferralStatus.WAITLISTED])
                    & Q(accepted_at__isnull=True)
                )
                | ~Q(
                    status__in=_sorted(
                        ACTIVE_SEAT_STATES
                        | EXITED_STATES
                        | {ReferralStatus.SENT, ReferralStatus.WAITLISTED}
                    )
                ),
                name="referral_seat_has_acceptance_date",
            ),
            models.CheckConstraint(
                condition=(Q(status=ReferralStatus.REFUSED) & ~Q(refusal_reason=""))
                | (~Q(status=ReferralStatus.REFUSED) & Q(refusal_reason="")),
                name="referral_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=_sorted(ENTERED_STATES)) | Q(entered_on__isnull=False),
                name="referral_entry_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=_sorted(EXITED_STATES))
                | (Q(exited_on__isnull=False) & Q(exited_on__gte=F("entered_on"))),
                name="referral_exit_after_entry",
            ),
            models.CheckConstraint(
                condition=(Q(status=ReferralStatus.DROPPED_OUT) & ~Q(drop_out_reason=""))
                | (~Q(status=ReferralStatus.DROPPED_OUT) & Q(drop_out_reason="")),
                name="referral_drop_out_has_reason",
            ),
            models.CheckConstraint(
                condition=(Q(status__in=_sorted(CLOSED_STATES)) & Q(closed_at__isnull=False))
                | (~Q(status__in=_sorted(CLOSED_STATES)) & Q(closed_at__isnull=True)),
                name="referral_closed_at_matches_status",
            ),
            models.CheckConstraint(
                condition=~Q(eligibility_status=EligibilityStatus.ELIGIBLE_WITH_WAIVER)
                | Q(status=ReferralStatus.DRAFT)
                | ~Q(waiver_justification=""),
                name="referral_waiver_is_justified",
            ),
        ]

    def __str__(self):
        return f"{self.person} → {self.scheme.name}"

    def save(self, *args, **kwargs):
        if self._state.adding and self.directorate_id is None:
            self.directorate_id = self.person.directorate_id
        super().save(*args, **kwargs)

    @property
    def reference(self) -> str:
        return f"OR-{self.pk:06d}"

    @property
    def holds_seat(self) -> bool:
        return self.status in ACTIVE_SEAT_STATES

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def deadline(self) -> datetime.datetime | None:
        """When an unanswered referral expires."""
        if self.sent_at is None or self.status != ReferralStatus.SENT:
            return None
        return self.sent_at + datetime.timedelta(days=self.scheme.expiry_days)

    def can(self, transition_name: str) -> bool:
        return self.status in TRANSITIONS[transition_name].sources


class ReferralTransition(models.Model):
    """One state change of a referral: who, when, from, to, why. Never edited."""

    referral = models.ForeignKey(
        Referral,
        verbose_name=_("orientation"),
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    name = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(
        _("état de départ"), max_length=20, choices=ReferralStatus.choices, blank=True
    )
    to_status = models.CharField(_("nouvel état"), max_length=20, choices=ReferralStatus.choices)
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
    reason = models.CharField(_("motif"), max_length=30, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)
    # Issue 12 (ADR 0022): the referral's person, copied so that the contact losses find the
    # people with a recent referral change from one index, without a lookup per change. A
    # merge repoints it with every other link to the person (people.services.merge_persons).
    person = models.ForeignKey(
        Person,
        verbose_name=_("personne"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,  # led by the (at, person) index
    )

    class Meta:
        verbose_name = _("changement d'état d'une orientation")
        verbose_name_plural = _("changements d'état des orientations")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["referral", "at"], name="referral_transition_idx"),
            models.Index(fields=["at", "person"], name="referral_transition_at_person"),
        ]

    def __str__(self):
        return f"{self.referral_id}: {self.from_status or '∅'} → {self.to_status}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.fill_facts()
        super().save(*args, **kwargs)

    def fill_facts(self) -> None:
        """Set the copy from the referral; bulk inserts call it since they skip save()."""
        self.person_id = self.referral.person_id

    @property
    def label(self) -> str:
        transition = TRANSITIONS.get(self.name)
        return str(transition.label) if transition else self.name

    @property
    def reason_label(self) -> str:
        for choices in (RefusalReason, DropOutReason):
            if self.reason in choices.values:
                return str(choices(self.reason).label)
        return self.reason


class NotificationEvent(models.TextChoices):
    NEW_REFERRAL = "new_referral", _("Nouvelle orientation (au partenaire)")
    REMINDER = "reminder", _("Relance avant expiration (au partenaire)")
    ACCEPTED = "answer_accepted", _("Acceptation (à l'orienteur)")
    WAITLISTED = "answer_waitlisted", _("Liste d'attente (à l'orienteur)")
    REFUSED = "answer_refused", _("Refus (à l'orienteur)")
    PROMOTED = "promoted", _("Place libérée (à l'orienteur)")
    EXPIRED = "expired", _("Expiration (à l'orienteur)")


class Notification(models.Model):
    """An e-mail owed for one event of one referral: unique, so never sent twice."""

    referral = models.ForeignKey(
        Referral,
        verbose_name=_("orientation"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    event = models.CharField(_("évènement"), max_length=20, choices=NotificationEvent.choices)
    recipients = models.JSONField(_("destinataires"), default=list)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "event"], name="notification_once_per_event"
            )
        ]

    def __str__(self):
        return f"{self.referral_id} {self.event}"


class InformationSession(models.Model):
    """A partner's presentation of its schemes at a language training centre (CFP02, seed 004)."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("structure qui présente"),
        on_delete=models.PROTECT,
        related_name="information_sessions",
    )
    venue = models.ForeignKey(
        Organisation,
        verbose_name=_("centre de formation linguistique"),
        on_delete=models.PROTECT,
        related_name="hosted_information_sessions",
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("heure de début"))
    schemes = models.ManyToManyField(
        Scheme, verbose_name=_("dispositifs présentés"), related_name="information_sessions"
    )
    courses_ending_from = models.DateField(
        _("fins de formation à partir du"),
        help_text=_(
            "Les signataires dont la formation linguistique se termine dans cette "
            "période sont proposés comme participants."
        ),
    )
    courses_ending_until = models.DateField(_("fins de formation jusqu'au"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("séance d'information")
        verbose_name_plural = _("séances d'information")
        ordering = ["-date", "-start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(courses_ending_from__lte=F("courses_ending_until")),
                name="information_session_window_ordered",
            )
        ]

    def __str__(self):
        return f"{self.venue.name} – {self.date}"


class InformationSessionAttendee(models.Model):
    """A signatory at an information session: volunteer or not, interviewed, referred."""

    session = models.ForeignKey(
        InformationSession,
        verbose_name=_("séance"),
        on_delete=models.CASCADE,
        related_name="attendees",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("personne"), on_delete=models.PROTECT, related_name="+"
    )
    volunteered = models.BooleanField(_("volontaire"), default=False)
    interviewed_on = models.DateField(_("entretien individuel le"), null=True, blank=True)
    interviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entretien mené par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    referral = models.OneToOneField(
        Referral,
        verbose_name=_("orientation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attendance",
    )

    class Meta:
        verbose_name = _("participant à une séance d'information")
        verbose_name_plural = _("participants aux séances d'information")
        ordering = ["person__last_name", "person__first_names", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="attendee_unique"),
            models.CheckConstraint(
                condition=Q(interviewed_on__isnull=True) | Q(volunteered=True),
                name="attendee_interview_needs_volunteer",
            ),
            models.CheckConstraint(
                condition=Q(referral__isnull=True) | Q(interviewed_on__isnull=False),
                name="attendee_referral_after_interview",
            ),
        ]

    def __str__(self):
        return f"{self.person} @ {self.session}"


class SchemeStatusCount(models.Model):
    """How many referrals of a scheme made in a DT are in a status, kept by the database
    (issue 12).

    The partner inbox's tabs counted every referral the partner ever received on each request
    (84,210 for one partner at a million persons: a 70 ms scan), and a DT's sent list every
    referral the DT made (about 90,000: 0.5 s of counts). Row triggers on the referrals table
    (migrations 0008, 0009) keep these numbers on every insert, change of status, scheme or DT
    and delete, whatever writes them: the services, `bulk_create` of the dataset and the bench,
    cascades of an erasure. Never written by the application. The DT is the referral's own
    (`Referral.directorate`, the DT that made it), kept when the person moves.
    """

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("dispositif"), on_delete=models.CASCADE, related_name="+"
    )
    directorate = models.ForeignKey(
        Directorate,
        verbose_name=_("direction territoriale"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    status = models.CharField(_("état"), max_length=20, choices=ReferralStatus.choices)
    number = models.BigIntegerField(_("nombre"), default=0)

    class Meta:
        verbose_name = _("nombre d'orientations par statut")
        verbose_name_plural = _("nombres d'orientations par statut")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "directorate", "status"], name="scheme_dt_status_count_once"
            )
        ]
        indexes = [
            # The DT's sent list reads its counts by DT (the unique index leads by scheme).
            models.Index(fields=["directorate", "status"], name="scheme_count_dt_idx")
        ]

    def __str__(self):
        return f"{self.scheme_id} {self.directorate_id} {self.status}: {self.number}"
