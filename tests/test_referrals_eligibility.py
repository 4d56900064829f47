"""Eligibility rules: each built-in rule explained in plain French, boundaries included."""

import dataclasses
import datetime

from hypothesis import given
from hypothesis import strategies as st

from parcours.people.models import (
    INTERNATIONAL_PROTECTION_STATUSES,
    EmploymentStatus,
    LanguageLevel,
    ResidenceStatus,
)
from parcours.referrals.eligibility import (
    EligibilityStatus,
    Outcome,
    PersonFacts,
    RsaRule,
    SchemeRules,
    age_on,
    evaluate,
)

ENTRY = datetime.date(2026, 9, 1)
EPIDE = SchemeRules(min_age=17, max_age=25, min_level=LanguageLevel.A2, level_waiver_allowed=True)
MISSION_LOCALE = SchemeRules(min_age=16, max_age=25)
AGIR = SchemeRules(residence_statuses=frozenset(INTERNATIONAL_PROTECTION_STATUSES))
FACTS = PersonFacts(
    birth_date=datetime.date(2004, 3, 10),
    residence_status=ResidenceStatus.REFUGEE,
    language_level=LanguageLevel.A2,
    rsa_recipient=False,
    employment_status=EmploymentStatus.JOB_SEEKER,
    department_code="57",
)


def facts(**changes) -> PersonFacts:
    return dataclasses.replace(FACTS, **changes)


def born(years_before: int, entry: datetime.date = ENTRY, days: int = 0) -> datetime.date:
    return entry.replace(year=entry.year - years_before) + datetime.timedelta(days=days)


# Age ------------------------------------------------------------------------------------------


def test_a_person_aged_25_on_the_entry_date_is_eligible_to_a_17_25_scheme():
    verdict = evaluate(MISSION_LOCALE, facts(birth_date=born(26, days=1)), ENTRY)
    assert verdict.status == EligibilityStatus.ELIGIBLE
    assert verdict.reasons == [
        "25 ans à l'entrée prévue le 1 septembre 2026 (public : 16 à 25 ans)."
    ]


def test_a_person_who_turned_26_the_day_before_the_entry_date_is_not_eligible():
    verdict = evaluate(MISSION_LOCALE, facts(birth_date=born(26, days=-1)), ENTRY)
    assert verdict.status == EligibilityStatus.NOT_ELIGIBLE
    assert verdict.reasons == [
        "26 ans à l'entrée prévue le 1 septembre 2026 : le dispositif accueille jusqu'à 25 ans."
    ]


def test_a_person_turning_26_on_the_entry_date_is_not_eligible():
    verdict = evaluate(MISSION_LOCALE, facts(birth_date=born(26)), ENTRY)
    assert verdict.status == EligibilityStatus.NOT_ELIGIBLE


def test_a_person_turning_17_on_the_entry_date_is_eligible_to_epide():
    verdict = evaluate(EPIDE, facts(birth_date=born(17)), ENTRY)
    assert verdict.status == EligibilityStatus.ELIGIBLE


def test_a_person_turning_17_the_day_after_the_entry_date_is_too_young_for_epide():
    verdict = evaluate(EPIDE, facts(birth_date=born(17, days=1)), ENTRY)
    assert verdict.status == EligibilityStatus.NOT_ELIGIBLE
    assert (
        "16 ans à l'entrée prévue le 1 septembre 2026 : le dispositif accueille à partir de 17 ans."
        in verdict.reasons
    )


def test_age_is_judged_at_the_planned_entry_date_not_today():
    person = facts(birth_date=datetime.date(2000, 12, 1))
    assert evaluate(MISSION_LOCALE, person, datetime.date(2026, 11, 30)).status == "eligible"
    assert evaluate(MISSION_LOCALE, person, datetime.date(2026, 12, 1)).status == "not_eligible"


def test_a_person_born_on_29_february_has_their_birthday_on_1_march_in_common_years():
    birth = datetime.date(2000, 2, 29)
    assert age_on(birth, datetime.date(2026, 2, 28)) == 25
    assert age_on(birth, datetime.date(2026, 3, 1)) == 26
    assert age_on(birth, datetime.date(2028, 2, 29)) == 28
    assert evaluate(MISSION_LOCALE, facts(birth_date=birth), datetime.date(2026, 2, 28)).status == (
        EligibilityStatus.ELIGIBLE
    )
    assert evaluate(MISSION_LOCALE, facts(birth_date=birth), datetime.date(2026, 3, 1)).status == (
        EligibilityStatus.NOT_ELIGIBLE
    )


