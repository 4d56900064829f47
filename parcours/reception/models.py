"""The reception day (PFA): sessions, staff, convocations and the steps recorded for each person.

Every event that figures will count (attendance, CIR signature, CIP interview) stores
`age_at_event`: the person's age in whole years on the event's date, computed by the services
from `Person.birth_date` (see `rules.age_on`), recomputed when a birth date is corrected
through `people.services` (open months only, `facts.follow_person`), and kept when the
retention task later truncates birth dates, so that indicators by age band stay right.

Convocations and CIP interviews also carry a copy of their session's directorate and date and
of the person's sex (`EventFacts`): the monthly figures then read one table instead of joining
sessions and a million persons (ADR 0007, docs/benchmarks.md). The copies are set when the row
is created, follow a session's date change (`services.update_session`) and a sex correction
(`facts.follow_person`); `facts.stale_copies` finds any row that disagrees with its source.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from parcours.organisations.models import Organisation
from parcours.organisations.roles import OFII_DT_ROLES
from parcours.people.models import Accommodation, EmploymentStatus, LanguageLevel, Person, Sex
from parcours.people.validators import validate_ft_identifier
from parcours.reception.rules import OUT_OF_SCOPE_SITUATIONS

# The attendance workflow is declared in states.py (issue 13); re-exported for the callers.
from parcours.reception.states import (  # noqa: F401
    ATTENDANCE_TRANSITIONS,
    KEPT_STATUSES,
    MISSED_STATUSES,
    OBSERVED_STATUSES,
    SEAT_FREED_STATUSES,
    TO_RECONVOKE_STATUSES,
    TRANSITIONS,
    AttendanceStatus,
)
from parcours.territories.models import Directorate

# Seed 001: 12 persons convoked per session; Paris convokes about 40 per half-day (DOMAIN.md).
DEFAULT_CAPACITY = 12
MAX_CAPACITY = 60
# Five lines of a postal address (AFNOR NF Z10-011 allows 6 lines of 38 characters).
ADDRESS_MAX_LENGTH = 300
# Seed 001: the CIP's collective presentation lasts 15 minutes at most.
MAX_PRESENTATION_MINUTES = 15
DEFAULT_FT_REGISTRATION_DELAY_DAYS = 30


class HalfDay(models.TextChoices):
    MORNING = "morning", _("Matin")
    AFTERNOON = "afternoon", _("Après-midi")


DEFAULT_START_TIMES = {
    HalfDay.MORNING: datetime.time(8, 30),
    HalfDay.AFTERNOON: datetime.time(13, 30),
}


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planifiée")
    # Issue 18: cancelled before attendance is taken (services.cancel_session); final.
    CANCELLED = "cancelled", _("Annulée")


CANCELLATION_REASON_MAX_LENGTH = 200


class ReceptionSessionQuerySet(models.QuerySet):
    def visible_to(self, membership):
        """Sessions the membership may open: its directorate's, or those it is staff of."""
        if membership is None:
            return self.none()
        organisation = membership.organisation
        if membership.role in OFII_DT_ROLES and organisation.directorate_id:
            return self.filter(directorate_id=organisation.directorate_id)
        # A partner's counsellor (the CIP of the Metz experiment) sees the sessions they staff.
        staffed = SessionStaff.objects.filter(session=OuterRef("pk"), user_id=membership.user_id)
        return self.filter(Exists(staffed))

    def planned(self):
        """Sessions not cancelled: the only ones to convoke into or count seats of."""
        return self.filter(status=SessionStatus.PLANNED)

    def in_range(self, first: datetime.date, last: datetime.date):
        return self.filter(date__gte=first, date__lte=last)

    def with_counts(self):
        return self.annotate(
            seats_taken=Count(
                "convocations", filter=~Q(convocations__status__in=sorted(SEAT_FREED_STATUSES))
            ),
            present_count=Count(
                "convocations", filter=Q(convocations__status=AttendanceStatus.PRESENT)
            ),
        )


