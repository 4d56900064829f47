"""The person record (CIR signatory) and the languages a person speaks."""

import contextlib
import contextvars

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcours.organisations.roles import OFII_DT_ROLES
from parcours.people.validators import validate_agdref, validate_ft_identifier
from parcours.territories.models import Country, Department, Directorate


class Language(models.Model):
    """A language a person speaks (ISO 639 code), used for interpreters and letters."""

    code = models.CharField(_("code ISO 639"), max_length=8, unique=True)
    name = models.CharField(_("nom"), max_length=60)
    is_rtl = models.BooleanField(_("s'écrit de droite à gauche"), default=False)

    class Meta:
        verbose_name = _("langue")
        verbose_name_plural = _("langues")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Sex(models.TextChoices):
    # DOMAIN.md: figures are given by sex F/H; "unknown" is a real value, never dropped.
    FEMALE = "F", _("Femme")
    MALE = "H", _("Homme")
    UNKNOWN = "X", _("Non renseigné")


class ResidenceStatus(models.TextChoices):
    REFUGEE = "refugee", _("Réfugié")
    SUBSIDIARY_PROTECTION = "subsidiary_protection", _("Protection subsidiaire")
    STATELESS = "stateless", _("Apatride")
    FAMILY_REUNIFICATION = "family_reunification", _("Regroupement familial")
    SPOUSE_OF_FRENCH = "spouse_of_french", _("Conjoint de Français")
    WORKER = "worker", _("Salarié ou travailleur")
    OTHER = "other", _("Autre")


# DOMAIN.md: beneficiaries of international protection (BPI) are refugees, people under
# subsidiary protection and stateless people; AGIR is for them only.
INTERNATIONAL_PROTECTION_STATUSES = frozenset(
    {
        ResidenceStatus.REFUGEE,
        ResidenceStatus.SUBSIDIARY_PROTECTION,
        ResidenceStatus.STATELESS,
    }
)


class ResidenceTitle(models.TextChoices):
    """The title a person intends to apply for (requirements in people/titles.py)."""

    MULTI_YEAR_CARD = "multi_year_card", _("Carte de séjour pluriannuelle")
    RESIDENT_CARD = "resident_card", _("Carte de résident")
    NATURALISATION = "naturalisation", _("Naturalisation")


class LanguageLevel(models.TextChoices):
    """CEFR levels as placed by the language positioning (DOMAIN.md), in increasing order."""

    INFRA_A1 = "infra_a1", _("Infra A1")
    A1 = "a1", _("A1")
    A2 = "a2", _("A2")
    B1 = "b1", _("B1")
    B2_OR_ABOVE = "b2_plus", _("B2 ou plus")


LEVEL_ORDER = {level: rank for rank, level in enumerate(LanguageLevel)}


class Accommodation(models.TextChoices):
    OWN_HOUSING = "own_housing", _("Logement personnel")
    SOCIAL_HOUSING = "social_housing", _("Logement social")
    HOSTED = "hosted", _("Hébergé par un tiers")
    CPH = "cph", _("Centre provisoire d'hébergement (CPH)")
    ASYLUM_CENTRE = "asylum_centre", _("Centre d'accueil de demandeurs d'asile (CADA, HUDA)")
    EMERGENCY = "emergency", _("Hébergement d'urgence")
    NONE = "none", _("Sans hébergement")
    OTHER = "other", _("Autre")
    UNKNOWN = "unknown", _("Non renseigné")


class EmploymentStatus(models.TextChoices):
    CDI = "cdi", _("En emploi – CDI")
    CDD = "cdd", _("En emploi – CDD")
    INTERIM = "interim", _("En emploi – intérim")
    VOCATIONAL_TRAINING = "vocational_training", _("En formation professionnelle")
    STUDENT = "student", _("Étudiant")
    JOB_SEEKER = "job_seeker", _("Demandeur d'emploi")
    INACTIVE = "inactive", _("Inactif")
    UNKNOWN = "unknown", _("Non renseigné")


EMPLOYED_STATUSES = frozenset(
    {EmploymentStatus.CDI, EmploymentStatus.CDD, EmploymentStatus.INTERIM}
)


# Issue 13: `parcours.people.services` is the one writer of persons. Bulk writes
# (`QuerySet.update`, `bulk_update`) send no signal and leave no history, so they are refused
# unless that module opens the door for the duration of one of its operations.
_bulk_writes_allowed = contextvars.ContextVar("parcours_person_bulk_writes", default=False)


class PersonWriteOutsideServices(RuntimeError):
    """A bulk write of persons attempted outside `parcours.people.services`."""


@contextlib.contextmanager
def person_bulk_writes():
    """Allow bulk writes of persons inside the block: for `people.services` only."""
    from parcours.core.freshness import figures_changed

    figures_changed()  # bulk writes send no signal (core/freshness.py)
    token = _bulk_writes_allowed.set(True)
    try:
        yield
    finally:
        _bulk_writes_allowed.reset(token)