def test_an_unknown_birth_date_asks_for_a_check_and_never_passes_silently():
    verdict = evaluate(MISSION_LOCALE, facts(birth_date=None), ENTRY)
    assert verdict.status == EligibilityStatus.TO_CHECK
    assert verdict.reasons == ["Date de naissance inconnue : âge à vérifier."]


def test_a_minimum_age_alone_is_explained_as_an_open_range():
    verdict = evaluate(SchemeRules(min_age=18), facts(birth_date=born(30)), ENTRY)
    assert verdict.reasons == [
        "30 ans à l'entrée prévue le 1 septembre 2026 (public : 18 ans et plus)."
    ]


# Residence status (AGIR) -----------------------------------------------------------------------


def test_a_refugee_is_eligible_to_agir():
    verdict = evaluate(AGIR, facts(residence_status=ResidenceStatus.REFUGEE), ENTRY)
    assert verdict.status == EligibilityStatus.ELIGIBLE
    assert verdict.reasons == ["Catégorie de séjour « Réfugié » admise."]


def test_a_worker_is_not_eligible_to_agir_and_told_who_is():
    verdict = evaluate(AGIR, facts(residence_status=ResidenceStatus.WORKER), ENTRY)
    assert verdict.status == EligibilityStatus.NOT_ELIGIBLE
    assert verdict.reasons == [
        "Catégorie de séjour « Salarié ou travailleur » : le dispositif est réservé aux "
        "catégories suivantes : Réfugié, Protection subsidiaire, Apatride."
    ]


def test_an_unknown_residence_status_is_to_check():
    verdict = evaluate(AGIR, facts(residence_status=None), ENTRY)
    assert verdict.status == EligibilityStatus.TO_CHECK
    assert verdict.reasons == ["Catégorie de séjour inconnue : à vérifier."]


# Language level (Epide: A2 with a waiver) ------------------------------------------------------


def test_a2_meets_the_epide_level():
    verdict = evaluate(EPIDE, facts(birth_date=born(20)), ENTRY)
    assert verdict.status == EligibilityStatus.ELIGIBLE
    assert "Niveau de français A2, adapté au dispositif." in verdict.reasons


def test_below_a2_epide_is_possible_with_a_justified_waiver():
    verdict = evaluate(EPIDE, facts(birth_date=born(20), language_level=LanguageLevel.A1), ENTRY)
    assert verdict.status == EligibilityStatus.ELIGIBLE_WITH_WAIVER
    assert verdict.needs_waiver
    assert (
        "Niveau de français A1, inférieur au niveau A2 requis : dérogation possible, à justifier "
        "par la personne qui oriente." in verdict.reasons
    )


def test_below_the_minimum_level_without_waiver_is_not_eligible():
    rules = SchemeRules(min_level=LanguageLevel.A2)
    verdict = evaluate(rules, facts(language_level=LanguageLevel.INFRA_A1), ENTRY)
    assert verdict.status == EligibilityStatus.NOT_ELIGIBLE
    assert verdict.reasons == ["Niveau de français Infra A1, inférieur au niveau A2 requis."]


def test_above_the_maximum_level_is_not_eligible():
    rules = SchemeRules(min_level=LanguageLevel.A2, max_level=LanguageLevel.B1)
    verdict = evaluate(rules, facts(language_level=LanguageLevel.B2_OR_ABOVE), ENTRY)
    assert verdict.status == EligibilityStatus.NOT_ELIGIBLE
    assert verdict.reasons == [
        "Niveau de français B2 ou plus, au-delà du niveau B1 auquel s'adresse le dispositif."
    ]


def test_the_maximum_level_itself_is_admitted():
    rules = SchemeRules(min_level=LanguageLevel.A2, max_level=LanguageLevel.B1)
    assert evaluate(rules, facts(language_level=LanguageLevel.B1), ENTRY).status == "eligible"


def test_no_positioning_yet_is_to_check():
    verdict = evaluate(SchemeRules(min_level=LanguageLevel.A2), facts(language_level=None), ENTRY)
    assert verdict.status == EligibilityStatus.TO_CHECK
    assert verdict.reasons == ["Niveau de français inconnu (pas de positionnement) : à vérifier."]


# RSA, employment situation, département --------------------------------------------------------


