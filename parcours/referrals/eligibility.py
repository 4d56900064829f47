"""Eligibility of a person for a partner scheme: pure rules over plain facts, in plain French.

`evaluate(rules, facts, entry_date)` checks each rule the scheme declares and explains every
outcome. The rules come from the seeds and DOMAIN.md: Epide 17–25 with A2 required on entry
but waivable (seed 000), Mission locale 16–25, AGIR for beneficiaries of international
protection only (seed 001), RSA and employment situations for employment schemes, and the
départements a scheme serves. Unknown facts never pass silently: they give "à vérifier".
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.people.ages import age_on
from parcours.people.models import (
    LEVEL_ORDER,
    EmploymentStatus,
    LanguageLevel,
    ResidenceStatus,
)


class EligibilityStatus(models.TextChoices):
    ELIGIBLE = "eligible", gettext_lazy("Éligible")
    ELIGIBLE_WITH_WAIVER = "eligible_with_waiver", gettext_lazy("Éligible avec dérogation")
    TO_CHECK = "to_check", gettext_lazy("À vérifier")
    NOT_ELIGIBLE = "not_eligible", gettext_lazy("Non éligible")


class RsaRule(models.TextChoices):
    # One field rather than two booleans: "required and excluded" cannot be expressed.
    ANY = "any", gettext_lazy("Indifférent")
    REQUIRED = "required", gettext_lazy("Réservé aux allocataires du RSA")
    EXCLUDED = "excluded", gettext_lazy("Hors allocataires du RSA")


class Outcome(models.TextChoices):
    PASS = "pass", gettext_lazy("Condition remplie")
    FAIL = "fail", gettext_lazy("Condition non remplie")
    WAIVER = "waiver", gettext_lazy("Dérogation à justifier")
    UNKNOWN = "unknown", gettext_lazy("À vérifier")


@dataclass(frozen=True)
class SchemeRules:
    """The eligibility parameters of a scheme; an empty/None parameter means "no condition"."""

    min_age: int | None = None
    max_age: int | None = None
    residence_statuses: frozenset[str] = frozenset()
    min_level: str | None = None
    max_level: str | None = None
    level_waiver_allowed: bool = False
    rsa: str = RsaRule.ANY
    employment_statuses: frozenset[str] = frozenset()
    department_codes: frozenset[str] = frozenset()

    @property
    def uses_residence_status(self) -> bool:
        return bool(self.residence_statuses)

    @classmethod
    def from_scheme(cls, scheme) -> "SchemeRules":
        """Build from a Scheme (its `departments` should be prefetched)."""
        return cls(
            min_age=scheme.min_age,
            max_age=scheme.max_age,
            residence_statuses=frozenset(scheme.allowed_residence_statuses or ()),
            min_level=scheme.min_level or None,
            max_level=scheme.max_level or None,
            level_waiver_allowed=scheme.level_waiver_allowed,
            rsa=scheme.rsa_rule,
            employment_statuses=frozenset(scheme.allowed_employment_statuses or ()),
            department_codes=frozenset(d.code for d in scheme.departments.all()),
        )


@dataclass(frozen=True)
class PersonFacts:
    """What the rules need to know about a person; None means unknown."""

    birth_date: datetime.date | None = None
    residence_status: str | None = None
    language_level: str | None = None
    rsa_recipient: bool | None = None
    employment_status: str | None = None
    department_code: str | None = None

    @classmethod
    def from_person(cls, person) -> "PersonFacts":
        """Build from a Person (its `department` should be selected)."""
        employment = person.employment_status
        return cls(
            birth_date=person.birth_date,
            residence_status=person.residence_status or None,
            language_level=person.language_level or None,
            rsa_recipient=person.rsa_recipient,
            employment_status=None if employment in ("", EmploymentStatus.UNKNOWN) else employment,
            department_code=person.department.code if person.department_id else None,
        )


@dataclass(frozen=True)
class Check:
    rule: str
    outcome: str
    message: str


@dataclass(frozen=True)
class Verdict:
    status: str
    checks: tuple[Check, ...] = field(default_factory=tuple)

    @property
    def reasons(self) -> list[str]:
        return [check.message for check in self.checks]

    @property
    def needs_waiver(self) -> bool:
        return any(check.outcome == Outcome.WAIVER for check in self.checks)

    @property
    def status_label(self) -> str:
        return EligibilityStatus(self.status).label


def _date(value: datetime.date) -> str:
    return date_format(value, "DATE_FORMAT")


def _level_label(level: str) -> str:
    return str(LanguageLevel(level).label)


def _labels(choices, values: Iterable[str]) -> str:
    known = set(values)
    return ", ".join(str(label) for value, label in choices.choices if value in known)


def _age_range(rules: SchemeRules) -> str:
    if rules.min_age is not None and rules.max_age is not None:
        return _("%(min)s à %(max)s ans") % {"min": rules.min_age, "max": rules.max_age}
    if rules.min_age is not None:
        return _("%(min)s ans et plus") % {"min": rules.min_age}
    return _("jusqu'à %(max)s ans") % {"max": rules.max_age}


def check_department(rules: SchemeRules, facts: PersonFacts) -> Check | None:
    if not rules.department_codes:
        return None
    if facts.department_code is None:
        return Check(
            "department", Outcome.UNKNOWN, _("Département de résidence inconnu : à vérifier.")
        )
    if facts.department_code in rules.department_codes:
        return Check(
            "department",
            Outcome.PASS,
            _("Réside dans le département %(code)s, desservi par le dispositif.")
            % {"code": facts.department_code},
        )
    return Check(
        "department",
        Outcome.FAIL,
        _(
            "Réside dans le département %(code)s, que le dispositif ne dessert pas "
            "(départements desservis : %(codes)s)."
        )
        % {"code": facts.department_code, "codes": ", ".join(sorted(rules.department_codes))},
    )


def check_age(rules: SchemeRules, facts: PersonFacts, entry_date: datetime.date) -> Check | None:
    """Age at the planned entry date, bounds included: "17–25" admits a person aged 25 and
    refuses one who turned 26 the day before the entry date (Epide 17–25, seed 000; Mission
    locale 16–25, DOMAIN.md)."""
    if rules.min_age is None and rules.max_age is None:
        return None
    if facts.birth_date is None:
        return Check("age", Outcome.UNKNOWN, _("Date de naissance inconnue : âge à vérifier."))
    age = age_on(facts.birth_date, entry_date)
    values = {"age": age, "date": _date(entry_date), "range": _age_range(rules)}
    if rules.min_age is not None and age < rules.min_age:
        values["min"] = rules.min_age
        return Check(
            "age",
            Outcome.FAIL,
            _(
                "%(age)s ans à l'entrée prévue le %(date)s : le dispositif accueille à partir de "
                "%(min)s ans."
            )
            % values,
        )
    if rules.max_age is not None and age > rules.max_age:
        values["max"] = rules.max_age
        return Check(
            "age",
            Outcome.FAIL,
            _(
                "%(age)s ans à l'entrée prévue le %(date)s : le dispositif accueille jusqu'à "
                "%(max)s ans."
            )
            % values,
        )
    return Check(
        "age",
        Outcome.PASS,
        _("%(age)s ans à l'entrée prévue le %(date)s (public : %(range)s).") % values,
    )


def check_residence_status(rules: SchemeRules, facts: PersonFacts) -> Check | None:
    """AGIR is for beneficiaries of international protection only (DOMAIN.md, seed 001)."""
    if not rules.residence_statuses:
        return None
    if facts.residence_status is None:
        return Check(
            "residence_status", Outcome.UNKNOWN, _("Catégorie de séjour inconnue : à vérifier.")
        )
    label = _labels(ResidenceStatus, [facts.residence_status]) or facts.residence_status
    if facts.residence_status in rules.residence_statuses:
        return Check(
            "residence_status",
            Outcome.PASS,
            _("Catégorie de séjour « %(status)s » admise.") % {"status": label},
        )
    return Check(
        "residence_status",
        Outcome.FAIL,
        _(
            "Catégorie de séjour « %(status)s » : le dispositif est réservé aux catégories "
            "suivantes : %(allowed)s."
        )
        % {"status": label, "allowed": _labels(ResidenceStatus, rules.residence_statuses)},
    )


def check_language_level(rules: SchemeRules, facts: PersonFacts) -> Check | None:
    """Minimum or maximum CEFR level. Epide requires A2 on entry but takes volunteers below it
    with extra training (seed 000): a waivable minimum, which the referrer must justify."""
    if rules.min_level is None and rules.max_level is None:
        return None
    if facts.language_level is None:
        return Check(
            "language_level",
            Outcome.UNKNOWN,
            _("Niveau de français inconnu (pas de positionnement) : à vérifier."),
        )
    rank = LEVEL_ORDER[facts.language_level]
    level = _level_label(facts.language_level)
    if rules.min_level is not None and rank < LEVEL_ORDER[rules.min_level]:
        values = {"level": level, "min": _level_label(rules.min_level)}
        if rules.level_waiver_allowed:
            return Check(
                "language_level",
                Outcome.WAIVER,
                _(
                    "Niveau de français %(level)s, inférieur au niveau %(min)s requis : "
                    "dérogation possible, à justifier par la personne qui oriente."
                )
                % values,
            )
        return Check(
            "language_level",
            Outcome.FAIL,
            _("Niveau de français %(level)s, inférieur au niveau %(min)s requis.") % values,
        )
    if rules.max_level is not None and rank > LEVEL_ORDER[rules.max_level]:
        return Check(
            "language_level",
            Outcome.FAIL,
            _(
                "Niveau de français %(level)s, au-delà du niveau %(max)s auquel s'adresse le "
                "dispositif."
            )
            % {"level": level, "max": _level_label(rules.max_level)},
        )
    return Check(
        "language_level",
        Outcome.PASS,
        _("Niveau de français %(level)s, adapté au dispositif.") % {"level": level},
    )


def check_rsa(rules: SchemeRules, facts: PersonFacts) -> Check | None:
    if rules.rsa == RsaRule.ANY:
        return None
    if facts.rsa_recipient is None:
        return Check("rsa", Outcome.UNKNOWN, _("Droit au RSA inconnu : à vérifier."))
    if rules.rsa == RsaRule.REQUIRED:
        if facts.rsa_recipient:
            return Check("rsa", Outcome.PASS, _("Allocataire du RSA."))
        return Check(
            "rsa",
            Outcome.FAIL,
            _("N'est pas allocataire du RSA : le dispositif est réservé aux allocataires."),
        )
    if facts.rsa_recipient:
        return Check(
            "rsa",
            Outcome.FAIL,
            _("Allocataire du RSA : le dispositif ne s'adresse pas aux allocataires du RSA."),
        )
    return Check("rsa", Outcome.PASS, _("N'est pas allocataire du RSA."))


def check_employment(rules: SchemeRules, facts: PersonFacts) -> Check | None:
    if not rules.employment_statuses:
        return None
    if facts.employment_status is None:
        return Check(
            "employment",
            Outcome.UNKNOWN,
            _("Situation professionnelle non renseignée : à vérifier."),
        )
    label = _labels(EmploymentStatus, [facts.employment_status]) or facts.employment_status
    if facts.employment_status in rules.employment_statuses:
        return Check(
            "employment", Outcome.PASS, _("Situation « %(status)s » admise.") % {"status": label}
        )
    return Check(
        "employment",
        Outcome.FAIL,
        _(
            "Situation « %(status)s » : le dispositif s'adresse aux situations suivantes : "
            "%(allowed)s."
        )
        % {"status": label, "allowed": _labels(EmploymentStatus, rules.employment_statuses)},
    )


def status_of(checks: Iterable[Check]) -> str:
    """A failed condition excludes; an unknown fact asks for a check; a waiver is explicit."""
    outcomes = {check.outcome for check in checks}
    if Outcome.FAIL in outcomes:
        return EligibilityStatus.NOT_ELIGIBLE
    if Outcome.UNKNOWN in outcomes:
        return EligibilityStatus.TO_CHECK
    if Outcome.WAIVER in outcomes:
        return EligibilityStatus.ELIGIBLE_WITH_WAIVER
    return EligibilityStatus.ELIGIBLE


def evaluate(rules: SchemeRules, facts: PersonFacts, entry_date: datetime.date) -> Verdict:
    """Whether a person may enter a scheme on `entry_date`, with one reason per condition."""
    candidates = [
        check_department(rules, facts),
        check_age(rules, facts, entry_date),
        check_residence_status(rules, facts),
        check_language_level(rules, facts),
        check_rsa(rules, facts),
        check_employment(rules, facts),
    ]
    checks = tuple(check for check in candidates if check is not None)
    if not checks:
        checks = (Check("none", Outcome.PASS, _("Aucune condition d'accès particulière.")),)
    return Verdict(status_of(checks), checks)


def describe_rules(rules: SchemeRules) -> list[str]:
    """The access conditions of a scheme in plain French, for the directory."""
    lines = []
    if rules.min_age is not None or rules.max_age is not None:
        lines.append(_("Âge à l'entrée : %(range)s.") % {"range": _age_range(rules)})
    if rules.residence_statuses:
        lines.append(
            _("Réservé aux catégories de séjour : %(allowed)s.")
            % {"allowed": _labels(ResidenceStatus, rules.residence_statuses)}
        )
    if rules.min_level is not None:
        values = {"level": _level_label(rules.min_level)}
        if rules.level_waiver_allowed:
            lines.append(_("Niveau de français %(level)s minimum, dérogation possible.") % values)
        else:
            lines.append(_("Niveau de français %(level)s minimum.") % values)
    if rules.max_level is not None:
        lines.append(
            _("Niveau de français %(level)s au plus.") % {"level": _level_label(rules.max_level)}
        )
    if rules.rsa != RsaRule.ANY:
        lines.append(str(RsaRule(rules.rsa).label) + ".")
    if rules.employment_statuses:
        lines.append(
            _("Situations admises : %(allowed)s.")
            % {"allowed": _labels(EmploymentStatus, rules.employment_statuses)}
        )
    if not lines:
        lines.append(_("Aucune condition d'accès particulière."))
    return lines
