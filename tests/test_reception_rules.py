"""Rules of the reception day, without a database: examples, then properties (hypothesis)."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcours.people.models import EmploymentStatus, LanguageLevel
from parcours.reception import rules
from parcours.reception.rules import Bucket, PrescriptionKind, SeenPerson

LEVELS = list(LanguageLevel.values)
SITUATIONS = list(EmploymentStatus.values)
# Décret n° 2025-647, published on 17 July 2025, in force the next day (ADR 0009).
DECREE_2025 = datetime.date(2025, 7, 18)

dates = st.dates(min_value=datetime.date(2019, 3, 1), max_value=datetime.date(2035, 12, 31))
levels = st.sampled_from(LEVELS)


# --- Age at an event ---------------------------------------------------------------------


def test_age_turns_on_the_birthday_not_the_day_before():
    born = datetime.date(2000, 6, 15)
    assert rules.age_on(born, datetime.date(2025, 6, 14)) == 24
    assert rules.age_on(born, datetime.date(2025, 6, 15)) == 25


def test_a_29_february_birthday_is_reached_on_1_march_in_common_years():
    born = datetime.date(2004, 2, 29)
    assert rules.age_on(born, datetime.date(2025, 2, 28)) == 20
    assert rules.age_on(born, datetime.date(2025, 3, 1)) == 21
    assert rules.age_on(born, datetime.date(2028, 2, 29)) == 24


def test_an_unknown_birth_date_gives_an_unknown_age():
    assert rules.age_on(None, datetime.date(2026, 1, 27)) is None


birth_dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2030, 1, 1))


@given(born=birth_dates, days=st.integers(0, 40_000))
def test_age_never_decreases_and_grows_by_at_most_one_a_day(born, days):
    day = born + datetime.timedelta(days=days)
    next_day = day + datetime.timedelta(days=1)
    age, next_age = rules.age_on(born, day), rules.age_on(born, next_day)
    assert age >= 0
    assert next_age - age in (0, 1)


@given(born=birth_dates, years=st.integers(1, 100))
def test_age_is_the_number_of_whole_years_elapsed(born, years):
    try:
        anniversary = born.replace(year=born.year + years)
    except ValueError:  # 29 February in a common year: the birthday is 1 March
        anniversary = datetime.date(born.year + years, 3, 1)
    assert rules.age_on(born, anniversary) == years
    assert rules.age_on(born, anniversary - datetime.timedelta(days=1)) == years - 1


# --- Language training offers ----------------------------------------------------------------


def test_before_the_2025_decree_training_below_a1_is_mandatory_and_in_person():
    decision = rules.prescribe("infra_a1", "infra_a1", datetime.date(2024, 5, 2))
    assert (decision.rule_version, decision.level, decision.target) == (
        "fle-2019",
        "infra_a1",
        "a1",
    )
    assert (decision.hours, decision.kind, decision.modality) == (400, "mandatory", "in_person")
    assert decision.paces == ()


def test_the_2019_rule_has_the_four_paths_100_200_400_and_600_hours():
    day = datetime.date(2023, 1, 10)
    assert rules.prescribe("infra_a1", "infra_a1", day).hours == 400
    assert rules.prescribe("infra_a1", "a1", day).hours == 200
    assert rules.prescribe("infra_a1", "b1", day).hours == 100
    assert rules.prescribe("infra_a1", "a1", day, can_read=False).hours == 600


def test_under_the_2019_rule_a1_is_enough():
    decision = rules.prescribe("a1", "a1", DECREE_2025 - datetime.timedelta(days=1))
    assert (decision.kind, decision.hours, decision.modality) == (PrescriptionKind.NONE, 0, "")


def test_the_2019_rule_applies_until_17_july_2025_and_the_2025_rule_from_18_july():
    assert rules.prescribe("a1", "a1", datetime.date(2025, 7, 15)).rule_version == "fle-2019"
    assert rules.prescribe("a1", "a1", datetime.date(2025, 7, 17)).rule_version == "fle-2019"
    assert rules.prescribe("a1", "a1", datetime.date(2025, 7, 18)).rule_version == "fle-2025-07"


def test_since_18_july_2025_a_reader_below_a2_is_proposed_the_asynchronous_platform():
    decision = rules.prescribe("a1", "a1", DECREE_2025)
    assert (decision.rule_version, decision.kind, decision.target) == (
        "fle-2025-07",
        PrescriptionKind.PROPOSED,
        "a2",
    )
    assert decision.modality == rules.Modality.ASYNCHRONOUS
    assert decision.hours is None  # no text states an hour limit for the platform
    assert decision.paces == ()


def test_since_18_july_2025_a_non_reader_is_proposed_600_hours_in_person_with_a_pace():
    decision = rules.prescribe("infra_a1", "a1", DECREE_2025, can_read=False)
    assert (decision.modality, decision.hours, decision.duration_months) == ("in_person", 600, 12)
    assert decision.paces == ("extensive", "semi_intensive", "intensive")
    assert rules.PACE_WEEKLY_HOURS == {
        "extensive": (6, 10),
        "semi_intensive": (11, 19),
        "intensive": (20, 30),
    }


def test_since_18_july_2025_little_schooling_also_opens_the_in_person_course():
    decision = rules.prescribe("a1", "a1", DECREE_2025, little_schooling=True)
    assert (decision.modality, decision.hours) == ("in_person", 600)


def test_since_18_july_2025_a2_needs_no_training():
    decision = rules.prescribe("a2", "b1", datetime.date(2026, 1, 27))
    assert (decision.kind, decision.hours, decision.modality) == (PrescriptionKind.NONE, 0, "")


def test_no_rule_is_in_force_before_march_2019():
    with pytest.raises(rules.NoRuleInForce):
        rules.prescribe("a1", "a1", datetime.date(2019, 2, 28))


def test_every_rule_version_names_its_texts_and_reads_its_first_day():
    for rule in rules.FLE_RULES:
        assert rule.texts and rule.first_day_reading
    assert "n° 2025-647" in " ".join(rules.rule_in_force(DECREE_2025).texts)
    assert "question écrite n° 7550" in " ".join(rules.rule_in_force(DECREE_2025).texts)


def test_the_withdrawn_2025_grid_is_never_applied_but_still_explained():
    assert rules.rule_version("fle-2025-07-15") is None
    assert "fle-2025-07-15" in rules.WITHDRAWN_FLE_RULES
    assert all(rule.code != "fle-2025-07-15" for rule in rules.FLE_RULES)


def test_the_resulting_level_is_the_lower_of_written_and_oral():
    assert rules.resulting_level("b1", "a1") == "a1"
    assert rules.resulting_level("infra_a1", "b2_plus") == "infra_a1"


def test_rule_versions_cover_every_day_from_2019_without_overlap():
    for earlier, later in zip(rules.FLE_RULES, rules.FLE_RULES[1:], strict=False):
        assert later.valid_from == earlier.valid_to + datetime.timedelta(days=1)
    assert rules.FLE_RULES[-1].valid_to is None


# Dates around each rule's first day (a week either side), and anywhere after 2019.
FIRST_DAYS = [rule.valid_from for rule in rules.FLE_RULES]
near_first_days = st.builds(
    lambda first, offset: first + datetime.timedelta(days=offset),
    st.sampled_from(FIRST_DAYS[1:]) | st.just(FIRST_DAYS[0] + datetime.timedelta(days=7)),
    st.integers(-7, 7),
)
any_day = dates | near_first_days


def _texts_offer(written, oral, day, can_read, little_schooling):
    """The offer as the texts state it (DOMAIN.md, FLE), written independently of rules.py."""
    level = min(LEVELS.index(written), LEVELS.index(oral))
    if day < datetime.date(2025, 7, 18):
        if level >= LEVELS.index("a1"):
            return ("fle-2019", "none", "", 0)
        if not can_read:
            return ("fle-2019", "mandatory", "in_person", 600)
        return ("fle-2019", "mandatory", "in_person", "path")
    if level >= LEVELS.index("a2"):
        return ("fle-2025-07", "none", "", 0)
    if not can_read or little_schooling:
        return ("fle-2025-07", "proposed", "in_person", 600)
    return ("fle-2025-07", "proposed", "asynchronous", None)


@given(written=levels, oral=levels, day=any_day, can_read=st.booleans(), little=st.booleans())
def test_the_offer_and_modality_are_those_the_texts_describe(written, oral, day, can_read, little):
    decision = rules.prescribe(written, oral, day, can_read=can_read, little_schooling=little)
    code, kind, modality, hours = _texts_offer(written, oral, day, can_read, little)
    assert (decision.rule_version, decision.kind, decision.modality) == (code, kind, modality)
    if hours == "path":
        assert decision.hours in (100, 200, 400)
    else:
        assert decision.hours == hours
    assert decision.proposed == (kind == "proposed")
    # Paces exist for the in-person course of the 2025 rule only.
    assert bool(decision.paces) == (code == "fle-2025-07" and modality == "in_person")


@given(written=levels, oral=levels, day=any_day, can_read=st.booleans(), little=st.booleans())
def test_hours_never_exceed_600_and_match_the_kind(written, oral, day, can_read, little):
    decision = rules.prescribe(written, oral, day, can_read=can_read, little_schooling=little)
    if decision.kind == PrescriptionKind.NONE:
        assert decision.hours == 0
    elif decision.modality == rules.Modality.ASYNCHRONOUS:
        assert decision.hours is None
    else:
        assert 0 < decision.hours <= 600


@given(written=levels, oral=levels, day=any_day)
def test_no_training_exactly_when_the_target_is_reached(written, oral, day):
    decision = rules.prescribe(written, oral, day)
    reached = rules.level_rank(rules.resulting_level(written, oral)) >= rules.level_rank(
        decision.target
    )
    assert (decision.kind == PrescriptionKind.NONE) == reached


@given(written=levels, oral=levels, better=levels, day=dates, can_read=st.booleans())
def test_a_better_result_never_gets_more_in_person_hours(written, oral, better, day, can_read):
    if rules.level_rank(better) < rules.level_rank(written):
        return
    worse = rules.prescribe(written, oral, day, can_read=can_read)
    improved = rules.prescribe(better, oral, day, can_read=can_read)
    assert (improved.hours or 0) <= (worse.hours or 600)


@given(written=levels, oral=levels, day=any_day)
def test_a_person_who_cannot_read_is_always_offered_the_in_person_course(written, oral, day):
    reader = rules.prescribe(written, oral, day, can_read=True)
    non_reader = rules.prescribe(written, oral, day, can_read=False)
    if non_reader.training:
        assert (non_reader.modality, non_reader.hours) == ("in_person", 600)
        assert (reader.hours or 0) <= non_reader.hours


@given(day=any_day, modality=st.sampled_from(["in_person", "asynchronous"]))
def test_a_version_gives_hours_only_for_the_modalities_it_offers(day, modality):
    rule = rules.rule_in_force(day)
    if modality not in rule.modalities:
        assert rule.in_person_for_all and modality == "asynchronous"
        return
    hours = rule.hours_for(modality, score=0, can_read=True)
    assert hours is None if modality == "asynchronous" else hours in (400, 600)


# --- Orientations --------------------------------------------------------------------------


def test_agir_is_only_for_beneficiaries_of_international_protection():
    assert rules.orientation_refusal("agir", age=30, is_bpi=False) == "agir_needs_bpi"
    assert rules.orientation_refusal("agir", age=30, is_bpi=True) is None


@pytest.mark.parametrize(
    ("target", "age", "refused"),
    [
        ("epide", 16, True),
        ("epide", 17, False),
        ("epide", 25, False),
        ("epide", 26, True),
        ("mission_locale", 15, True),
        ("mission_locale", 16, False),
        ("mission_locale", 26, True),
        ("epide", None, False),
        ("france_travail", 70, False),
    ],
)
def test_age_limited_orientations_use_the_age_on_the_interview_day(target, age, refused):
    assert (rules.orientation_refusal(target, age=age, is_bpi=True) == "age") is refused


@given(target=st.sampled_from(["epide", "mission_locale"]), age=st.integers(0, 120))
def test_an_age_limited_orientation_fits_exactly_inside_its_bounds(target, age):
    low, high = rules.AGE_LIMITED_ORIENTATIONS[target]
    fits = rules.orientation_refusal(target, age=age, is_bpi=False) is None
    assert fits == (low <= age <= high)


# --- The CIP experiment ----------------------------------------------------------------------


@pytest.mark.parametrize("situation", ["cdi", "cdd", "interim", "vocational_training", "student"])
def test_people_in_work_training_or_studies_are_not_concerned(situation):
    assert not rules.in_experiment_scope(situation)


@pytest.mark.parametrize("situation", ["job_seeker", "inactive", "unknown"])
def test_everyone_else_is_concerned(situation):
    assert rules.in_experiment_scope(situation)


@given(
    situation=st.sampled_from(SITUATIONS),
    already_ft=st.booleans(),
    rsa=st.booleans(),
    agir=st.booleans(),
)
def test_the_cip_registers_only_people_in_scope_with_no_other_follow_up(
    situation, already_ft, rsa, agir
):
    needs = rules.needs_ft_registration(
        situation, already_ft=already_ft, rsa_recipient=rsa, agir_followed=agir
    )
    assert needs == (rules.in_experiment_scope(situation) and not (already_ft or rsa or agir))


def test_the_experiment_period_includes_both_ends():
    metz = [(datetime.date(2025, 12, 8), datetime.date(2026, 11, 30))]
    assert rules.experiment_open_on(datetime.date(2025, 12, 8), metz)
    assert rules.experiment_open_on(datetime.date(2026, 11, 30), metz)
    assert not rules.experiment_open_on(datetime.date(2025, 12, 7), metz)
    assert not rules.experiment_open_on(datetime.date(2026, 12, 1), metz)
    assert not rules.experiment_open_on(datetime.date(2026, 1, 27), [])


# --- The day's summary -----------------------------------------------------------------------


def test_the_27_january_2026_day_gives_the_breakdown_of_seed_001():
    people = (
        [SeenPerson("cdi")] * 8
        + [SeenPerson("cdd")] * 4
        + [SeenPerson("vocational_training")]
        + [SeenPerson("job_seeker", rsa_recipient=True, already_ft=True)]
        + [SeenPerson("job_seeker", already_ft=True)] * 3
        + [SeenPerson("job_seeker", registered_today=True)] * 4
    )
    summary = rules.summarise(people)
    assert summary.counts == {
        Bucket.CDI: 8,
        Bucket.CDD: 4,
        Bucket.INTERIM: 0,
        Bucket.TRAINING: 1,
        Bucket.STUDENT: 0,
        Bucket.RSA: 1,
        Bucket.AGIR: 0,
        Bucket.ALREADY_FT: 3,
        Bucket.NOT_REGISTERED: 4,
        Bucket.NOT_SEEN: 0,
    }
    assert summary.registered_today == 4
    assert summary.total == 21


def test_a_worker_receiving_rsa_counts_as_in_work():
    assert (
        rules.situation_bucket("cdd", rsa_recipient=True, agir_followed=False, already_ft=True)
        == Bucket.CDD
    )


def test_a_person_present_but_not_seen_by_the_cip_is_counted_not_dropped():
    summary = rules.summarise([SeenPerson(None), SeenPerson("cdi")])
    assert summary.counts[Bucket.NOT_SEEN] == 1
    assert summary.total == 2


seen_people = st.builds(
    SeenPerson,
    situation=st.one_of(st.none(), st.sampled_from(SITUATIONS)),
    rsa_recipient=st.booleans(),
    agir_followed=st.booleans(),
    already_ft=st.booleans(),
    registered_today=st.booleans(),
)


@given(people=st.lists(seen_people, max_size=60))
def test_every_person_present_falls_in_exactly_one_bucket(people):
    summary = rules.summarise(people)
    assert summary.total == len(people)
    assert set(summary.counts) == set(Bucket.ORDER)
    assert all(count >= 0 for count in summary.counts.values())


@given(person=seen_people)
def test_people_out_of_scope_are_counted_by_their_situation_whatever_else_is_true(person):
    bucket = rules.situation_bucket(
        person.situation,
        rsa_recipient=person.rsa_recipient,
        agir_followed=person.agir_followed,
        already_ft=person.already_ft,
    )
    if person.situation and not rules.in_experiment_scope(person.situation):
        assert bucket in {Bucket.CDI, Bucket.CDD, Bucket.INTERIM, Bucket.TRAINING, Bucket.STUDENT}
    elif person.situation:
        assert bucket in {Bucket.RSA, Bucket.AGIR, Bucket.ALREADY_FT, Bucket.NOT_REGISTERED}