class ReceptionSession(models.Model):
    """A reception half-day (PFA) at a directorate: collective presentation, tests, interviews."""

    directorate = models.ForeignKey(
        Directorate,
        verbose_name=_("direction territoriale"),
        on_delete=models.PROTECT,
        related_name="reception_sessions",
    )
    date = models.DateField(_("date"))
    half_day = models.CharField(_("demi-journée"), max_length=10, choices=HalfDay.choices)
    start_time = models.TimeField(_("heure de convocation"))
    place = models.CharField(
        _("salle"), max_length=120, help_text=_("Par exemple : salle Lafayette, 2e étage.")
    )
    # Printed on the letters: a 100,000-character address took 13 s to lay out (issue 14).
    address = models.TextField(
        _("adresse"),
        max_length=ADDRESS_MAX_LENGTH,
        help_text=_("Imprimée sur les convocations, telle que la lira la personne."),
    )
    capacity = models.PositiveSmallIntegerField(
        _("nombre de places"),
        default=DEFAULT_CAPACITY,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)],
        help_text=_("12 personnes convoquées par session, d'habitude."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    status = models.CharField(
        _("état"),
        max_length=10,
        choices=SessionStatus.choices,
        default=SessionStatus.PLANNED,
        editable=False,  # written by services.cancel_session only
    )
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True, editable=False)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("annulée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    cancellation_reason = models.CharField(
        _("motif de l'annulation"),
        max_length=CANCELLATION_REASON_MAX_LENGTH,
        blank=True,
        editable=False,
    )

    objects = ReceptionSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session d'accueil (PFA)")
        verbose_name_plural = _("sessions d'accueil (PFA)")
        ordering = ["date", "start_time", "place", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["directorate", "date", "half_day", "place"],
                name="reception_session_unique_slot",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(capacity__lte=MAX_CAPACITY),
                name="reception_session_capacity_range",
            ),
            # A cancelled session says when and why; a planned one carries no cancellation.
            models.CheckConstraint(
                condition=(
                    Q(status=SessionStatus.PLANNED, cancelled_at__isnull=True)
                    & Q(cancellation_reason="")
                )
                | (
                    Q(status=SessionStatus.CANCELLED, cancelled_at__isnull=False)
                    & ~Q(cancellation_reason="")
                ),
                name="reception_session_cancelled_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["directorate", "date"], name="reception_session_dt_date")]

    def __str__(self):
        return _("PFA du %(date)s (%(half_day)s) – %(place)s") % {
            "date": self.date.strftime("%d/%m/%Y"),
            "half_day": self.get_half_day_display().lower(),
            "place": self.place,
        }

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED


class StaffRole(models.TextChoices):
    RECEPTION = "reception", _("Accueil")
    INTEGRATION_AUDITOR = "integration_auditor", _("Auditeur intégration")
    ASYLUM_AUDITOR = "asylum_auditor", _("Auditeur asile")
    PROVIDER = "provider", _("Prestataire du positionnement linguistique")
    CIP = "cip", _("Conseiller en insertion professionnelle (CIP)")


class SessionStaff(models.Model):
    """A person working at a session, in one staff role."""

    session = models.ForeignKey(
        ReceptionSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="staff"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        related_name="reception_assignments",
    )
    role = models.CharField(_("rôle"), max_length=30, choices=StaffRole.choices)

    class Meta:
        verbose_name = _("équipe de la session")
        verbose_name_plural = _("équipes des sessions")
        ordering = ["role", "user__last_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user", "role"], name="reception_staff_unique_role"
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}"