def test_a_scheme_for_rsa_recipients_refuses_others():
    rules = SchemeRules(rsa=RsaRule.REQUIRED)
    assert evaluate(rules, facts(rsa_recipient=True), ENTRY).reasons == ["Allocataire du RSA."]
    verdict = evaluate(rules, facts(rsa_recipient=False), ENTRY)
    assert verdict.status == EligibilityStatus.NOT_ELIGIBLE
    assert verdict.reasons == [
        "N'est pas allocataire du RSA : le dispositif est réservé aux allocataires."
    ]


def test_a_scheme_excluding_rsa_recipients_refuses_them():
    rules = SchemeRules(rsa=RsaRule.EXCLUDED)
    assert evaluate(rules, facts(rsa_recipient=False), ENTRY).status == "eligible"
    verdict = evaluate(rules, facts(rsa_recipient=True), ENTRY)
    assert verdict.reasons == [
        "Allocataire du RSA : le dispositif ne s'adresse pas aux allocataires du RSA."
    ]


def test_unknown_rsa_is_to_check():
    verdict = evaluate(SchemeRules(rsa=RsaRule.REQUIRED), facts(rsa_recipient=None), ENTRY)
    assert verdict.status == EligibilityStatus.TO_CHECK
    assert verdict.reasons == ["Droit au RSA inconnu : à vérifier."]


def test_employment_situations_restrict_the_public():
    rules = SchemeRules(
        employment_statuses=frozenset({EmploymentStatus.JOB_SEEKER, EmploymentStatus.INACTIVE})
    )
    assert evaluate(rules, FACTS, ENTRY).reasons == ["Situation « Demandeur d'emploi » admise."]
    verdict = evaluate(rules, facts(employment_status=EmploymentStatus.CDI), ENTRY)
    assert verdict.status == EligibilityStatus.NOT_ELIGIBLE
    assert verdict.reasons == [
        "Situation « En emploi – CDI » : le dispositif s'adresse aux situations suivantes : "
        "Demandeur d'emploi, Inactif."
    ]
    unknown = evaluate(rules, facts(employment_status=None), ENTRY)
    assert unknown.reasons == ["Situation professionnelle non renseignée : à vérifier."]


def test_a_person_outside_the_departements_served_is_not_eligible():
    rules = SchemeRules(department_codes=frozenset({"67", "68"}))
    verdict = evaluate(rules, facts(department_code="57"), ENTRY)
    assert verdict.status == EligibilityStatus.NOT_ELIGIBLE
    assert verdict.reasons == [
        "Réside dans le département 57, que le dispositif ne dessert pas "
        "(départements desservis : 67, 68)."
    ]
    inside = evaluate(rules, facts(department_code="68"), ENTRY)
    assert inside.reasons == ["Réside dans le département 68, desservi par le dispositif."]


def test_a_scheme_without_conditions_says_so():
    verdict = evaluate(SchemeRules(), FACTS, ENTRY)
    assert verdict.status == EligibilityStatus.ELIGIBLE
    assert verdict.reasons == ["Aucune condition d'accès particulière."]


def test_every_condition_is_explained_not_only_the_first_failure():
    rules = dataclasses.replace(EPIDE, department_codes=frozenset({"67"}))
    verdict = evaluate(rules, facts(birth_date=born(30), department_code="57"), ENTRY)
    assert [check.rule for check in verdict.checks] == ["department", "age", "language_level"]
    assert [check.outcome for check in verdict.checks] == [Outcome.FAIL, Outcome.FAIL, Outcome.PASS]


def test_a_failure_outweighs_an_unknown_fact_and_an_unknown_outweighs_a_waiver():
    rules = dataclasses.replace(EPIDE, rsa=RsaRule.REQUIRED)
    waiver_and_unknown = facts(birth_date=born(20), language_level="a1", rsa_recipient=None)
    assert evaluate(rules, waiver_and_unknown, ENTRY).status == EligibilityStatus.TO_CHECK
    failing = facts(birth_date=born(40), rsa_recipient=None)
    assert evaluate(rules, failing, ENTRY).status == EligibilityStatus.NOT_ELIGIBLE


# Properties ----------------------------------------------------------------------------------

dates = st.dates(min_value=datetime.date(1930, 1, 1), max_value=datetime.date(2040, 12, 31))


def _anniversary(birth: datetime.date, years: int) -> datetime.date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # 29 February in a common year: the birthday is 1 March
        return datetime.date(birth.year + years, 3, 1)


