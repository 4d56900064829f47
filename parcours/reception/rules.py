"""Rules of the reception day as pure functions over plain values (no database access).

Language levels are the string values of ``parcours.people.models.LanguageLevel`` and
situations those of ``EmploymentStatus``; dates are ``datetime.date``. Rules that change with
regulation are dated data (``RuleVersion``), and a decision records the version that made it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from parcours.people import ages
from parcours.people.models import EMPLOYED_STATUSES, LEVEL_ORDER, EmploymentStatus, LanguageLevel

# --------------------------------------------------------------------------------------------
# Age at an event
# --------------------------------------------------------------------------------------------


def age_on(birth_date: datetime.date | None, on: datetime.date) -> int | None:
    """Age in whole years on `on` (exact birthday arithmetic), None when unknown.

    A person is one year older on each anniversary of their birth date; someone born on
    29 February is one year older on 1 March in common years. An event dated before the birth
    date has no age. Indicators count people by their age at the event's date (DESIGN.md,
    "Indicators are declared once"), so events store this value: it survives the later
    blanking of exact birth dates by the retention task.
    """
    if birth_date is not None and on < birth_date:
        return None
    return ages.age_on(birth_date, on)


# --------------------------------------------------------------------------------------------
# Language positioning and training prescription (FLE)
# --------------------------------------------------------------------------------------------


def level_rank(level: str) -> int:
    """0 for infra-A1 up to 4 for B2 or above; ValueError for anything else."""
    return LEVEL_ORDER[LanguageLevel(level)]


def resulting_level(written: str, oral: str) -> str:
    """The level placed by the positioning: the lower of the written and oral results.

    A CEFR level is held when it is reached both in writing and orally (DOMAIN.md, "Language
    positioning": written and oral tests place the person on the scale).
    """
    return min(written, oral, key=level_rank)


class NoRuleInForce(ValueError):
    """No prescription rule applies on the requested date (before 1 March 2019)."""


@dataclass(frozen=True)
class RuleVersion:
    """One version of the language training prescription rule, valid on [valid_from, valid_to].

    `paths` maps the positioning score (rank of the written level + rank of the oral level:
    0 for infra-A1 in both, 8 for B2 or above in both) to training hours: the first pair whose
    bound is >= the score gives the hours. The official grid of the positioning provider is not
    public: the bounds are Parcours' reading of the public texts, kept here as data so that a
    correction is one new version and every past decision still names the version that made
    it. To be confirmed with OFII before production.
    """

    code: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    target: str
    mandatory: bool
    cap_hours: int
    non_reader_hours: int
    paths: tuple[tuple[int, int], ...]
    source: str

    def applies_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


FLE_RULES: tuple[RuleVersion, ...] = (
    RuleVersion(
        code="fle-2019",
        valid_from=datetime.date(2019, 3, 1),
        valid_to=datetime.date(2025, 7, 14),
        target=LanguageLevel.A1,
        mandatory=True,
        cap_hours=600,
        non_reader_hours=600,
        paths=((0, 400), (1, 200), (8, 100)),
        source=(
            "Réforme du CIR du 1er mars 2019 : parcours obligatoires de 100, 200 ou 400 h vers "
            "le niveau A1, 600 h pour les non-lecteurs non-scripteurs (DOMAIN.md, FLE ; "
            "immigration.interieur.gouv.fr)."
        ),
    ),
    RuleVersion(
        code="fle-2025-07-15",
        valid_from=datetime.date(2025, 7, 15),
        valid_to=None,
        target=LanguageLevel.A2,
        mandatory=False,
        cap_hours=600,
        non_reader_hours=600,
        paths=((0, 600), (1, 400), (2, 300), (8, 200)),
        source=(
            "Décret n° 2025-647 du 15 juillet 2025 : formation proposée sous le niveau A2, "
            "600 h au plus, que la personne accepte ou refuse (DOMAIN.md, FLE)."
        ),
    ),
)


def rule_in_force(day: datetime.date, rules: Iterable[RuleVersion] = FLE_RULES) -> RuleVersion:
    """The prescription rule version valid on `day`; NoRuleInForce before the first one."""
    for rule in rules:
        if rule.applies_on(day):
            return rule
    raise NoRuleInForce(day)


class PrescriptionKind:
    NONE = "none"
    MANDATORY = "mandatory"
    PROPOSED = "proposed"


@dataclass(frozen=True)
class Prescription:
    rule_version: str
    level: str
    target: str
    hours: int
    kind: str

    @property
    def proposed(self) -> bool:
        return self.kind == PrescriptionKind.PROPOSED


def prescribe(
    written: str, oral: str, interview_date: datetime.date, can_read: bool = True
) -> Prescription:
    """The language training decision for a positioning, by the rule in force on the interview.

    Before 15 July 2025 (rule "fle-2019") training below A1 is prescribed and mandatory, in
    paths of 100/200/400 h, 600 h for people who neither read nor write; since the decree of
    15 July 2025 (rule "fle-2025-07-15") training is proposed below A2, capped at 600 h, and
    the person accepts or declines it (DOMAIN.md, FLE; sources in FLE_RULES).
    """
    rule = rule_in_force(interview_date)
    level = resulting_level(written, oral)
    if level_rank(level) >= level_rank(rule.target):
        return Prescription(rule.code, level, rule.target, 0, PrescriptionKind.NONE)
    if can_read:
        score = level_rank(written) + level_rank(oral)
        hours = next(hours for bound, hours in rule.paths if score <= bound)
    else:
        hours = rule.non_reader_hours
    kind = PrescriptionKind.MANDATORY if rule.mandatory else PrescriptionKind.PROPOSED
    return Prescription(rule.code, level, rule.target, min(hours, rule.cap_hours), kind)


# --------------------------------------------------------------------------------------------
# Orientations decided at the diagnostic interview
# --------------------------------------------------------------------------------------------

# DOMAIN.md: Epide takes people aged 17 to 25, Mission locale 16 to 25 (bounds included).
AGE_LIMITED_ORIENTATIONS: dict[str, tuple[int, int]] = {
    "epide": (17, 25),
    "mission_locale": (16, 25),
}


def orientation_refusal(target: str, *, age: int | None, is_bpi: bool) -> str | None:
    """Why an orientation does not fit the person ("agir_needs_bpi" or "age"), else None.

    DOMAIN.md: AGIR is for beneficiaries of international protection (BPI) only; Epide is for
    people aged 17 to 25 and Mission locale for 16 to 25, age on the interview date. An unknown
    age is not a reason to refuse.
    """
    if target == "agir" and not is_bpi:
        return "agir_needs_bpi"
    bounds = AGE_LIMITED_ORIENTATIONS.get(target)
    if bounds is not None and age is not None and not bounds[0] <= age <= bounds[1]:
        return "age"
    return None


# --------------------------------------------------------------------------------------------
# The CIP interview of the Metz experiment
# --------------------------------------------------------------------------------------------

# Seed 001: "ne seront pas concernées les personnes ayant un travail, suivant une formation
# professionnelle, les étudiants".
OUT_OF_SCOPE_SITUATIONS = frozenset(
    EMPLOYED_STATUSES | {EmploymentStatus.VOCATIONAL_TRAINING, EmploymentStatus.STUDENT}
)


def in_experiment_scope(situation: str) -> bool:
    """Whether the CIP interview concerns a person in this situation.

    Seed 001 (Metz experiment): people in work (CDI, CDD, interim), in vocational training and
    students are not concerned; everyone else is, an unknown situation included.
    """
    return situation not in OUT_OF_SCOPE_SITUATIONS


def needs_ft_registration(
    situation: str, *, already_ft: bool, rsa_recipient: bool, agir_followed: bool
) -> bool:
    """Whether the CIP registers the person at France Travail during the interview.

    Seed 001: for a person in scope, the CIP checks whether they are already registered at
    France Travail, receive RSA (registered automatically) or will be followed by AGIR; if none
    of these, the CIP registers them on the spot.
    """
    return in_experiment_scope(situation) and not (already_ft or rsa_recipient or agir_followed)


def experiment_open_on(
    day: datetime.date, periods: Iterable[tuple[datetime.date, datetime.date]]
) -> bool:
    """Whether `day` falls in one of the experiment periods (bounds included).

    Seed 001: the Metz experiment runs under a subsidy agreement from 8 December 2025 to
    30 November 2026; periods are data (``CipExperiment``), per directorate and agreement.
    """
    return any(start <= day <= end for start, end in periods)


# --------------------------------------------------------------------------------------------
# The day's summary
# --------------------------------------------------------------------------------------------


class Bucket:
    """Situation buckets of the day's summary, in the priority order of `situation_bucket`."""

    CDI = "cdi"
    CDD = "cdd"
    INTERIM = "interim"
    TRAINING = "training"
    STUDENT = "student"
    RSA = "rsa"
    AGIR = "agir"
    ALREADY_FT = "already_ft"
    NOT_REGISTERED = "not_registered"
    NOT_SEEN = "not_seen"

    ORDER = (
        CDI,
        CDD,
        INTERIM,
        TRAINING,
        STUDENT,
        RSA,
        AGIR,
        ALREADY_FT,
        NOT_REGISTERED,
        NOT_SEEN,
    )


_SITUATION_BUCKETS = {
    EmploymentStatus.CDI: Bucket.CDI,
    EmploymentStatus.CDD: Bucket.CDD,
    EmploymentStatus.INTERIM: Bucket.INTERIM,
    EmploymentStatus.VOCATIONAL_TRAINING: Bucket.TRAINING,
    EmploymentStatus.STUDENT: Bucket.STUDENT,
}


def situation_bucket(
    situation: str | None, *, rsa_recipient: bool, agir_followed: bool, already_ft: bool
) -> str:
    """The one bucket a person present at the PFA falls into in the day's summary.

    Priority, first match wins: not seen by the CIP (no situation recorded); out of scope by
    situation, in the order of seed 001's breakdown (CDI, CDD, interim, vocational training,
    student), so a worker who also receives RSA counts as in work; RSA recipient (registered
    at France Travail automatically, so before "already FT", as on 27 January 2026); followed
    by AGIR (the other group the experiment leaves out); already registered at France Travail;
    otherwise not registered on arrival. This order gives the 27 January 2026 day of seed 001:
    8 CDI, 4 CDD, 1 in training, 1 RSA, 3 already at France Travail, 4 not registered (all 4
    registered that day), 21 in all.
    """
    if not situation:
        return Bucket.NOT_SEEN
    if situation in _SITUATION_BUCKETS:
        return _SITUATION_BUCKETS[situation]
    if rsa_recipient:
        return Bucket.RSA
    if agir_followed:
        return Bucket.AGIR
    if already_ft:
        return Bucket.ALREADY_FT
    return Bucket.NOT_REGISTERED


@dataclass(frozen=True)
class SeenPerson:
    """What the summary needs of one person present: the CIP interview's answers, if any."""

    situation: str | None
    rsa_recipient: bool = False
    agir_followed: bool = False
    already_ft: bool = False
    registered_today: bool = False


@dataclass(frozen=True)
class DaySummary:
    counts: dict[str, int]
    registered_today: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def summarise(people: Iterable[SeenPerson]) -> DaySummary:
    """Count the people present into the summary's buckets (every person in exactly one).

    "Registered today" counts the France Travail registrations made during the CIP interviews;
    it is shown beside the buckets, not as one of them, so the buckets always add up to the
    number of people present.
    """
    counts = dict.fromkeys(Bucket.ORDER, 0)
    registered_today = 0
    for person in people:
        bucket = situation_bucket(
            person.situation,
            rsa_recipient=person.rsa_recipient,
            agir_followed=person.agir_followed,
            already_ft=person.already_ft,
        )
        counts[bucket] += 1
        registered_today += int(person.registered_today)
    return DaySummary(counts, registered_today)