def _refuse_outside_services(operation: str) -> None:
    if not _bulk_writes_allowed.get():
        raise PersonWriteOutsideServices(
            f"Person.objects.{operation}() outside parcours.people.services: write persons "
            "through the services, which record the history and update the copies on events."
        )


# Persons become visible to a membership through other apps (a referral received, a session
# staffed): each registers a function (membership) -> Q over persons, or None when it opens
# nothing for that membership; `visible_to` ORs them. People knows none of these apps.
_visibility_sources: list = []


def register_visibility(source):
    """Decorator: add a source of persons visible to partner memberships (see visible_to)."""
    if source not in _visibility_sources:
        _visibility_sources.append(source)
    return source


class PersonQuerySet(models.QuerySet):
    def update(self, **kwargs):
        _refuse_outside_services("update")
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        _refuse_outside_services("bulk_update")
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def visible_to(self, membership):
        """The persons the membership may see: denied by default, need-to-know.

        OFII staff of a directorate see the persons living in its perimeter; partner staff
        see the persons referred to their organisation, and a CIP the persons convoked to
        the sessions they staff for their organisation's experiment; aggregate-only roles
        (DREETS, national admin) see no person.
        """
        from parcours.organisations.roles import PARTNER_ROLES

        if membership is None:
            return self.none()
        organisation = membership.organisation
        if membership.role in OFII_DT_ROLES and organisation.directorate_id:
            return self.filter(directorate_id=organisation.directorate_id)
        if membership.role in PARTNER_ROLES:
            condition = None
            for source in _visibility_sources:
                opened = source(membership)
                if opened is not None:
                    condition = opened if condition is None else condition | opened
            return self.none() if condition is None else self.filter(condition)
        return self.none()

    def search(self, text: str):
        """Match on names (birth, usual, first names) or an AGDREF number."""
        text = (text or "").strip()
        if not text:
            return self
        digits = "".join(ch for ch in text if ch.isdigit())
        condition = Q()
        for word in text.split():
            condition &= (
                Q(last_name__icontains=word)
                | Q(usual_name__icontains=word)
                | Q(first_names__icontains=word)
            )
        if len(digits) >= 4:
            condition |= Q(agdref_number__startswith=digits)
        return self.filter(condition)

    def in_search_order(self):
        """Matches of `search` in name order, sorted once found.

        Ordered by the names' upper case, which no B-tree holds: PostgreSQL then finds the
        matches through the trigram indexes and sorts them, instead of walking the DT's
        persons in name order until enough match (HADDAD: 81,000 rows read, 775 ms, against
        about 20 ms; docs/benchmarks.md).
        """
        from django.db.models.functions import Upper

        return self.order_by(Upper("last_name"), Upper("first_names"), "pk")

    def not_anonymised(self):
        """Files that still hold a person's identity (see parcours.privacy.retention)."""
        return self.filter(anonymised_at__isnull=True)


class AnonymisationReason(models.TextChoices):
    RETENTION = "retention", _("Durée de conservation écoulée")
    ERASURE = "erasure", _("Effacement à la demande de la personne")


