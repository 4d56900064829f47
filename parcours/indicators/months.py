"""A month typed as "AAAA-MM" and a period of months, checked the same way by pages and API."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from parcours.indicators.periods import Month, Period

# Two years of months is still one query; longer spans make pages nobody reads.
MAX_MONTHS = 24
# Figures exist from the first pathways on; a month past 2099 overflowed the date arithmetic
# of the periods into a server error (issue 14).
FIRST_MONTH, LAST_MONTH = Month(2000, 1), Month(2099, 12)


class MonthInput(forms.TextInput):
    input_type = "month"


class MonthField(forms.Field):
    """A month typed as "2026-01" (what <input type="month"> sends), cleaned to a Month."""

    widget = MonthInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("placeholder", "AAAA-MM")
        self.widget.attrs.setdefault("maxlength", "7")

    def to_python(self, value):
        value = (value or "").strip() if isinstance(value, str) else value
        if not value:
            return None
        if isinstance(value, Month):
            return value
        try:
            month = Month.parse(value)
        except ValueError as error:
            if not re.fullmatch(r"\d{4,}-(0[1-9]|1[0-2])", value):
                raise ValidationError(
                    _("Saisissez un mois sous la forme AAAA-MM, par exemple 2026-01."),
                    code="invalid_month",
                ) from error
            month = None  # a real month, of a year Month refuses (0001-01)
        if month is None or not FIRST_MONTH <= month <= LAST_MONTH:
            raise ValidationError(
                _("Choisissez un mois entre %(first)s et %(last)s."),
                code="month_out_of_range",
                params={"first": FIRST_MONTH, "last": LAST_MONTH},
            )
        return month

    def prepare_value(self, value):
        return str(value) if isinstance(value, Month) else value


def period_between(start: Month, end: Month | None) -> Period:
    """The period from start to end (start alone when end is None); ValidationError when
    it runs backwards or spans more than MAX_MONTHS."""
    end = end or start
    if end < start:
        raise ValidationError(_("Le mois de fin doit suivre le mois de début."), code="backwards")
    period = Period(start, end)
    if len(period.months) > MAX_MONTHS:
        raise ValidationError(
            _("Choisissez une période de %(max)s mois au plus.") % {"max": MAX_MONTHS},
            code="too_long",
        )
    return period