@given(birth=dates, on=dates)
def test_age_is_the_number_of_birthdays_reached(birth, on):
    if on < birth:
        return
    expected = 0
    while _anniversary(birth, expected + 1) <= on:
        expected += 1
    assert age_on(birth, on) == expected


@given(birth=dates, days=st.integers(min_value=0, max_value=40_000), extra=st.integers(0, 400))
def test_age_never_decreases_with_time(birth, days, extra):
    on = birth + datetime.timedelta(days=days)
    assert age_on(birth, on + datetime.timedelta(days=extra)) >= age_on(birth, on)


@given(
    birth=dates,
    entry=dates,
    low=st.integers(min_value=0, max_value=70),
    span=st.integers(min_value=0, max_value=30),
)
def test_an_age_range_admits_exactly_the_ages_within_its_bounds(birth, entry, low, span):
    rules = SchemeRules(min_age=low, max_age=low + span)
    verdict = evaluate(rules, facts(birth_date=birth), entry)
    age = age_on(birth, entry)
    inside = low <= age <= low + span
    assert (verdict.status == EligibilityStatus.ELIGIBLE) == inside
    assert (verdict.status == EligibilityStatus.NOT_ELIGIBLE) == (not inside)


RANK = {
    EligibilityStatus.ELIGIBLE: 0,
    EligibilityStatus.ELIGIBLE_WITH_WAIVER: 1,
    EligibilityStatus.TO_CHECK: 2,
    EligibilityStatus.NOT_ELIGIBLE: 3,
}
levels = st.sampled_from(list(LanguageLevel))

rules_strategy = st.builds(
    SchemeRules,
    min_age=st.none() | st.integers(14, 30),
    max_age=st.none() | st.integers(30, 70),
    residence_statuses=st.frozensets(st.sampled_from(list(ResidenceStatus)), max_size=3),
    min_level=st.none() | levels,
    max_level=st.none() | levels,
    level_waiver_allowed=st.booleans(),
    rsa=st.sampled_from(list(RsaRule)),
    employment_statuses=st.frozensets(st.sampled_from(list(EmploymentStatus)), max_size=3),
    department_codes=st.frozensets(st.sampled_from(["02", "57", "67", "68"]), max_size=2),
)
facts_strategy = st.builds(
    PersonFacts,
    birth_date=st.none() | dates,
    residence_status=st.none() | st.sampled_from(list(ResidenceStatus)),
    language_level=st.none() | levels,
    rsa_recipient=st.none() | st.booleans(),
    employment_status=st.none() | st.sampled_from(list(EmploymentStatus)),
    department_code=st.none() | st.sampled_from(["02", "57", "67", "68"]),
)
CONDITIONS = {
    "age": {"min_age": None, "max_age": None},
    "residence_status": {"residence_statuses": frozenset()},
    "language_level": {"min_level": None, "max_level": None},
    "rsa": {"rsa": RsaRule.ANY},
    "employment": {"employment_statuses": frozenset()},
    "department": {"department_codes": frozenset()},
}


@given(
    rules=rules_strategy,
    person=facts_strategy,
    entry=dates,
    dropped=st.sampled_from(list(CONDITIONS)),
)
def test_removing_a_condition_never_makes_a_verdict_worse(rules, person, entry, dropped):
    full = evaluate(rules, person, entry)
    relaxed = evaluate(dataclasses.replace(rules, **CONDITIONS[dropped]), person, entry)
    assert RANK[relaxed.status] <= RANK[full.status]


@given(rules=rules_strategy, person=facts_strategy, entry=dates)
def test_every_verdict_gives_its_reasons_and_matches_them(rules, person, entry):
    verdict = evaluate(rules, person, entry)
    assert verdict.reasons and all(reason.strip() for reason in verdict.reasons)
    outcomes = {check.outcome for check in verdict.checks}
    assert (verdict.status == EligibilityStatus.NOT_ELIGIBLE) == (Outcome.FAIL in outcomes)
    if verdict.status == EligibilityStatus.ELIGIBLE:
        assert outcomes == {Outcome.PASS}


@given(rules=rules_strategy, person=facts_strategy, entry=dates)
def test_an_unknown_fact_never_gives_a_plain_eligible(rules, person, entry):
    verdict = evaluate(rules, person, entry)
    if any(check.outcome == Outcome.UNKNOWN for check in verdict.checks):
        assert verdict.status in (EligibilityStatus.TO_CHECK, EligibilityStatus.NOT_ELIGIBLE)
