"""French public holidays on a PFA day, from the maintained `holidays` library (pinned).

Planning a session on a public holiday is allowed, but asks for a confirmation. Alsace-Moselle
(Bas-Rhin 67, Haut-Rhin 68, Moselle 57) also keeps Good Friday and 26 December (local law,
Code du travail art. L. 3134-13; Good Friday strictly in communes with a Protestant temple or
a mixed church, the library applies it to the whole département, which is right for a
warning); the library knows them as subdivisions "6AE" and "57", and the overseas
départements by their codes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

import holidays
from django.utils import translation

# Département code → subdivision of holidays.France.
_SUBDIVISIONS = {"57": "57", "67": "6AE", "68": "6AE"}
_LANGUAGES = {"fr": "fr", "en": "en_US"}


@dataclass(frozen=True)
class PublicHoliday:
    name: str
    # The départements of the list where the day is a holiday; empty: all of them.
    departments: tuple[str, ...] = ()


def _calendar(subdivision: str | None, year: int):
    language = _LANGUAGES.get((translation.get_language() or "fr")[:2], "fr")
    return holidays.France(subdiv=subdivision, years=year, language=language)


def _subdivision(code: str) -> str | None:
    if code in _SUBDIVISIONS:
        return _SUBDIVISIONS[code]
    return code if code in holidays.France.subdivisions else None


def public_holiday(day: datetime.date, department_codes: Iterable[str]) -> PublicHoliday | None:
    """The public holiday on `day` in any of the départements, if there is one."""
    codes = sorted(set(department_codes))
    national = _calendar(None, day.year).get(day)
    if national:
        return PublicHoliday(national)
    local = {}
    for code in codes:
        subdivision = _subdivision(code)
        if subdivision is None:
            continue
        name = _calendar(subdivision, day.year).get(day)
        if name:
            local.setdefault(name, []).append(code)
    if not local:
        return None
    name, where = next(iter(local.items()))
    return PublicHoliday(name, tuple(where))