class EventFacts(models.Model):
    """Copies, on an event of a session, of what the figures group it by (ADR 0007)."""

    directorate = models.ForeignKey(
        Directorate,
        verbose_name=_("direction territoriale"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,  # led by the (directorate, session_date) index of each table
    )
    session_date = models.DateField(_("date de la session"), editable=False)
    sex = models.CharField(
        _("sexe"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN, editable=False
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.fill_facts()
        super().save(*args, **kwargs)

    def fill_facts(self) -> None:
        """Set the copies from their source; bulk inserts call it since they skip save()."""
        raise NotImplementedError


class ConvocationQuerySet(models.QuerySet):
    def holding_a_seat(self):
        return self.exclude(status__in=sorted(SEAT_FREED_STATUSES))

    def for_directorate(self, directorate_id):
        # The session's directorate, as copied on the convocation (ADR 0007): no join.
        return self.filter(directorate_id=directorate_id)

    def to_reconvoke(self):
        """Absent, excused or session cancelled, and not convoked since to a session still to
        come or attended.

        Reads the copies of the session's date (ADR 0007), so that both sides are served by
        the partial indexes below, without joining the sessions (issue 12).
        """
        later = Convocation.objects.filter(
            person_id=OuterRef("person_id"),
            session_date__gte=OuterRef("session_date"),
            status__in=sorted(KEPT_STATUSES),
        ).exclude(pk=OuterRef("pk"))
        return self.filter(status__in=sorted(TO_RECONVOKE_STATUSES)).exclude(Exists(later))


class Convocation(EventFacts):
    """A person convoked to a session, with their attendance."""

    session = models.ForeignKey(
        ReceptionSession,
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        related_name="convocations",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("personne"), on_delete=models.PROTECT, related_name="convocations"
    )
    status = models.CharField(
        _("présence"),
        max_length=20,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.PENDING,
    )
    rescheduled_to = models.ForeignKey(
        ReceptionSession,
        verbose_name=_("reportée à"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rescheduled_from",
    )
    letter_language = models.CharField(
        _("langue de la lettre"),
        max_length=8,
        blank=True,
        help_text=_("Langue imprimée à côté du français sur la convocation."),
    )
    age_at_event = models.PositiveSmallIntegerField(
        _("âge à la date de la session"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("convoquée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = ConvocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("convocation")
        verbose_name_plural = _("convocations")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"], name="reception_convocation_unique_person"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=AttendanceStatus.RESCHEDULED, rescheduled_to__isnull=False)
                    | (~Q(status=AttendanceStatus.RESCHEDULED) & Q(rescheduled_to__isnull=True))
                ),
                name="reception_convocation_rescheduled_has_target",
            ),
        ]
        indexes = [
            models.Index(fields=["status"], name="reception_convocation_status"),
            models.Index(
                fields=["directorate", "session_date"], name="reception_convocation_dt_day"
            ),
            # The worklist of people to re-convoke (issue 12): a DT's missed convocations in
            # date order, and for each, whether a later one is kept.
            models.Index(
                fields=["directorate", "session_date", "id"],
                condition=Q(status__in=sorted(TO_RECONVOKE_STATUSES)),
                name="reception_convocation_missed",
            ),
            models.Index(
                fields=["person", "session_date"],
                condition=Q(status__in=sorted(KEPT_STATUSES)),
                name="reception_convocation_kept",
            ),
        ]

    def __str__(self):
        return f"{self.person} – {self.session}"

    def fill_facts(self) -> None:
        self.directorate_id = self.session.directorate_id
        self.session_date = self.session.date
        self.sex = self.person.sex


class ConvocationTransition(models.Model):
    """One change of a convocation's attendance: who, when, from which state to which."""

    convocation = models.ForeignKey(
        Convocation,
        verbose_name=_("convocation"),
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    # The declared transition applied (states.TRANSITIONS).
    name = models.CharField(
        _("transition"),
        max_length=20,
        choices=[(t.name, t.label) for t in TRANSITIONS.values()],
    )
    from_status = models.CharField(
        _("de"), max_length=20, choices=AttendanceStatus.choices, blank=True
    )
    to_status = models.CharField(_("vers"), max_length=20, choices=AttendanceStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("le"), auto_now_add=True)
    reason = models.CharField(_("motif"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("changement de présence")
        verbose_name_plural = _("changements de présence")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status or '∅'} → {self.to_status}"


class Positioning(models.Model):
    """The written and oral language positioning of a person present, by the provider."""

    convocation = models.OneToOneField(
        Convocation,
        verbose_name=_("convocation"),
        on_delete=models.PROTECT,
        related_name="positioning",
    )
    written_level = models.CharField(
        _("résultat à l'écrit"), max_length=10, choices=LanguageLevel.choices
    )
    oral_level = models.CharField(
        _("résultat à l'oral"), max_length=10, choices=LanguageLevel.choices
    )
    level = models.CharField(
        _("niveau retenu"),
        max_length=10,
        choices=LanguageLevel.choices,
        help_text=_("Le plus bas des deux résultats."),
    )
    can_read = models.BooleanField(
        _("lit et écrit"),
        default=True,
        help_text=_("Décochez pour une personne non lectrice, non scriptrice."),
    )
    # Since July 2025 the in-person course is for people who do not read or write or have
    # little schooling (rules.FLE_RULES, "fle-2025-07").
    little_schooling = models.BooleanField(
        _("peu ou pas scolarisée"),
        default=False,
        help_text=_("Cochez pour une personne peu ou pas scolarisée dans son pays."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisi par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("saisi le"), auto_now=True)

    class Meta:
        verbose_name = _("positionnement linguistique")
        verbose_name_plural = _("positionnements linguistiques")

    def __str__(self):
        return f"{self.convocation.person} – {self.get_level_display()}"


class DiagnosticInterview(models.Model):
    """The diagnostic interview with an integration auditor: situation, needs, orientations.

    Structured fields only: nothing sensitive (health, religion) goes into free text
    (DOMAIN.md, "Privacy facts").
    """

    convocation = models.OneToOneField(
        Convocation,
        verbose_name=_("convocation"),
        on_delete=models.PROTECT,
        related_name="interview",
    )
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auditeur"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    employment_status = models.CharField(
        _("situation professionnelle"), max_length=20, choices=EmploymentStatus.choices
    )
    accommodation = models.CharField(_("hébergement"), max_length=20, choices=Accommodation.choices)
    need_employment = models.BooleanField(_("emploi"), default=False)
    need_housing = models.BooleanField(_("logement"), default=False)
    need_health = models.BooleanField(_("santé"), default=False)
    need_mobility = models.BooleanField(_("mobilité"), default=False)
    need_childcare = models.BooleanField(_("garde d'enfants"), default=False)
    need_language = models.BooleanField(_("langue"), default=False)
    recorded_at = models.DateTimeField(_("saisi le"), auto_now=True)

    NEED_FIELDS = (
        "need_employment",
        "need_housing",
        "need_health",
        "need_mobility",
        "need_childcare",
        "need_language",
    )

    class Meta:
        verbose_name = _("entretien de diagnostic")
        verbose_name_plural = _("entretiens de diagnostic")

    def __str__(self):
        return f"{self.convocation.person} – {self.convocation.session.date}"

    @property
    def needs(self) -> list[str]:
        return [name for name in self.NEED_FIELDS if getattr(self, name)]


class OrientationTarget(models.TextChoices):
    FRANCE_TRAVAIL = "france_travail", _("France Travail")
    MISSION_LOCALE = "mission_locale", _("Mission locale (16-25 ans)")
    AGIR = "agir", _("AGIR (bénéficiaires de la protection internationale)")
    EPIDE = "epide", _("Epide (17-25 ans)")
    ADIE = "adie", _("ADIE (création d'entreprise)")
    TRAINING = "training", _("Formation")
    OTHER = "other", _("Autre partenaire")


class Orientation(models.Model):
    """An orientation decided at the diagnostic interview (becomes a referral later)."""

    interview = models.ForeignKey(
        DiagnosticInterview,
        verbose_name=_("entretien"),
        on_delete=models.CASCADE,
        related_name="orientations",
    )
    target = models.CharField(_("orientation"), max_length=20, choices=OrientationTarget.choices)

    class Meta:
        verbose_name = _("orientation")
        verbose_name_plural = _("orientations")
        ordering = ["target"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "target"], name="reception_orientation_unique"
            )
        ]

    def __str__(self):
        return self.get_target_display()


class ContractQuerySet(models.QuerySet):
    def without_ft_registration(self, *, signed_on_or_before: datetime.date):
        """CIR signed by then, the person still not at France Travail though concerned.

        Not concerned, as in the Metz experiment (seed 001): people in work, in vocational
        training, students, RSA recipients (registered automatically) and people followed by
        AGIR.
        """
        return self.filter(
            signed_on__lte=signed_on_or_before,
            person__ft_registered=False,
            person__rsa_recipient=False,
            person__agir_followed=False,
        ).exclude(person__employment_status__in=sorted(OUT_OF_SCOPE_SITUATIONS))


class Contract(models.Model):
    """The republican integration contract (CIR) a person signs, once."""

    person = models.OneToOneField(
        Person,
        verbose_name=_("personne"),
        on_delete=models.PROTECT,
        related_name="cir_contract",
    )
    convocation = models.OneToOneField(
        Convocation,
        verbose_name=_("convocation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contract",
    )
    signed_on = models.DateField(_("signé le"))
    civic_training_date = models.DateField(
        _("première session de formation civique"), null=True, blank=True
    )
    civic_training_place = models.CharField(
        _("lieu de la formation civique"), max_length=200, blank=True
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auditeur"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    age_at_event = models.PositiveSmallIntegerField(_("âge à la signature"), null=True, blank=True)
    # Copies for the pathway figures (issue 13, ADR 0013): the DT where the CIR was signed
    # (the PFA's), and the person's France Travail registration, followed while the file
    # lives (people.services followers) and kept whole when the retention task truncates it.
    directorate = models.ForeignKey(
        Directorate,
        verbose_name=_("direction territoriale"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,  # led by the (directorate, signed_on) index
    )
    ft_registered = models.BooleanField(
        _("inscrit à France Travail"), default=False, editable=False
    )
    ft_registration_date = models.DateField(
        _("date d'inscription à France Travail"), null=True, blank=True, editable=False
    )
    # Issue 12 (ADR 0022): the person's employment situation, followed like the registration,
    # so that the CIR -> France Travail delays tell "waiting" from "not concerned" without
    # reading a million persons.
    employment_status = models.CharField(
        _("situation professionnelle"),
        max_length=20,
        choices=EmploymentStatus.choices,
        default=EmploymentStatus.UNKNOWN,
        editable=False,
    )
    created_at = models.DateTimeField(_("saisi le"), auto_now_add=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("contrat d'intégration républicaine (CIR)")
        verbose_name_plural = _("contrats d'intégration républicaine (CIR)")
        constraints = [
            models.CheckConstraint(
                condition=Q(civic_training_date__isnull=True)
                | Q(civic_training_date__gt=models.F("signed_on")),
                name="reception_contract_civic_training_after_signature",
            )
        ]
        # The delays (CIR signature → France Travail registration) read signatures by month.
        indexes = [
            models.Index(fields=["signed_on"], name="reception_contract_signed"),
            models.Index(fields=["directorate", "signed_on"], name="reception_contract_dt_day"),
        ]

    def __str__(self):
        return _("CIR de %(person)s") % {"person": self.person}

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.fill_facts()
        super().save(*args, **kwargs)

    def fill_facts(self) -> None:
        """Set the copies from their source; bulk inserts call it since they skip save()."""
        if self.convocation_id is not None:
            self.directorate_id = self.convocation.directorate_id
        else:
            self.directorate_id = self.person.directorate_id
        self.ft_registered = self.person.ft_registered
        self.ft_registration_date = self.person.ft_registration_date
        self.employment_status = self.person.employment_status


class PrescriptionKind(models.TextChoices):
    NONE = "none", _("Pas de formation")
    MANDATORY = "mandatory", _("Formation prescrite")
    PROPOSED = "proposed", _("Formation proposée")


class PersonAnswer(models.TextChoices):
    ACCEPTED = "accepted", _("Acceptée")
    DECLINED = "declined", _("Refusée")


class Modality(models.TextChoices):
    """How the training is given (rules.Modality; seed 001: « en présentiel ou en asynchrone »)."""

    IN_PERSON = "in_person", _("En présentiel")
    ASYNCHRONOUS = "asynchronous", _("En asynchrone (plateforme en ligne)")
    # Decisions recorded before the modality was (issue 15): never written by the services.
    NOT_RECORDED = "not_recorded", _("Non enregistrée (décision antérieure)")


class Pace(models.TextChoices):
    """Paces of the in-person course since July 2025 (rules.PACE_WEEKLY_HOURS)."""

    EXTENSIVE = "extensive", _("Extensif (6 à 10 h par semaine)")
    SEMI_INTENSIVE = "semi_intensive", _("Semi-intensif (11 à 19 h par semaine)")
    INTENSIVE = "intensive", _("Intensif (20 à 30 h par semaine)")


class LanguagePrescription(models.Model):
    """A language training decision, with the rule version that made it (rules.FLE_RULES).

    `proposed_modality` is the rule's offer, `modality` the one decided: they differ only when
    the auditor overrides the offer, with a reason. `hours` is None for the asynchronous
    platform, for which no text states an hour limit.
    """

    person = models.ForeignKey(
        Person,
        verbose_name=_("personne"),
        on_delete=models.PROTECT,
        related_name="language_prescriptions",
    )
    convocation = models.OneToOneField(
        Convocation,
        verbose_name=_("convocation"),
        on_delete=models.PROTECT,
        related_name="prescription",
    )
    decided_on = models.DateField(_("décidée le"))
    rule_version = models.CharField(_("version de la règle"), max_length=40)
    level = models.CharField(_("niveau"), max_length=10, choices=LanguageLevel.choices)
    target_level = models.CharField(_("niveau visé"), max_length=10, choices=LanguageLevel.choices)
    hours = models.PositiveSmallIntegerField(_("heures"), null=True, blank=True)
    kind = models.CharField(_("décision"), max_length=20, choices=PrescriptionKind.choices)
    proposed_modality = models.CharField(
        _("modalité proposée par la règle"), max_length=20, choices=Modality.choices, blank=True
    )
    modality = models.CharField(_("modalité"), max_length=20, choices=Modality.choices, blank=True)
    modality_override_reason = models.CharField(
        _("motif du changement de modalité"), max_length=200, blank=True
    )
    pace = models.CharField(_("rythme"), max_length=20, choices=Pace.choices, blank=True)
    answer = models.CharField(
        _("réponse de la personne"), max_length=20, choices=PersonAnswer.choices, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auditeur"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("saisie le"), auto_now=True)

    class Meta:
        verbose_name = _("prescription de formation linguistique")
        verbose_name_plural = _("prescriptions de formation linguistique")
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=PrescriptionKind.PROPOSED, answer__in=list(PersonAnswer.values))
                | (~Q(kind=PrescriptionKind.PROPOSED) & Q(answer="")),
                name="reception_prescription_answer_iff_proposed",
            ),
            models.CheckConstraint(
                condition=(Q(kind=PrescriptionKind.NONE) & Q(hours=0))
                | (~Q(kind=PrescriptionKind.NONE) & Q(hours__gt=0) & Q(hours__lte=600))
                | (
                    ~Q(kind=PrescriptionKind.NONE)
                    & Q(hours__isnull=True)
                    & Q(modality=Modality.ASYNCHRONOUS)
                ),
                name="reception_prescription_hours_fit_kind",
            ),
            models.CheckConstraint(
                condition=(Q(kind=PrescriptionKind.NONE) & Q(modality="", proposed_modality=""))
                | (~Q(kind=PrescriptionKind.NONE) & ~Q(modality="") & ~Q(proposed_modality="")),
                name="reception_prescription_modality_iff_training",
            ),
            models.CheckConstraint(
                condition=Q(modality=models.F("proposed_modality"))
                | ~Q(modality_override_reason=""),
                name="reception_prescription_override_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(pace="") | Q(modality=Modality.IN_PERSON),
                name="reception_prescription_pace_in_person",
            ),
        ]

    def __str__(self):
        hours = f"{self.hours} h" if self.hours else self.get_modality_display()
        return f"{self.person} – {self.get_kind_display()} ({hours})"


class CipExperiment(models.Model):
    """A period during which a CIP takes part in a directorate's PFA (seed 001: Metz)."""

    name = models.CharField(_("nom"), max_length=200)
    directorate = models.ForeignKey(
        Directorate,
        verbose_name=_("direction territoriale"),
        on_delete=models.PROTECT,
        related_name="cip_experiments",
    )
    operator = models.ForeignKey(
        Organisation,
        verbose_name=_("opérateur"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cip_experiments",
    )
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"))

    class Meta:
        verbose_name = _("expérimentation CIP")
        verbose_name_plural = _("expérimentations CIP")
        ordering = ["directorate__name", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="reception_experiment_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["directorate", "starts_on"], name="reception_experiment_unique_start"
            ),
        ]

    def __str__(self):
        return self.name


class CipPresentation(models.Model):
    """The CIP's collective presentation at a session (France Travail tools, duties)."""

    session = models.OneToOneField(
        ReceptionSession,
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        related_name="cip_presentation",
    )
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("conseiller"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.TimeField(_("heure de début"))
    attendees = models.PositiveSmallIntegerField(_("nombre de personnes présentes"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("durée (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PRESENTATION_MINUTES)],
    )
    recorded_at = models.DateTimeField(_("saisie le"), auto_now=True)

    class Meta:
        verbose_name = _("présentation collective du CIP")
        verbose_name_plural = _("présentations collectives du CIP")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1)
                & Q(duration_minutes__lte=MAX_PRESENTATION_MINUTES),
                name="reception_presentation_duration_range",
            )
        ]

    def __str__(self):
        return f"{self.session} – {self.counsellor}"


class Accompaniment(models.TextChoices):
    UNKNOWN = "unknown", _("Pas encore connu")
    DONE = "done", _("Réalisé")
    NOT_DONE = "not_done", _("Non réalisé")


# The CIP records the situation seen; "unknown" is not an answer at the end of an interview.
CHECK_SITUATIONS = [
    (value, label) for value, label in EmploymentStatus.choices if value != EmploymentStatus.UNKNOWN
]


class ReregistrationReason(models.TextChoices):
    """Why the CIP registers a person already recorded as registered at France Travail."""

    REMOVED = "removed", _("Radiée de la liste des demandeurs d'emploi")
    OTHER = "other", _("Autre motif")


class EmploymentCheckQuerySet(models.QuerySet):
    def first_appointment_without_outcome(self, today: datetime.date):
        """First France Travail appointment passed, and the accompaniment still unknown."""
        return self.filter(first_appointment_date__lt=today, accompaniment=Accompaniment.UNKNOWN)


class EmploymentCheck(EventFacts):
    """The CIP interview of the Metz experiment (seed 001) for one person present."""

    convocation = models.OneToOneField(
        Convocation,
        verbose_name=_("convocation"),
        on_delete=models.PROTECT,
        related_name="employment_check",
    )
    # The convocation's person, copied so that persons are counted without reading convocations.
    person = models.ForeignKey(
        Person,
        verbose_name=_("personne"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("conseiller"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    situation = models.CharField(_("situation"), max_length=20, choices=CHECK_SITUATIONS)
    in_scope = models.BooleanField(_("concerné par l'expérimentation"))
    already_ft = models.BooleanField(_("déjà inscrit à France Travail"), default=False)
    rsa_recipient = models.BooleanField(_("allocataire du RSA"), default=False)
    agir_followed = models.BooleanField(_("suivi par AGIR"), default=False)
    registered_today = models.BooleanField(_("inscrit pendant l'entretien"), default=False)
    reregistration_reason = models.CharField(
        _("motif d'une nouvelle inscription"),
        max_length=10,
        choices=ReregistrationReason.choices,
        blank=True,
        help_text=_("Pour une personne déjà enregistrée comme inscrite à France Travail."),
    )
    ft_identifier = models.CharField(
        _("identifiant France Travail"),
        max_length=11,
        blank=True,
        validators=[validate_ft_identifier],
    )
    ft_registration_date = models.DateField(_("date d'inscription"), null=True, blank=True)
    first_appointment_date = models.DateField(
        _("premier rendez-vous France Travail"), null=True, blank=True
    )
    accompaniment = models.CharField(
        _("accompagnement au premier rendez-vous"),
        max_length=10,
        choices=Accompaniment.choices,
        default=Accompaniment.UNKNOWN,
    )
    accompaniment_date = models.DateField(_("date de l'accompagnement"), null=True, blank=True)
    age_at_event = models.PositiveSmallIntegerField(
        _("âge à la date de l'entretien"), null=True, blank=True
    )
    # Issue 13: the accompaniment is counted at its own date, by the age then; stored so that
    # a birth date truncated by the retention task never moves it to another band.
    age_at_accompaniment = models.PositiveSmallIntegerField(
        _("âge à la date de l'accompagnement"), null=True, blank=True
    )
    recorded_at = models.DateTimeField(_("saisi le"), auto_now=True)

    objects = EmploymentCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("entretien CIP")
        verbose_name_plural = _("entretiens CIP")
        constraints = [
            models.CheckConstraint(
                condition=Q(registered_today=False, ft_registration_date__isnull=True)
                | Q(registered_today=True, ft_registration_date__isnull=False)
                & ~Q(ft_identifier=""),
                name="reception_check_registration_details",
            ),
            models.CheckConstraint(
                condition=~Q(registered_today=True, already_ft=True),
                name="reception_check_registered_once",
            ),
            models.CheckConstraint(
                condition=Q(reregistration_reason="") | Q(registered_today=True),
                name="reception_check_reregistration_needs_registration",
            ),
            models.CheckConstraint(
                condition=Q(accompaniment=Accompaniment.DONE, accompaniment_date__isnull=False)
                | (~Q(accompaniment=Accompaniment.DONE) & Q(accompaniment_date__isnull=True)),
                name="reception_check_accompaniment_date",
            ),
            models.CheckConstraint(
                condition=Q(in_scope=False, situation__in=sorted(OUT_OF_SCOPE_SITUATIONS))
                | (Q(in_scope=True) & ~Q(situation__in=sorted(OUT_OF_SCOPE_SITUATIONS))),
                name="reception_check_scope_follows_situation",
            ),
        ]
        indexes = [
            models.Index(fields=["directorate", "session_date"], name="reception_check_dt_day"),
            # The worklist of France Travail appointments without an outcome (issue 12).
            models.Index(
                fields=["first_appointment_date", "id"],
                condition=Q(
                    accompaniment=Accompaniment.UNKNOWN, first_appointment_date__isnull=False
                ),
                name="reception_check_no_outcome",
            ),
            # Accompaniments are counted in the month they took place (indicators.catalogue).
            models.Index(
                fields=["accompaniment_date"],
                condition=Q(accompaniment_date__isnull=False),
                name="reception_check_accompanied",
            ),
        ]

    def __str__(self):
        return f"{self.convocation.person} – {self.get_situation_display()}"

    def fill_facts(self) -> None:
        # The convocation holds the same copies: no need to read its session and person.
        convocation = self.convocation
        self.person_id = convocation.person_id
        self.directorate_id = convocation.directorate_id
        self.session_date = convocation.session_date
        self.sex = convocation.sex


class ReceptionSettings(models.Model):
    """A directorate's settings for the reception worklists."""

    directorate = models.OneToOneField(
        Directorate,
        verbose_name=_("direction territoriale"),
        on_delete=models.CASCADE,
        related_name="reception_settings",
    )
    ft_registration_delay_days = models.PositiveSmallIntegerField(
        _("délai d'inscription à France Travail (jours)"),
        default=DEFAULT_FT_REGISTRATION_DELAY_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "Une personne qui a signé son CIR depuis plus longtemps sans être inscrite à "
            "France Travail apparaît dans la liste « à traiter »."
        ),
    )

    class Meta:
        verbose_name = _("réglages de la journée d'accueil")
        verbose_name_plural = _("réglages de la journée d'accueil")

    def __str__(self):
        return str(self.directorate)

    @classmethod
    def for_directorate(cls, directorate_id) -> "ReceptionSettings":
        """The directorate's settings, or unsaved defaults (no write on a read)."""
        found = cls.objects.filter(directorate_id=directorate_id).first()
        return found or cls(directorate_id=directorate_id)


class ConvocationImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Aperçu, en attente de confirmation")
    REFUSED = "refused", _("Refusé, personne n'a été convoqué")
    DONE = "done", _("Convoqué")
    ABANDONED = "abandoned", _("Abandonné (un autre fichier a été déposé)")


class ConvocationImport(models.Model):
    """A convocation list imported into a session (issue 17 point 4): who, when, which file,
    what it did.

    The file is kept only while its preview awaits confirmation, then emptied: the history
    keeps the counts, not the list of persons (DOMAIN.md, privacy facts).
    """

    session = models.ForeignKey(
        ReceptionSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="imports",
    )
    membership = models.ForeignKey(
        "organisations.Membership",
        verbose_name=_("rattachement"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("par"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("déposé le"), auto_now_add=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    file_name = models.CharField(_("fichier"), max_length=255)
    file_kind = models.CharField(max_length=5)
    sheet_name = models.CharField(_("feuille"), max_length=100, blank=True)
    content = models.BinaryField(editable=False, default=b"")
    status = models.CharField(
        _("état"),
        max_length=10,
        choices=ConvocationImportStatus.choices,
        default=ConvocationImportStatus.PREVIEWED,
    )
    total_rows = models.PositiveIntegerField(_("lignes"), default=0)
    convoked_count = models.PositiveIntegerField(_("à convoquer ou convoquées"), default=0)
    unchanged_count = models.PositiveIntegerField(_("déjà convoquées"), default=0)
    error_count = models.PositiveIntegerField(_("en erreur"), default=0)

    class Meta:
        verbose_name = _("import de convocations")
        verbose_name_plural = _("imports de convocations")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d})"

    @property
    def status_label(self) -> str:
        """The state as the history and the preview say it: a preview with rows in error
        cannot be confirmed, so it is not « en attente de confirmation »."""
        if self.status == ConvocationImportStatus.PREVIEWED and self.error_count:
            return _(
                "Aperçu avec des lignes en erreur : corrigez le fichier et déposez-le de nouveau"
            )
        return self.get_status_display()
