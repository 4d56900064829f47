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
# Language positioning and training offers (FLE)
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


class Modality:
    """How the training is given (seed 001: « en présentiel ou en asynchrone (FL/FLA) »)."""

    IN_PERSON = "in_person"
    ASYNCHRONOUS = "asynchronous"


class Pace:
    """Paces of the in-person course since July 2025 (answer to written question n° 7550)."""

    EXTENSIVE = "extensive"
    SEMI_INTENSIVE = "semi_intensive"
    INTENSIVE = "intensive"


# Hours a week of each pace, bounds included: extensive 6–10 h, semi-intensive 11–19 h,
# intensive 20–30 h (answer to Assemblée nationale written question n° 7550, 17th legislature;
# OFII 2025 tenders).
PACE_WEEKLY_HOURS: dict[str, tuple[int, int]] = {
    Pace.EXTENSIVE: (6, 10),
    Pace.SEMI_INTENSIVE: (11, 19),
    Pace.INTENSIVE: (20, 30),
}


@dataclass(frozen=True)
class RuleVersion:
    """One version of the language training rule, valid on [valid_from, valid_to].

    Below `target`, the version makes an offer:
    - `in_person_for_all`: everyone gets the in-person course (2019), in `paths` of hours
      chosen by the positioning score (rank of the written level + rank of the oral level: 0
      for infra-A1 in both, 8 for B2 or above in both; the first pair whose bound is >= the
      score gives the hours), `non_reader_hours` for people who neither read nor write;
    - otherwise (2025) the in-person course of `non_reader_hours` is for people who do not
      read or write or have little schooling, at one of `paces` over `duration_months`, and
      everyone else gets the asynchronous platform, with no stated hour limit (hours None).

    `texts` are the public texts the version rests on; `first_day_reading` says why
    `valid_from` is that day. A correction is a new version: every decision keeps the code of
    the version that made it. The provider's official path grid is not public: the 2019
    bounds are Parcours' reading, to be confirmed with OFII.
    """

    code: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    target: str
    mandatory: bool
    in_person_for_all: bool
    non_reader_hours: int
    paths: tuple[tuple[int, int], ...]
    paces: tuple[str, ...]
    duration_months: int | None
    texts: tuple[str, ...]
    first_day_reading: str

    def applies_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @property
    def modalities(self) -> tuple[str, ...]:
        """The modalities this version offers (an agent may only choose among them)."""
        if self.in_person_for_all:
            return (Modality.IN_PERSON,)
        return (Modality.IN_PERSON, Modality.ASYNCHRONOUS)

    def hours_for(self, modality: str, *, score: int, can_read: bool) -> int | None:
        """Hours of the training in this modality; None where no text states a limit."""
        if modality == Modality.ASYNCHRONOUS:
            return None
        if not self.in_person_for_all or not can_read:
            return self.non_reader_hours
        return next(hours for bound, hours in self.paths if score <= bound)


# Décret n° 2025-647 du 15 juillet 2025, published in the Journal officiel of 17 July 2025: its
# provisions on the CIR's language training apply from the day after publication (ADR 0009).
FLE_2025_FIRST_DAY = datetime.date(2025, 7, 18)

FLE_RULES: tuple[RuleVersion, ...] = (
    RuleVersion(
        code="fle-2019",
        valid_from=datetime.date(2019, 3, 1),
        valid_to=FLE_2025_FIRST_DAY - datetime.timedelta(days=1),
        target=LanguageLevel.A1,
        mandatory=True,
        in_person_for_all=True,
        non_reader_hours=600,
        paths=((0, 400), (1, 200), (8, 100)),
        paces=(),
        duration_months=None,
        texts=(
            "Articles L. 311-9 et R. 311-24 du CESEDA (rédaction alors en vigueur)",
            "Arrêté du 27 février 2019 modifiant l'arrêté du 1er juillet 2016 relatif au "
            "contrat d'intégration républicaine (réforme appliquée au 1er mars 2019)",
            "Ministère de l'intérieur, « Le contrat d'intégration républicaine » : parcours "
            "de 100, 200 ou 400 h vers A1, 600 h pour les non-lecteurs non-scripteurs",
        ),
        first_day_reading="1er mars 2019 : date d'entrée en vigueur de la réforme du CIR.",
    ),
    RuleVersion(
        code="fle-2025-07",
        valid_from=FLE_2025_FIRST_DAY,
        valid_to=None,
        target=LanguageLevel.A2,
        mandatory=False,
        in_person_for_all=False,
        non_reader_hours=600,
        paths=(),
        paces=(Pace.EXTENSIVE, Pace.SEMI_INTENSIVE, Pace.INTENSIVE),
        duration_months=12,
        texts=(
            "Décret n° 2025-647 du 15 juillet 2025 (JO du 17 juillet 2025), dispositions en "
            "vigueur le 18 juillet 2025",
            "Arrêté du 22 juillet 2025 relatif à la formation linguistique du CIR",
            "Marchés de formation linguistique de l'OFII 2025 (exécution à partir du "
            "1er juillet 2025)",
            "Réponse à la question écrite n° 7550 (Assemblée nationale, XVIIe législature)",
        ),
        first_day_reading=(
            "18 juillet 2025 : lendemain de la publication du décret n° 2025-647 au Journal "
            "officiel du 17 juillet ; le 15 juillet est la date de signature, le 1er juillet "
            "celle des marchés de l'OFII, qui organisent l'offre sans fixer le droit de la "
            "personne."
        ),
    ),
)

