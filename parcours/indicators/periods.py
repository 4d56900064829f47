"""Months, periods of months, French public holidays and the first working day of a month.

Pure functions, no database. Figures are monthly (seed 001: "chaque fin de mois"); a period
is a run of whole months. The monthly sending runs on the first working day of the month
(issue 5, item 7), which skips weekends and French public holidays (Code du travail,
art. L3133-1: 1 January, Easter Monday, 1 May, 8 May, Ascension, Whit Monday, 14 July,
15 August, 1 November, 11 November, 25 December). The local holidays of Alsace-Moselle
(Good Friday, 26 December; art. L3134-13) are included for the départements 57, 67 and 68
by passing `alsace_moselle=True`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import lru_cache, total_ordering

from django.utils.formats import date_format

_MONTH_TEXT = re.compile(r"^(\d{4})-(\d{1,2})$")


@total_ordering
@dataclass(frozen=True)
class Month:
    year: int
    month: int

    def __post_init__(self):
        if not 1 <= self.month <= 12:
            raise ValueError(f"invalid month: {self.month}")
        if not 1900 <= self.year <= 9999:
            raise ValueError(f"invalid year: {self.year}")

    @classmethod
    def of(cls, day: datetime.date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> Month:
        """Read "2026-01" (the value of an <input type="month">)."""
        match = _MONTH_TEXT.match((text or "").strip())
        if not match:
            raise ValueError(f"not a month: {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    @property
    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def last_day(self) -> datetime.date:
        return self.next.first_day - datetime.timedelta(days=1)

    @property
    def label(self) -> str:
        """ "janvier 2026" in the active language."""
        return date_format(self.first_day, "F Y")

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __lt__(self, other: Month) -> bool:
        return (self.year, self.month) < (other.year, other.month)


@dataclass(frozen=True)
class Period:
    """Whole months from `first` to `last`, both included."""

    first: Month
    last: Month

    def __post_init__(self):
        if self.last < self.first:
            raise ValueError("a period ends after it starts")

    @classmethod
    def single(cls, month: Month) -> Period:
        return cls(month, month)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(Month(year, 1), Month(year, 12))

    @property
    def months(self) -> list[Month]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = month.next
        return months

    @property
    def start(self) -> datetime.date:
        return self.first.first_day

    @property
    def end_exclusive(self) -> datetime.date:
        return self.last.next.first_day

    @property
    def label(self) -> str:
        if self.first == self.last:
            return self.first.label
        return f"{self.first.label} – {self.last.label}"

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}..{self.last}"


def public_holidays(year: int, *, alsace_moselle: bool = False) -> set[datetime.date]:
    """French public holidays of a year (Code du travail, art. L3133-1; L3134-13).

    From the maintained `holidays` library (pinned), as the reception day's warnings use it
    (reception/holidays.py): its Moselle calendar holds Alsace-Moselle's two local days.
    """
    return set(_holidays(year, alsace_moselle))


@lru_cache(maxsize=64)
def _holidays(year: int, alsace_moselle: bool) -> frozenset[datetime.date]:
    import holidays

    return frozenset(holidays.France(subdiv="57" if alsace_moselle else None, years=year))


def is_working_day(day: datetime.date, *, alsace_moselle: bool = False) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year, alsace_moselle=alsace_moselle)


def first_working_day(month: Month, *, alsace_moselle: bool = False) -> datetime.date:
    """The first day of `month` that is neither a weekend day nor a public holiday."""
    day = month.first_day
    while not is_working_day(day, alsace_moselle=alsace_moselle):
        day += datetime.timedelta(days=1)
    return day
