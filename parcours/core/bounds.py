"""The sane range of every date a user can type, and the characters no input may carry.

Issue 14 ("Bad input never wins"): a date far outside any pathway (`9999-12-31`, `0001-01-01`)
overflowed date arithmetic into a server error, and control characters (NUL, escape…) broke
PostgreSQL queries or hid text. Forms (`www.forms.DsfrForm`), query strings
(`core.middleware.RefuseControlCharactersMiddleware`) and the API check against these bounds.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Nobody on file was born before 1900; no pathway is planned beyond 2100.
MIN_DATE = datetime.date(1900, 1, 1)
MAX_DATE = datetime.date(2100, 12, 31)
# C0 controls and DEL, except tab, line feed and carriage return (typed in text areas).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

CONTROL_MESSAGE = _(
    "Votre saisie contient des caractères de contrôle (invisibles) : retirez-les et réessayez."
)


def has_control_characters(value: str) -> bool:
    return bool(CONTROL_CHARACTERS.search(value))


def date_in_range(day: datetime.date) -> bool:
    if isinstance(day, datetime.datetime):
        day = day.date()
    return MIN_DATE <= day <= MAX_DATE


def parse_date(value: str | None) -> datetime.date | None:
    """An ISO date typed in a query string, or None when absent, malformed or out of range."""
    try:
        day = datetime.date.fromisoformat(value or "")
    except ValueError:
        return None
    return day if date_in_range(day) else None


@deconstructible
class NoControlCharacters:
    """Field validator: refuses NUL and the other control characters."""

    def __call__(self, value):
        if isinstance(value, str) and has_control_characters(value):
            raise ValidationError(CONTROL_MESSAGE, code="control_characters")

    def __eq__(self, other):
        return isinstance(other, NoControlCharacters)


@deconstructible
class DateInRange:
    """Field validator: a date between MIN_DATE and MAX_DATE."""

    def __call__(self, value):
        if isinstance(value, datetime.date) and not date_in_range(value):
            raise ValidationError(
                _("Saisissez une date entre le %(min)s et le %(max)s."),
                code="date_out_of_range",
                params={"min": MIN_DATE.strftime("%d/%m/%Y"), "max": MAX_DATE.strftime("%d/%m/%Y")},
            )

    def __eq__(self, other):
        return isinstance(other, DateInRange)
