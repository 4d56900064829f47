"""Situation updates of a person (issue 20 part 4) and the situation they give at a date.

A partner or a DT auditor records a change of situation with the date it happened: a new job
(contract type, ROME code, employer), a training, the end of a contract or of a training,
language training on working time (CIAI law), a registration at France Travail, or something
else. The rows are an append-only history written by `people.services.record_situation` only;
the impact figures (indicators.impact) read the state they give at a date (`state_on`), so
the impact comes from facts, not estimates.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# ROME (répertoire opérationnel des métiers et des emplois, France Travail), version 3 and 4
# codes: a letter of the 14 major domains A to N, then four digits (e.g. « J1501 »).
ROME_CODE_PATTERN = r"^[A-N]\d{4}$"
ROME_CODE_RE = re.compile(ROME_CODE_PATTERN)
validate_rome_code = RegexValidator(
    ROME_CODE_PATTERN,
    _("Le code ROME est une lettre de A à N suivie de quatre chiffres (par exemple J1501)."),
    code="invalid_rome",
)
# Law n° 2024-42 of 26 January 2024 (« CIAI »), art. 2 (code du travail, L. 6321-3): an
# employer may give a CIR signatory up to 80 hours of French training on working time.
WORK_LANGUAGE_TRAINING_MAX_HOURS = 80


class SituationKind(models.TextChoices):
    JOB = "job", _("Nouvel emploi")
    TRAINING = "training", _("Entrée en formation")
    TRAINING_END = "training_end", _("Fin de formation")
    CONTRACT_END = "contract_end", _("Fin de contrat")
    WORK_LANGUAGE_TRAINING = (
        "work_language_training",
        _("Formation en français sur le temps de travail"),
    )
    FT_REGISTRATION = "ft_registration", _("Inscription à France Travail")
    OTHER = "other", _("Autre changement")


class ContractType(models.TextChoices):
    CDI = "cdi", _("CDI")
    CDD = "cdd", _("CDD")
    INTERIM = "interim", _("Intérim")
    APPRENTICESHIP = "alternance", _("Alternance (apprentissage, professionnalisation)")
    IAE = "iae", _("Insertion par l'activité économique (IAE)")
    OTHER = "other", _("Autre contrat")


class TrainingKind(models.TextChoices):
    VOCATIONAL = "vocational", _("Formation professionnelle qualifiante")
    PRE_QUALIFYING = "pre_qualifying", _("Formation pré-qualifiante")
    LANGUAGE = "language", _("Formation linguistique")
    VAE = "vae", _("Validation des acquis de l'expérience (VAE)")
    OTHER = "other", _("Autre formation")


class SituationSource(models.TextChoices):
    PAGE = "page", _("Saisie dans Parcours")
    API = "api", _("API d'un partenaire")


# The fields each kind carries; every other detail field stays empty (DB constraints below).
KIND_FIELDS = {
    SituationKind.JOB: ("contract_type", "rome_code", "employer_name"),
    SituationKind.TRAINING: ("training_kind",),
    SituationKind.WORK_LANGUAGE_TRAINING: ("hours",),
    SituationKind.OTHER: ("detail",),
}
DETAIL_FIELDS = ("contract_type", "rome_code", "employer_name", "training_kind", "hours", "detail")
REQUIRED_FIELDS = {
    SituationKind.JOB: ("contract_type", "rome_code"),
    SituationKind.TRAINING: ("training_kind",),
    SituationKind.WORK_LANGUAGE_TRAINING: ("hours",),
    SituationKind.OTHER: ("detail",),
}

# Issue 20: written through the person services only (history, access log, outcome).
_writes_allowed = contextvars.ContextVar("parcours_situation_writes", default=False)


class SituationWriteOutsideServices(RuntimeError):
    """A situation update saved outside `parcours.people.services`."""


@contextlib.contextmanager
def situation_writes():
    token = _writes_allowed.set(True)
    try:
        yield
    finally:
        _writes_allowed.reset(token)


def _empty(value) -> bool:
    return value in (None, "")


class SituationUpdate(models.Model):
    """One change of a person's situation, dated: an append-only row of their history."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("personne"),
        on_delete=models.PROTECT,
        related_name="situation_updates",
    )
    kind = models.CharField(_("changement"), max_length=30, choices=SituationKind.choices)
    occurred_on = models.DateField(_("date du changement"))
    contract_type = models.CharField(
        _("type de contrat"), max_length=12, choices=ContractType.choices, blank=True
    )
    rome_code = models.CharField(
        _("code ROME du métier"),
        max_length=5,
        blank=True,
        validators=[validate_rome_code],
        help_text=_("Une lettre de A à N puis quatre chiffres, par exemple J1501."),
    )
    employer_name = models.CharField(_("employeur"), max_length=150, blank=True)
    training_kind = models.CharField(
        _("type de formation"), max_length=20, choices=TrainingKind.choices, blank=True
    )
    hours = models.PositiveSmallIntegerField(
        _("nombre d'heures"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(WORK_LANGUAGE_TRAINING_MAX_HOURS)],
        help_text=_("Jusqu'à 80 heures sur le temps de travail (loi du 26 janvier 2024)."),
    )
    detail = models.CharField(
        _("précision"),
        max_length=200,
        blank=True,
        help_text=_("Une phrase factuelle ; aucune information de santé ni de vie privée."),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("structure"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisi par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("saisi le"), auto_now_add=True)
    source = models.CharField(
        _("source"), max_length=4, choices=SituationSource.choices, default=SituationSource.PAGE
    )
    # A partner's system may send the same update twice (a retried request): one row.
    idempotency_key = models.CharField(max_length=100, blank=True, editable=False)

    class Meta:
        verbose_name = _("changement de situation")
        verbose_name_plural = _("changements de situation")
        ordering = ["person", "occurred_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SituationKind.values), name="situation_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(source__in=SituationSource.values), name="situation_source_known"
            ),
            models.CheckConstraint(
                condition=~Q(kind=SituationKind.JOB) | (~Q(contract_type="") & ~Q(rome_code="")),
                name="situation_job_has_contract_and_rome",
            ),
            models.CheckConstraint(
                condition=Q(kind=SituationKind.JOB)
                | Q(contract_type="", rome_code="", employer_name=""),
                name="situation_job_fields_on_jobs_only",
            ),
            models.CheckConstraint(
                condition=(Q(kind=SituationKind.TRAINING) & ~Q(training_kind=""))
                | (~Q(kind=SituationKind.TRAINING) & Q(training_kind="")),
                name="situation_training_kind_on_trainings_only",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind=SituationKind.WORK_LANGUAGE_TRAINING,
                    hours__gte=1,
                    hours__lte=WORK_LANGUAGE_TRAINING_MAX_HOURS,
                )
                | (~Q(kind=SituationKind.WORK_LANGUAGE_TRAINING) & Q(hours__isnull=True)),
                name="situation_hours_within_ciai_limit",
            ),
            models.UniqueConstraint(
                fields=["organisation", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="situation_idempotency_once",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "occurred_on"], name="situation_person_day"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.occurred_on})"

    def save(self, *args, **kwargs):
        if not _writes_allowed.get():
            raise SituationWriteOutsideServices(
                "SituationUpdate saved outside parcours.people.services.record_situation"
            )
        if not self._state.adding:
            raise SituationWriteOutsideServices("situation updates are append-only")
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        kind = self.kind
        allowed = set(KIND_FIELDS.get(kind, ()))
        for name in REQUIRED_FIELDS.get(kind, ()):
            if _empty(getattr(self, name)):
                errors[name] = _("Ce champ est obligatoire pour ce changement.")
        for name in DETAIL_FIELDS:
            if name not in allowed and not _empty(getattr(self, name)):
                errors[name] = _("Ce champ ne s'applique pas à ce changement.")
        if errors:
            raise ValidationError(errors)

    @property
    def summary(self) -> str:
        """One line for the timeline and the lists (no free text beyond the detail)."""
        parts = []
        if self.kind == SituationKind.JOB:
            parts += [self.get_contract_type_display(), self.rome_code, self.employer_name]
        elif self.kind == SituationKind.TRAINING:
            parts.append(self.get_training_kind_display())
        elif self.kind == SituationKind.WORK_LANGUAGE_TRAINING and self.hours:
            parts.append(_("%(hours)s h") % {"hours": self.hours})
        elif self.kind == SituationKind.OTHER:
            parts.append(self.detail)
        return " · ".join(str(part) for part in parts if part)


