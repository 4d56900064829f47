"""The person record (CIR signatory) and the languages a person speaks."""

import contextlib
import contextvars

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ExpressionWrapper, F, Q, Value
from django.db.models.functions import Cast, Upper
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
            # Typed as the column (bigint): a plain integer is int4 to PostgreSQL, which the
            # GiST index of the search (btree_gist, migration 0015) cannot take as a bound.
            return self.filter(
                directorate_id=Cast(Value(organisation.directorate_id), models.BigIntegerField())
            )
        if membership.role in PARTNER_ROLES:
            condition = None
            for source in _visibility_sources:
                opened = source(membership)
                if opened is not None:
                    condition = opened if condition is None else condition | opened
            return self.none() if condition is None else self.filter(condition)
        return self.none()

    def search(self, text: str):
        """Match on names (birth, usual, first names) or the start of an AGDREF number.

        Tolerant to accents, case, hyphens and spaces (the names' `search_text`), to the
        Latin spellings of one name (the phonetic keys, people/names.py) and to small typos:
        trigram word similarity on PostgreSQL (GIN index, migration 0009); on SQLite, words
        starting with the same three letters, ranked by `ranked` with rapidfuzz. Every word
        of the query must match.
        """
        condition = self.search_condition(text)
        return self if condition is None else self.filter(condition)

    def search_condition(self, text: str) -> Q | None:
        """The condition of `search(text)` on a person (None: no text, every person)."""
        from parcours.people import names

        text = (text or "").strip()
        if not text:
            return None
        digits = "".join(ch for ch in text if ch.isdigit())
        words = names.words(text)
        postgres = self.db_connection_vendor() == "postgresql"
        condition = Q()
        for word in words:
            key = names.phonetic_key(word)
            matches = Q(search_text__contains=word)
            if key:
                matches |= Q(last_name_key=key) | Q(first_name_key=key)
            if len(word) >= 4:
                if postgres:
                    matches |= Q(search_text__trigram_word_similar=word)
                else:
                    matches |= Q(search_text__startswith=word[:3]) | Q(
                        search_text__contains=" " + word[:3]
                    )
            condition &= matches
        if not words:
            condition = Q(pk__in=[])
        if len(digits) >= 4:
            condition |= Q(agdref_number__startswith=digits)
        return condition

    def db_connection_vendor(self) -> str:
        from django.db import connections

        return connections[self.db].vendor

    def found_count(self, text: str, cap: int) -> int:
        """How many persons `search(text)` finds, counted up to `cap + 1` only: a common name
        has tens of thousands of homonyms at national scale (issue 12), whose exact number
        helps no one at the counter and cost more than the page."""
        # No order: the first `cap + 1` found, by whichever index finds them soonest.
        return self.search(text).order_by().values("pk")[: cap + 1].count()

    def ranked(self, text: str, *, cutoff: int = 70, limit: int = 1000, cap: int | None = None):
        """Matches of `search(text)`, best first (the person list and the duplicate step).

        PostgreSQL orders by trigram word similarity in the database (paginated there);
        SQLite reads at most `limit` matches' names, ranks them with rapidfuzz and drops
        those under `cutoff` (0–100), then returns them in that order.

        With `cap` (the caller found more matches than that, see `found_count`), only the
        `cap` closest are ranked. On PostgreSQL a K-nearest-neighbour scan of the GiST
        trigram index on (directorate, search text) (migration 0015) reads them in order of
        word-similarity distance and stops there, instead of reading and ranking every
        homonym of the DT (HADDAD at a million persons: 10,417 rows, 244 ms; issue 12,
        docs/benchmarks/2026-12-01-search-worklists.md). Among equally close names (the
        exact homonyms) which `cap` are kept is the index's order, the same from one page
        to the next while the data does not change: the page says to refine the search.
        """
        from django.db.models import Case, IntegerField, Value, When
        from django.db.models.functions import Upper

        from parcours.people import names

        query = names.search_text(text)
        condition = self.search_condition(text)
        matches = self if condition is None else self.filter(condition)
        if not query:
            return matches.in_search_order()
        if self.db_connection_vendor() == "postgresql":
            from django.contrib.postgres.search import TrigramWordDistance, TrigramWordSimilarity

            if cap is not None:
                # The `cap` persons of this list closest to the query, by the GiST index alone,
                # and whether each matches `search`: computed on those rows, not a filter, so
                # that the planner cannot choose the GIN bitmaps and sort every homonym. The
                # page then looks the matches up by key, repeating none of the list's filters.
                hit = ExpressionWrapper(condition, models.BooleanField())
                closest = (
                    self.annotate(hit=hit)
                    .order_by(TrigramWordDistance(query, "search_text"))
                    .values_list("pk", "hit")[:cap]
                )
                kept = [pk for pk, matched in closest if matched]
                matches = self.model._default_manager.filter(pk__in=kept)
            return matches.annotate(rank=TrigramWordSimilarity(query, "search_text")).order_by(
                "-rank", Upper("last_name"), Upper("first_names"), "pk"
            )
        digits = "".join(ch for ch in text if ch.isdigit())
        scored = []
        for pk, stored, agdref in matches.values_list("pk", "search_text", "agdref_number")[:limit]:
            score = names.match_score(query, stored)
            if digits and agdref and agdref.startswith(digits):
                score = 100
            if score >= cutoff:
                scored.append((-score, stored, pk))
        scored.sort()
        order = [pk for _score, _stored, pk in scored][:cap]
        return matches.filter(pk__in=order).order_by(
            Case(
                *[When(pk=pk, then=Value(rank)) for rank, pk in enumerate(order)],
                output_field=IntegerField(),
            )
            if order
            else "pk"
        )

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
    # Issue 18: phone and e-mail are optional, and the person may ask for no more messages
    # (e-mail, SMS); the printed letter, the legal proof, is still sent.
    messages_stopped_at = models.DateTimeField(
        _("messages arrêtés le"),
        null=True,
        blank=True,
        help_text=_("La personne a demandé à ne plus recevoir de courriels ni de SMS."),
    )
    address = models.CharField(_("adresse"), max_length=250, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    city = models.CharField(_("commune"), max_length=100, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("département de résidence"),
        on_delete=models.PROTECT,
        related_name="persons",
        # Indexed by Meta's person_department_idx: not a second index (migration 0019).
        db_index=False,
    )
    directorate = models.ForeignKey(
        Directorate,
        verbose_name=_("direction territoriale"),
        on_delete=models.PROTECT,
        related_name="persons",
        # Every index of Meta starting with the DT serves a filter on it (migration 0019).
        db_index=False,
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

    # Spelling-tolerant keys of the names (people/names.py), kept by `fill_name_keys` on every
    # save: the search and the duplicate finder (people/duplicates.py) read them from indexes.
    search_text = models.CharField(max_length=500, blank=True, editable=False)
    last_name_key = models.CharField(max_length=40, blank=True, editable=False)
    first_name_key = models.CharField(max_length=40, blank=True, editable=False)

    objects = PersonQuerySet.as_manager()

    NAME_FIELDS = ("last_name", "usual_name", "first_names")
    NAME_KEY_FIELDS = ("search_text", "last_name_key", "first_name_key")

    class Meta:
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        ordering = ["last_name", "first_names", "pk"]
        indexes = [
            models.Index(fields=["directorate", "last_name"], name="person_dt_name_idx"),
            # The person list of a DT in its order (issue 12): the first page is read from
            # the index, without sorting the DT's persons. The list sorts on UPPER(name)
            # (www/person_lists.SORTS), so does the index (on plain names it was never used).
            models.Index(
                F("directorate"),
                Upper("last_name"),
                Upper("first_names"),
                F("id"),
                condition=Q(anonymised_at__isnull=True),
                name="person_dt_upper_alpha_idx",
            ),
            models.Index(fields=["department"], name="person_department_idx"),
            # Duplicate finder: same birth date (or day and month swapped), or a name sounding
            # alike born within a year (people/duplicates.py).
            models.Index(fields=["birth_date"], name="person_birth_date_idx"),
            models.Index(fields=["last_name_key", "birth_date"], name="person_name_key_birth_idx"),
            # Search: a word sounding like a first name (people/models.PersonQuerySet.search).
            models.Index(fields=["first_name_key"], name="person_first_name_key_idx"),
            # The same within a DT, for a DT's search (issue 12): a common key (BENALY's « BNL »
            # is 10,419 persons of the country at a million) is then read in the DT only.
            models.Index(
                fields=["directorate", "last_name_key"], name="person_dt_last_name_key_idx"
            ),
            models.Index(
                fields=["directorate", "first_name_key"], name="person_dt_first_name_key_idx"
            ),
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

    def save(self, *args, **kwargs):
        self.fill_name_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(self.NAME_FIELDS):
            kwargs["update_fields"] = [*update_fields, *self.NAME_KEY_FIELDS]
        super().save(*args, **kwargs)

    def fill_name_keys(self) -> None:
        """Compute the name keys from the names (bulk_create skips save: call it there)."""
        from parcours.people import names

        # Each name's words read once for the three keys (an import computes 100,000 of them).
        last, usual, first = (
            names.words(name) for name in (self.last_name, self.usual_name, self.first_names)
        )
        self.search_text = " ".join(last + usual + first)[:500]
        self.last_name_key = names.glued_key("".join(last))
        self.first_name_key = names.glued_key("".join(first))

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


# Issue 17: the import's history and saved mappings live in their own module.
from parcours.people.import_models import ColumnMapping, PersonImport  # noqa: E402, F401


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("À examiner")
    DISTINCT = "distinct", _("Personnes distinctes")


class DuplicatePairQuerySet(models.QuerySet):
    def involving(self, person_id):
        return self.filter(Q(low_id=person_id) | Q(high_id=person_id))


class DuplicatePair(models.Model):
    """Two files that may be one person: on the review list until merged or marked distinct.

    Stored with the lower id first, so that a pair is one row whichever side found it. A
    merge deletes the absorbed file and with it its pairs (the merge is logged in
    `PersonMerge`); « distinctes » is remembered so that the finder stops proposing it.
    """

    low = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    high = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("raisons"), default=list)
    status = models.CharField(
        _("statut"), max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN
    )
    found_at = models.DateTimeField(_("signalé le"), auto_now_add=True)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signalé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = DuplicatePairQuerySet.as_manager()

    class Meta:
        verbose_name = _("doublon possible")
        verbose_name_plural = _("doublons possibles")
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["low", "high"], name="duplicate_pair_once"),
            models.CheckConstraint(
                condition=Q(low__lt=models.F("high")), name="duplicate_pair_order"
            ),
            models.CheckConstraint(
                condition=Q(status="open", decided_at__isnull=True)
                | (~Q(status="open") & Q(decided_at__isnull=False)),
                name="duplicate_pair_decided_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "low"], name="duplicate_pair_status_idx"),
            models.Index(fields=["high"], name="duplicate_pair_high_idx"),
        ]

    def __str__(self):
        return f"{self.low_id}~{self.high_id}"

    @staticmethod
    def ordered(a: int, b: int) -> tuple[int, int]:
        return (a, b) if a < b else (b, a)

    @classmethod
    def distinct_from(cls, person_id: int, others) -> set[int]:
        """Among `others`, the persons an agent marked distinct from `person_id`."""
        found = set()
        rows = (
            cls.objects.involving(person_id)
            .filter(status=DuplicateStatus.DISTINCT)
            .filter(Q(low_id__in=others) | Q(high_id__in=others))
            .values_list("low_id", "high_id")
        )
        for low, high in rows:
            found.add(high if low == person_id else low)
        return found


class PersonMerge(models.Model):
    """Two files merged into one (people.services.merge_persons): the log of the merge.

    It keeps the absorbed file's id (the access log still names it) but none of its data:
    what the absorbed file said is in the kept file's history, deleted with it.
    """

    kept = models.ForeignKey(
        Person, verbose_name=_("dossier conservé"), on_delete=models.CASCADE, related_name="merges"
    )
    absorbed_id = models.PositiveBigIntegerField(_("numéro du dossier fusionné"), unique=True)
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
    moved = models.JSONField(_("lignes rattachées"), default=dict)

    class Meta:
        verbose_name = _("fusion de dossiers")
        verbose_name_plural = _("fusions de dossiers")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.absorbed_id}→{self.kept_id}"


# Issue 20: the situation updates live in their own module.
from parcours.people.situations import SituationUpdate  # noqa: E402, F401
