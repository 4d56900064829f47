"""Validators for the identifiers held on a person record.

Each takes the raw text an agent typed, returns the normalised value and raises a
ValidationError with a French message an agent understands.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_SEPARATORS = re.compile(r"[\s.\-]")


def normalise_agdref(value: str) -> str:
    """Return the AGDREF foreign-national number as 10 digits, or raise ValidationError.

    The AGDREF number printed on residence permits has 10 digits; agents often copy it
    with spaces or dots, which are dropped. No public checksum exists, so only the shape
    is checked.
    """
    cleaned = _SEPARATORS.sub("", value or "")
    if not cleaned.isdigit() or not cleaned.isascii() or len(cleaned) != 10:
        raise ValidationError(
            _("Le numéro AGDREF doit comporter exactement 10 chiffres (reçu : « %(value)s »).")
            % {"value": value},
            code="invalid_agdref",
        )
    return cleaned


def validate_agdref(value: str) -> None:
    normalise_agdref(value)


def normalise_ft_identifier(value: str) -> str:
    """Return a France Travail identifier in upper case, or raise ValidationError.

    Two shapes are in use: the historical 8 characters (7 digits then a letter or a digit)
    and the newer 11 digits (the same rule as the inclusion platform of the state).
    """
    cleaned = _SEPARATORS.sub("", value or "").upper()
    old_format = len(cleaned) == 8 and cleaned[:7].isdigit() and cleaned[7].isalnum()
    new_format = len(cleaned) == 11 and cleaned.isdigit()
    if not cleaned.isascii() or not (old_format or new_format):
        raise ValidationError(
            _(
                "L'identifiant France Travail doit comporter 8 caractères (7 chiffres puis "
                "une lettre ou un chiffre) ou 11 chiffres."
            ),
            code="invalid_ft_identifier",
        )
    return cleaned


def validate_ft_identifier(value: str) -> None:
    normalise_ft_identifier(value)


def normalise_phone(value: str) -> str:
    """Return a phone number with only digits and a leading +, or raise ValidationError."""
    cleaned = re.sub(r"[\s.\-()]", "", value or "")
    if not re.fullmatch(r"\+?\d{8,15}", cleaned):
        raise ValidationError(
            _("Le numéro de téléphone doit comporter de 8 à 15 chiffres, avec « + » éventuel."),
            code="invalid_phone",
        )
    return cleaned


def validate_phone(value: str) -> None:
    normalise_phone(value)