# ---------------------------------------------------------------------------------------------
# The situation at a date (pure: the impact figures and the tests read it)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Situation:
    """What the impact figures count at a date: in work (with the occupation), in training,
    registered at France Travail."""

    employed: bool = False
    rome_code: str = ""
    in_training: bool = False
    ft_registered: bool = False


@dataclass(frozen=True)
class Step:
    """An update as the state reads it: its date, its order of recording, what it says."""

    occurred_on: datetime.date
    order: int
    kind: str
    rome_code: str = ""


def apply(state: Situation, step: Step) -> Situation:
    """The state after one update. A job replaces the previous one (its occupation counts); the
    end of a contract ends work; a training starts or ends training; a France Travail
    registration stays (a removal from the list is not recorded here). Language training on
    working time and « other » leave the three counts as they were."""
    if step.kind == SituationKind.JOB:
        return replace(state, employed=True, rome_code=step.rome_code)
    if step.kind == SituationKind.CONTRACT_END:
        return replace(state, employed=False, rome_code="")
    if step.kind == SituationKind.TRAINING:
        return replace(state, in_training=True)
    if step.kind == SituationKind.TRAINING_END:
        return replace(state, in_training=False)
    if step.kind == SituationKind.FT_REGISTRATION:
        return replace(state, ft_registered=True)
    return state


def state_on(initial: Situation, steps: Iterable[Step], day: datetime.date) -> Situation:
    """The state on `day` (included): `initial` (the reception day's facts), then every update
    dated on or before `day`, in date order, and in recording order for one date (the later
    entry of two on the same day is the one that stands). Updates after `day` are ignored."""
    state = initial
    for step in sorted(steps, key=lambda s: (s.occurred_on, s.order)):
        if step.occurred_on > day:
            break
        state = apply(state, step)
    return state
