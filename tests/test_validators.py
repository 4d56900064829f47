"""Identifier validators: what an agent may type and the message a wrong value gets."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from parcours.people.validators import normalise_agdref, normalise_ft_identifier, normalise_phone


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("7501234567", "7501234567"),
        ("750 123 4567", "7501234567"),
        ("75.01.23.45.67", "7501234567"),
    ],
)
def test_agdref_accepts_ten_digits_with_separators(typed, stored):
    assert normalise_agdref(typed) == stored


@pytest.mark.parametrize("typed", ["", "123456789", "12345678901", "75012345AB", "७५०१२३४५६७"])
def test_agdref_rejects_anything_but_ten_digits(typed):
    with pytest.raises(ValidationError) as error:
        normalise_agdref(typed)
    assert "10 chiffres" in error.value.messages[0]


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_any_ten_ascii_digits_are_a_valid_agdref(digits):
    assert normalise_agdref(digits) == digits


@given(
    st.text(min_size=0, max_size=20).filter(
        lambda s: not (s.isascii() and s.isdigit() and len(s) == 10)
    )
)
def test_agdref_never_accepts_another_shape_unchanged(text):
    try:
        result = normalise_agdref(text)
    except ValidationError:
        return
    # Only separators may have been removed.
    assert len(result) == 10 and result.isdigit() and result != text


@pytest.mark.parametrize(
    ("typed", "stored"), [("1234567a", "1234567A"), ("12345678901", "12345678901")]
)
def test_france_travail_identifier_shapes(typed, stored):
    assert normalise_ft_identifier(typed) == stored


@pytest.mark.parametrize("typed", ["123456A", "ABCDEFGH", "123456789", "1234567-"])
def test_france_travail_identifier_rejects_wrong_shapes(typed):
    with pytest.raises(ValidationError) as error:
        normalise_ft_identifier(typed)
    assert "France Travail" in error.value.messages[0]


def test_phone_numbers_are_normalised():
    assert normalise_phone("06 12 34 56 78") == "0612345678"
    assert normalise_phone("+33 6 12 34 56 78") == "+33612345678"
    with pytest.raises(ValidationError):
        normalise_phone("appeler le soir")