# Versions no longer applied, kept so that the decisions they made can still be explained.
WITHDRAWN_FLE_RULES: dict[str, str] = {
    "fle-2025-07-15": (
        "Version retirée : grille de 600/400/300/200 h sous A2 qu'aucun texte ne donne "
        "(remplacée par fle-2025-07, issue 15). Les décisions prises gardent leurs heures."
    ),
}


def rule_in_force(day: datetime.date, rules: Iterable[RuleVersion] = FLE_RULES) -> RuleVersion:
    """The prescription rule version valid on `day`; NoRuleInForce before the first one."""
    for rule in rules:
        if rule.applies_on(day):
            return rule
    raise NoRuleInForce(day)


def rule_version(code: str) -> RuleVersion | None:
    """The version with this code, None for a withdrawn one (see WITHDRAWN_FLE_RULES)."""
    return next((rule for rule in FLE_RULES if rule.code == code), None)


class PrescriptionKind:
    NONE = "none"
    MANDATORY = "mandatory"
    PROPOSED = "proposed"


@dataclass(frozen=True)
class Prescription:
    """The offer of the rule in force: kind, modality, hours (None: no stated limit)."""

    rule_version: str
    level: str
    target: str
    hours: int | None
    kind: str
    modality: str = ""
    paces: tuple[str, ...] = ()
    duration_months: int | None = None
    score: int = 0
    can_read: bool = True

    @property
    def proposed(self) -> bool:
        return self.kind == PrescriptionKind.PROPOSED

    @property
    def training(self) -> bool:
        return self.kind != PrescriptionKind.NONE


def prescribe(
    written: str,
    oral: str,
    interview_date: datetime.date,
    can_read: bool = True,
    little_schooling: bool = False,
) -> Prescription:
    """The language training offer for a positioning, by the rule in force on the interview.

    From 1 March 2019 to 17 July 2025 ("fle-2019"): below A1, a mandatory in-person course of
    100/200/400 h, 600 h for people who neither read nor write. From 18 July 2025
    ("fle-2025-07"): below A2, a proposed course the person accepts or declines: in person,
    600 h over 12 months at an extensive, semi-intensive or intensive pace, for people who do
    not read or write or have little schooling; the asynchronous online platform, with no
    stated hour limit, for everyone else (DOMAIN.md, FLE; texts in FLE_RULES).
    """
    rule = rule_in_force(interview_date)
    level = resulting_level(written, oral)
    if level_rank(level) >= level_rank(rule.target):
        return Prescription(rule.code, level, rule.target, 0, PrescriptionKind.NONE)
    score = level_rank(written) + level_rank(oral)
    if rule.in_person_for_all or not can_read or little_schooling:
        modality = Modality.IN_PERSON
    else:
        modality = Modality.ASYNCHRONOUS
    hours = rule.hours_for(modality, score=score, can_read=can_read)
    return Prescription(
        rule.code,
        level,
        rule.target,
        hours,
        PrescriptionKind.MANDATORY if rule.mandatory else PrescriptionKind.PROPOSED,
        modality,
        rule.paces if modality == Modality.IN_PERSON else (),
        rule.duration_months,
        score,
        can_read,
    )


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