class Person(models.Model):
    """A signatory (or future signatory) of the republican integration contract (CIR)."""

    # Identity
    last_name = models.CharField(
        _("nom de naissance"),
        max_length=150,
        help_text=_("Tel qu'écrit dans le passeport ou le titre de séjour."),
    )
    usual_name = models.CharField(_("nom d'usage"), max_length=150, blank=True)
    first_names = models.CharField(
        _("prénoms"), max_length=200, help_text=_("Tels qu'écrits dans le passeport.")
    )
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    nationality = models.ForeignKey(
        Country,
        verbose_name=_("nationalité"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    languages = models.ManyToManyField(
        Language, verbose_name=_("langues parlées"), blank=True, related_name="speakers"
    )
    interpreter_needed = models.BooleanField(_("besoin d'un interprète"), default=False)
    interpreter_language = models.ForeignKey(
        Language,
        verbose_name=_("langue d'interprétariat"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    residence_status = models.CharField(
        _("catégorie de séjour"), max_length=30, choices=ResidenceStatus.choices
    )
    agdref_number = models.CharField(
        _("numéro étranger (AGDREF)"),
        max_length=10,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_agdref],
        help_text=_("10 chiffres, inscrits sur le titre de séjour."),
    )

    # Contact
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    email = models.EmailField(_("adresse électronique"), blank=True)
    address = models.CharField(_("adresse"), max_length=250, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    city = models.CharField(_("commune"), max_length=100, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("département de résidence"),
        on_delete=models.PROTECT,
        related_name="persons",
    )
    directorate = models.ForeignKey(
        Directorate,
        verbose_name=_("direction territoriale"),
        on_delete=models.PROTECT,
        related_name="persons",
        help_text=_("La DT qui suit la personne ; celle du département par défaut."),
    )
    accommodation = models.CharField(
        _("hébergement"),
        max_length=20,
        choices=Accommodation.choices,
        default=Accommodation.UNKNOWN,
    )
    accommodation_name = models.CharField(
        _("structure d'hébergement"),
        max_length=200,
        blank=True,
        help_text=_("Nom du CPH ou du centre, le cas échéant."),
    )

    # Situation
    employment_status = models.CharField(
        _("situation professionnelle"),
        max_length=20,
        choices=EmploymentStatus.choices,
        default=EmploymentStatus.UNKNOWN,
    )
    ft_registered = models.BooleanField(_("inscrit à France Travail"), default=False)
    ft_identifier = models.CharField(
        _("identifiant France Travail"),
        max_length=11,
        blank=True,
        validators=[validate_ft_identifier],
    )
    ft_registration_date = models.DateField(
        _("date d'inscription à France Travail"), null=True, blank=True
    )
    language_level = models.CharField(
        _("niveau de français"),
        max_length=10,
        choices=LanguageLevel.choices,
        blank=True,
        help_text=_("Dernier niveau établi par le positionnement linguistique."),
    )
    language_level_date = models.DateField(_("date du positionnement"), null=True, blank=True)
    rsa_recipient = models.BooleanField(_("allocataire du RSA"), default=False)
    agir_followed = models.BooleanField(_("suivi par un opérateur AGIR"), default=False)
    intended_title = models.CharField(
        _("titre envisagé"),
        max_length=20,
        choices=ResidenceTitle.choices,
        blank=True,
        help_text=_(
            "Le titre que la personne compte demander : son dossier montre les exigences "
            "datées de ce titre, à titre d'information."
        ),
    )

    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    # Retention (parcours.privacy.retention): once anonymised, only the aggregate-safe fields
    # remain (sex, birth year and month, département, directorate, dates by month).
    anonymised_at = models.DateTimeField(_("anonymisé le"), null=True, blank=True, db_index=True)
    anonymisation_reason = models.CharField(
        _("motif de l'anonymisation"),
        max_length=20,
        choices=AnonymisationReason.choices,
        blank=True,
    )
    # When the DT was last told that this file is about to be anonymised.
    retention_notice_at = models.DateTimeField(
        _("préavis d'anonymisation envoyé le"), null=True, blank=True
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        ordering = ["last_name", "first_names", "pk"]
        indexes = [
            models.Index(fields=["directorate", "last_name"], name="person_dt_name_idx"),
            # The person list of a DT in its order (issue 12): the first page is read from
            # the index, without sorting the DT's persons.
            models.Index(
                fields=["directorate", "last_name", "first_names", "id"],
                condition=Q(anonymised_at__isnull=True),
                name="person_dt_alpha_idx",
            ),
            models.Index(fields=["department"], name="person_department_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ft_registered=True)
                | (Q(ft_identifier="") & Q(ft_registration_date__isnull=True)),
                name="person_ft_details_need_registration",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        name = self.usual_name or self.last_name
        return f"{name.upper()} {self.first_names}"

    @property
    def is_international_protection_beneficiary(self) -> bool:
        return self.residence_status in INTERNATIONAL_PROTECTION_STATUSES

    def clean(self):
        errors = {}
        if self.interpreter_language_id and not self.interpreter_needed:
            self.interpreter_needed = True
        if (
            self.agir_followed
            and self.residence_status
            and not (self.is_international_protection_beneficiary)
        ):
            # DOMAIN.md: AGIR is for beneficiaries of international protection only.
            errors["agir_followed"] = _(
                "AGIR est réservé aux bénéficiaires de la protection internationale (réfugiés, "
                "protection subsidiaire, apatrides) : la catégorie de séjour « %(status)s » ne "
                "le permet pas."
            ) % {"status": self.get_residence_status_display()}
        if (self.ft_identifier or self.ft_registration_date) and not self.ft_registered:
            errors["ft_registered"] = _(
                "Cochez « inscrit à France Travail » pour saisir un identifiant ou une date."
            )
        if self.department_id and not self.directorate_id:
            directorate_id = (
                Department.objects.filter(pk=self.department_id)
                .values_list("directorate_id", flat=True)
                .first()
            )
            if directorate_id is None:
                errors["department"] = _("Ce département n'est rattaché à aucune DT de l'OFII.")
            else:
                self.directorate_id = directorate_id
        if errors:
            raise ValidationError(errors)


class DepartmentTransfer(models.Model):
    """A département attached to another DT: the log of `people.services.move_department`."""

    department = models.ForeignKey(
        Department, verbose_name=_("département"), on_delete=models.PROTECT, related_name="+"
    )
    from_directorate = models.ForeignKey(
        Directorate,
        verbose_name=_("ancienne DT"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_directorate = models.ForeignKey(
        Directorate, verbose_name=_("nouvelle DT"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("le"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("motif"), max_length=300)
    persons_moved = models.PositiveIntegerField(_("personnes rattachées à la nouvelle DT"))

    class Meta:
        verbose_name = _("changement de DT d'un département")
        verbose_name_plural = _("changements de DT des départements")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.department} → {self.to_directorate}"
