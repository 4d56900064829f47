"""Indicator and report definitions, declared once as data (DESIGN.md, "Indicators").

An indicator says what is counted (persons or events), in which records, on which date, with
which filters; it is disaggregated by sex and by age band at the event's date. A report is
an ordered list of indicators computed together by one grouped query (queries.py). Modules
register their reports here; views, exports, approvals and the monthly sending read them
from the registry.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet


class Counted:
    PERSONS = "persons"  # each person once per month, directorate, sex and age band
    EVENTS = "events"  # each record


@dataclass(frozen=True)
class Indicator:
    """One figure, counted by sex × age band for each directorate and month.

    - `source` returns the queryset of the records (a callable, so models load lazily);
    - `date_field` is the event's date (a DateField or DateTimeField path): it decides the
      month and the age;
    - `directorate_field` is the path to the directorate the event belongs to;
    - `person_field` is the path to the person (sex, birth date, distinct counting), "" when
      the records are the persons themselves;
    - `age_field`, when set, is an age stored on the event at its date; otherwise the age is
      computed in SQL from the person's birth date at the event's date;
    - `age_fallback_field`, when set, is an age used when the birth date is no longer known
      (the retention task blanks exact birth dates; events keep the age they were recorded at);
    - `sex_field`, when set, is the person's sex copied on the record (ADR 0007); otherwise
      the sex is read on the person;
    - `filters` narrows the records.
    """

    code: str
    label: str
    help_text: str
    source: Callable[[], QuerySet]
    date_field: str
    directorate_field: str
    person_field: str = "person"
    age_field: str | None = None
    age_fallback_field: str | None = None
    sex_field: str | None = None
    filters: Q = field(default_factory=Q)
    counted: str = Counted.PERSONS

    def queryset(self) -> QuerySet:
        return self.source().filter(self.filters)


@dataclass(frozen=True)
class Section:
    """A titled group of indicators within a report (e.g. the experiment, the PFA)."""

    title: str
    indicator_codes: tuple[str, ...]
    help_text: str = ""


@dataclass(frozen=True)
class Rate:
    """A ratio of two indicators of the report, computed from their tables' totals.

    It is undefined (shown « non défini », never 0 %) when the denominator is 0, and hidden
    wherever one of the two totals is hidden by the small-cell protection.
    """

    code: str
    label: str
    help_text: str
    numerator: str
    denominator: str


class RelationKind:
    SUM = "sum"  # the whole is the sum of its parts, cell by cell
    WITHIN = "within"  # each part is at most the whole, cell by cell (a subset)
    COVERED = "covered"  # the whole is at most the sum of its parts (each is in one at least)


@dataclass(frozen=True)
class Relation:
    """A linear relation between indicators of a report, true cell by cell (same directorate,
    month, sex and age band), that a reader can know from the definitions printed with it.

    Declared once next to the indicators (issue 11): the small-cell protection of a release
    is chosen and audited over these relations, so that no hidden value can be worked out by
    subtracting one table from another. `source` says where the relation comes from.
    """

    kind: str
    whole: str
    parts: tuple[str, ...]
    source: str

    def rows(self) -> list[tuple[dict[str, int], bool]]:
        """The relation as rows Σ coefficient × indicator (= 0 when True, ≤ 0 when False)."""
        if self.kind == RelationKind.SUM:
            return [({self.whole: 1, **dict.fromkeys(self.parts, -1)}, True)]
        if self.kind == RelationKind.WITHIN:
            return [({part: 1, self.whole: -1}, False) for part in self.parts]
        if self.kind == RelationKind.COVERED:
            return [({self.whole: 1, **dict.fromkeys(self.parts, -1)}, False)]
        raise ValueError(f"unknown relation kind {self.kind!r}")


@dataclass(frozen=True)
class ReportDefinition:
    """A report: indicators computed together, in sections, with what a reader must know."""

    code: str
    title: str
    description: str
    indicators: tuple[Indicator, ...]
    sections: tuple[Section, ...] = ()
    # Whether the DT director approves this report month by month and it is e-mailed monthly.
    monthly: bool = True
    rates: tuple[Rate, ...] = ()
    relations: tuple[Relation, ...] = ()

    def indicator(self, code: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise KeyError(code)

    @property
    def grouped_sections(self) -> list[tuple[Section, list[Indicator]]]:
        if not self.sections:
            return [
                (Section(self.title, tuple(i.code for i in self.indicators)), list(self.indicators))
            ]
        return [
            (section, [self.indicator(code) for code in section.indicator_codes])
            for section in self.sections
        ]


_reports: dict[str, ReportDefinition] = {}


_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def register_report(report: ReportDefinition) -> ReportDefinition:
    """Add a report to the registry; its codes become SQL column names, so they are checked."""
    codes = [indicator.code for indicator in report.indicators]
    if len(set(codes)) != len(codes):
        raise ValueError(f"duplicate indicator codes in report {report.code!r}")
    bad = [code for code in [report.code, *codes] if not _CODE.match(code)]
    if bad:
        raise ValueError(f"codes must be lowercase identifiers: {bad!r}")
    for rate in report.rates:
        if {rate.numerator, rate.denominator} - set(codes):
            raise ValueError(f"rate {rate.code!r} divides indicators the report does not have")
    for relation in report.relations:
        if {relation.whole, *relation.parts} - set(codes):
            raise ValueError(f"a relation of {report.code!r} names indicators it does not have")
    _reports[report.code] = report
    return report


def get_report(code: str) -> ReportDefinition:
    """The registered report with this code; KeyError when unknown."""
    return _reports[code]


def all_reports() -> list[ReportDefinition]:
    return list(_reports.values())
