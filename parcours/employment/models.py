"""Employment: the ROME referential, professional profiles, shortage lists, employers, positions.

Issue 20 (ADR 0019). The database holds what it can: one profile per person, one line per
occupation held or sought, a shortage entry names a ROME code or a family (never both), a
position owns exactly one referral target (a Scheme of kind « poste »), so seats and consent
behave as for any scheme.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.employment.validators import validate_naf, validate_rome_code, validate_siret
from parcours.organisations.models import Organisation
from parcours.people.models import Person
from parcours.people.validators import validate_phone
from parcours.referrals.models import Scheme
from parcours.territories.models import Country, Department, Directorate, Region

# ROME ---------------------------------------------------------------------------------------


class Occupation(models.Model):
    """A ROME occupation sheet (fiche métier), e.g. F1703 « Maçonnerie »."""

    code = models.CharField(
        _("code ROME"), max_length=5, primary_key=True, validators=[validate_rome_code]
    )
    label = models.CharField(_("intitulé"), max_length=200)
    # The letter and two digits of the code (« F17 »): the level a shortage list may name.
    family = models.CharField(_("famille"), max_length=3, db_index=True)

    class Meta:
        verbose_name = _("métier (ROME)")
        verbose_name_plural = _("métiers (ROME)")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} – {self.label}"


class JobTitle(models.Model):
    """A ROME job title (appellation), e.g. « Maçon / Maçonne », with its occupation."""

    ogr_code = models.PositiveIntegerField(_("code OGR"), primary_key=True)
    label = models.CharField(_("appellation"), max_length=250)
    occupation = models.ForeignKey(
        Occupation,
        verbose_name=_("métier"),
        on_delete=models.PROTECT,
        related_name="job_titles",
    )
    # Lower case, without accents nor punctuation (search.normalise): what the search compares.
    search_key = models.CharField(_("clé de recherche"), max_length=250, db_index=True)

    class Meta:
        verbose_name = _("appellation (ROME)")
        verbose_name_plural = _("appellations (ROME)")
        ordering = ["label"]

    def __str__(self):
        return self.label


# Professional profile -----------------------------------------------------------------------


class FrenchLevelForWork(models.TextChoices):
    A1 = "A1", _("A1 – découverte")
    A2 = "A2", _("A2 – survie")
    B1 = "B1", _("B1 – seuil")
    B2 = "B2", _("B2 – avancé")
    C1 = "C1", _("C1 – autonome")
    C2 = "C2", _("C2 – maîtrise")
    UNKNOWN = "unknown", _("Non évalué")


class Recognition(models.TextChoices):
    YES = "yes", _("Reconnu en France")
    NO = "no", _("Non reconnu en France")
    UNKNOWN = "unknown", _("Ne sait pas")


class OccupationKind(models.TextChoices):
    HELD = "held", _("Métier exercé")
    SOUGHT = "sought", _("Métier recherché")


class ProfessionalProfile(models.Model):
    """The professional profile of a person: one per person, written by employment.services."""

    person = models.OneToOneField(
        Person,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        related_name="professional_profile",
    )
    driving_licence = models.BooleanField(_("permis de conduire B"), null=True, blank=True)
    available_from = models.DateField(_("disponible à partir du"), null=True, blank=True)
    french_level_for_work = models.CharField(
        _("niveau de français pour travailler"),
        max_length=10,
        choices=FrenchLevelForWork.choices,
        default=FrenchLevelForWork.UNKNOWN,
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    # Labels of the summaries the history keeps of related rows (privacy.history).
    HISTORY_LABELS = {
        "occupations_held": _("métiers exercés"),
        "occupations_sought": _("métiers recherchés"),
        "qualifications": _("qualifications"),
    }

    class Meta:
        verbose_name = _("profil professionnel")
        verbose_name_plural = _("profils professionnels")

    def __str__(self):
        return str(self.person)


class ProfileOccupation(models.Model):
    """An occupation the person held (with years of experience) or seeks."""

    profile = models.ForeignKey(
        ProfessionalProfile,
        verbose_name=_("profil"),
        on_delete=models.CASCADE,
        related_name="occupations",
    )
    kind = models.CharField(_("type"), max_length=10, choices=OccupationKind.choices)
    occupation = models.ForeignKey(
        Occupation, verbose_name=_("métier"), on_delete=models.PROTECT, related_name="+"
    )
    job_title = models.ForeignKey(
        JobTitle,
        verbose_name=_("appellation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    years_of_experience = models.PositiveSmallIntegerField(
        _("années d'expérience"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("métier du profil")
        verbose_name_plural = _("métiers du profil")
        ordering = ["kind", "occupation_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "kind", "occupation"], name="profile_occupation_once"
            ),
            models.CheckConstraint(
                condition=Q(years_of_experience__isnull=True) | Q(years_of_experience__lte=60),
                name="profile_occupation_years_sane",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.occupation_id}"


class Qualification(models.Model):
    """A diploma or qualification, where it was obtained and whether France recognises it."""

    profile = models.ForeignKey(
        ProfessionalProfile,
        verbose_name=_("profil"),
        on_delete=models.CASCADE,
        related_name="qualifications",
    )
    label = models.CharField(_("diplôme ou qualification"), max_length=200)
    country = models.ForeignKey(
        Country,
        verbose_name=_("pays d'obtention"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recognition = models.CharField(
        _("reconnaissance en France"),
        max_length=10,
        choices=Recognition.choices,
        default=Recognition.UNKNOWN,
    )

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["pk"]

    def __str__(self):
        return self.label

    @property
    def needs_recognition_advice(self) -> bool:
        """Not (known to be) recognised: the person is oriented to VAE or ENIC-NARIC advice."""
        return self.recognition != Recognition.YES


# Shortage occupations -----------------------------------------------------------------------


class ShortageList(models.Model):
    """One import of a list of shortage occupations: a version of its source text.

    A new import of the same source is a new version; earlier versions are kept (never edited)
    and the latest version of each source is the one in force (shortage.py).
    """

    source_reference = models.CharField(
        _("texte de référence"),
        max_length=300,
        help_text=_(
            "Par exemple : arrêté du 21 mai 2025 fixant la liste des métiers et zones "
            "géographiques caractérisés par des difficultés de recrutement (JO du 22 mai 2025)."
        ),
    )
    version = models.PositiveIntegerField(_("version"))
    file_name = models.CharField(_("fichier"), max_length=200, blank=True)
    imported_at = models.DateTimeField(_("importée le"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("importée par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("liste des métiers en tension")
        verbose_name_plural = _("listes des métiers en tension")
        ordering = ["-imported_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_reference", "version"], name="shortage_list_version_unique"
            )
        ]

    def __str__(self):
        return f"{self.source_reference} (v{self.version})"


class ShortageEntry(models.Model):
    """A ROME code or family in shortage in a region, between two dates (inclusive)."""

    shortage_list = models.ForeignKey(
        ShortageList, verbose_name=_("liste"), on_delete=models.CASCADE, related_name="entries"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("région"), on_delete=models.PROTECT, related_name="+"
    )
    rome_code = models.CharField(_("code ROME"), max_length=5, blank=True)
    family = models.CharField(_("famille ROME"), max_length=3, blank=True)
    valid_from = models.DateField(_("en vigueur du"))
    valid_until = models.DateField(_("en vigueur jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("métier en tension")
        verbose_name_plural = _("métiers en tension")
        ordering = ["region_id", "rome_code", "family"]
        indexes = [
            models.Index(fields=["region", "valid_from"], name="shortage_entry_region_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(rome_code="") & ~Q(family="")) | (~Q(rome_code="") & Q(family="")),
                name="shortage_entry_code_or_family",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="shortage_entry_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.rome_code or self.family} @ {self.region_id}"


# Employers and positions --------------------------------------------------------------------


class EmployerQuerySet(models.QuerySet):
    def in_perimeter_of(self, membership):
        """DT staff see the employers of their DT; the others none (no partner page yet)."""
        directorate_id = getattr(getattr(membership, "organisation", None), "directorate_id", None)
        if directorate_id is None:
            return self.none()
        return self.filter(directorate_id=directorate_id)


class Employer(models.Model):
    """A company engaged with the DT: identity, sector, contact and commitments."""

    name = models.CharField(_("raison sociale"), max_length=200)
    siret = models.CharField(
        _("numéro SIRET"), max_length=14, unique=True, validators=[validate_siret]
    )
    naf_code = models.CharField(
        _("code NAF (secteur)"), max_length=6, blank=True, validators=[validate_naf]
    )
    sector = models.CharField(_("secteur d'activité"), max_length=200, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("département"), on_delete=models.PROTECT, related_name="+"
    )
    directorate = models.ForeignKey(
        Directorate,
        verbose_name=_("direction territoriale"),
        on_delete=models.PROTECT,
        related_name="employers",
    )
    intermediary = models.ForeignKey(
        Organisation,
        verbose_name=_("partenaire qui suit l'employeur"),
        on_delete=models.PROTECT,
        related_name="employers",
        help_text=_(
            "La structure (France Travail, opérateur, club d'entreprises…) qui reçoit les "
            "orientations vers les postes de l'employeur et y répond."
        ),
    )
    # The contact is personal data of a third party: covered by the retention rules
    # (employment/privacy.py), counted from its last confirmation.
    contact_name = models.CharField(_("nom du contact"), max_length=150, blank=True)
    contact_email = models.EmailField(_("adresse électronique du contact"), blank=True)
    contact_phone = models.CharField(
        _("téléphone du contact"), max_length=30, blank=True, validators=[validate_phone]
    )
    contact_confirmed_on = models.DateField(_("contact confirmé le"), default=timezone.localdate)
    # Commitments (instruction of 26 June 2025; CIAI law: up to 80 hours of French training on
    # working time, pay maintained, for employees who signed the CIR).
    trains_on_working_time = models.BooleanField(
        _("formation au français sur le temps de travail (jusqu'à 80 h, loi CIAI)"),
        default=False,
    )
    employers_club = models.BooleanField(
        _("membre du club « les entreprises s'engagent »"), default=False
    )
    other_commitments = models.TextField(_("autres engagements"), max_length=1000, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    objects = EmployerQuerySet.as_manager()

    class Meta:
        verbose_name = _("employeur")
        verbose_name_plural = _("employeurs")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Position(models.Model):
    """An open position of an employer, by ROME code; its referrals go through its scheme."""

    employer = models.ForeignKey(
        Employer, verbose_name=_("employeur"), on_delete=models.PROTECT, related_name="positions"
    )
    occupation = models.ForeignKey(
        Occupation, verbose_name=_("métier"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("intitulé du poste"), max_length=150)
    # The referral target: referrals, consent, seats and the waiting list are the scheme's
    # (referrals.services), so they behave exactly as for any scheme (ADR 0019).
    scheme = models.OneToOneField(
        Scheme, verbose_name=_("dispositif"), on_delete=models.PROTECT, related_name="position"
    )
    opened_on = models.DateField(_("ouvert le"), default=timezone.localdate)
    # Whether the occupation is in shortage in the employer's region on the opening day, by the
    # lists in force (kept right by shortage.refresh_positions after each import): what the
    # coverage indicator counts (employment/indicators.py).
    in_shortage = models.BooleanField(_("métier en tension"), default=False, editable=False)
    # Closed (employment.services.close_position): its scheme takes no new referral, the
    # referrals it received are kept as they are.
    closed_on = models.DateField(_("fermé le"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("poste ouvert")
        verbose_name_plural = _("postes ouverts")
        ordering = ["-opened_on", "pk"]

    def __str__(self):
        return f"{self.title} – {self.employer.name}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None
