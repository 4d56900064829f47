"""Validators of employment identifiers: SIRET (with the La Poste exception), ROME codes, NAF."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ROME_CODE = re.compile(r"^[A-N][0-9]{4}$")
ROME_FAMILY = re.compile(r"^[A-N][0-9]{2}$")
# NAF rév. 2 (INSEE): two digits, a dot, two digits and a letter, e.g. « 43.99C ».
NAF_CODE = re.compile(r"^[0-9]{2}\.[0-9]{2}[A-Z]$")
# INSEE: the establishments of La Poste share the SIREN 356 000 000; their SIRET numbers do not
# pass the Luhn check and are valid when the sum of their 14 digits is a multiple of 5.
LA_POSTE_SIREN = "356000000"


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum (ISO/IEC 7812-1) used by SIREN and SIRET numbers."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def siret_is_valid(value: str) -> bool:
    """Whether `value` (14 digits, spaces allowed) is a valid SIRET number."""
    digits = re.sub(r"\s", "", value or "")
    if not re.fullmatch(r"[0-9]{14}", digits):
        return False
    if digits.startswith(LA_POSTE_SIREN):
        return sum(int(char) for char in digits) % 5 == 0
    return luhn_valid(digits)


def normalise_siret(value: str) -> str:
    return re.sub(r"\s", "", value or "")


def validate_siret(value: str) -> None:
    digits = normalise_siret(value)
    if not re.fullmatch(r"[0-9]{14}", digits):
        raise ValidationError(
            _("Un numéro SIRET compte 14 chiffres (9 du SIREN et 5 du NIC)."), code="siret_format"
        )
    if not siret_is_valid(digits):
        raise ValidationError(
            _("Ce numéro SIRET n'est pas valide : vérifiez les chiffres (clé de contrôle)."),
            code="siret_checksum",
        )


def validate_naf(value: str) -> None:
    if value and not NAF_CODE.match(value):
        raise ValidationError(
            _(
                "Un code NAF s'écrit comme « 43.99C » : deux chiffres, un point, deux "
                "chiffres et une lettre."
            ),
            code="naf_format",
        )


def validate_rome_code(value: str) -> None:
    if not ROME_CODE.match(value or ""):
        raise ValidationError(
            _("Un code ROME s'écrit comme « F1703 » : une lettre et quatre chiffres."),
            code="rome_code",
        )
