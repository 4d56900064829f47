"""Age bands cover every age exactly once and say where each boundary falls."""

import datetime

import pytest

from parcours.indicators.bands import (
    DEFAULT_BANDS,
    UNKNOWN_AGE,
    AgeBand,
    AgeBandSet,
    InvalidBands,
    age_on,
)
from parcours.indicators.tables import SEX_ROWS
from parcours.people.models import Sex


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (0, "0-25"),
        (17, "0-25"),
        (25, "0-25"),
        (26, "26-45"),
        (45, "26-45"),
        (46, "46-64"),
        (64, "46-64"),
        (65, "65+"),
        (103, "65+"),
        (None, UNKNOWN_AGE),
    ],
)
def test_default_bands_place_the_seed_boundaries(age, band):
    assert DEFAULT_BANDS.band_for(age) == band


def test_default_bands_close_the_gaps_of_the_seed_and_add_unknown():
    assert DEFAULT_BANDS.codes == ["0-25", "26-45", "46-64", "65+", UNKNOWN_AGE]


def test_default_labels_say_where_25_and_65_fall():
    labels = [str(label) for _code, label in DEFAULT_BANDS.columns]
    assert labels == [
        "moins de 26 ans (25 ans inclus)",
        "26 à 45 ans",
        "46 à 64 ans",
        "65 ans et plus",
        "âge inconnu",
    ]


def test_every_age_falls_in_exactly_one_band():
    for age in range(0, 130):
        assert sum(band.contains(age) for band in DEFAULT_BANDS.bands) == 1


def test_a_gap_between_bands_is_refused():
    with pytest.raises(InvalidBands, match="gap"):
        AgeBandSet("x", "x", (AgeBand("a", "a", 0, 24), AgeBand("b", "b", 26, None)))


def test_overlapping_bands_are_refused():
    with pytest.raises(InvalidBands, match="overlap"):
        AgeBandSet("x", "x", (AgeBand("a", "a", 0, 26), AgeBand("b", "b", 26, None)))


def test_bands_must_start_at_zero():
    with pytest.raises(InvalidBands):
        AgeBandSet("x", "x", (AgeBand("a", "a", 16, None),))


def test_the_last_band_must_be_open_ended():
    with pytest.raises(InvalidBands, match="open-ended"):
        AgeBandSet("x", "x", (AgeBand("a", "a", 0, 64),))


def test_an_open_ended_band_must_be_last():
    with pytest.raises(InvalidBands, match="last"):
        AgeBandSet("x", "x", (AgeBand("a", "a", 0, None), AgeBand("b", "b", 30, None)))


def test_bands_built_from_lower_bounds_label_both_ends():
    bands = AgeBandSet.from_lower_bounds("youth", "Jeunes", [0, 16, 26])
    assert bands.codes == ["0-15", "16-25", "26+", UNKNOWN_AGE]
    assert [str(label) for _c, label in bands.columns][:3] == [
        "moins de 16 ans (jusqu'à 15 ans inclus)",
        "16 à 25 ans",
        "26 ans et plus",
    ]
    assert bands.band_for(25) == "16-25"


def test_bands_survive_a_round_trip_through_json():
    assert AgeBandSet.from_dict(DEFAULT_BANDS.as_dict()).codes == DEFAULT_BANDS.codes


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (datetime.date(2000, 1, 27), datetime.date(2026, 1, 27), 26),
        (datetime.date(2000, 1, 28), datetime.date(2026, 1, 27), 25),
        (datetime.date(2004, 2, 29), datetime.date(2026, 2, 28), 21),
        (datetime.date(2004, 2, 29), datetime.date(2026, 3, 1), 22),
        (None, datetime.date(2026, 1, 27), None),
    ],
)
def test_age_is_whole_years_on_the_event_day(birth, day, age):
    assert age_on(birth, day) == age


def test_sex_rows_use_the_person_record_codes_with_unknown_as_a_real_row():
    assert [code for code, _label in SEX_ROWS] == [Sex.FEMALE, Sex.MALE, Sex.UNKNOWN]
