"""Computing a report for directorates and a period: exact tables, and their published form.

A computed report holds one exact sex × age-band table per indicator, directorate and month,
filled by the report's one grouped query. Tables for a longer period or several directorates
are sums of those tables (a person seen in two months counts in each month: the monthly
figures add up, as the operator's monthly sendings do, seed 001).

Outside the DT (regional and national views, sendings to DREETS) only the monthly table of
one directorate is published, each protected on its own (suppression.py): the same table is
always published the same way, whichever period or perimeter a reader selects, and sums over
several directorates or months, which would be linked to those tables and let a reader
subtract their way to a hidden cell, are not published outside the DT (only each table's own
total is, with the same status as in its table).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from parcours.indicators import conf
from parcours.indicators.bands import AgeBandSet
from parcours.indicators.definitions import ReportDefinition
from parcours.indicators.periods import Month, Period
from parcours.indicators.queries import report_counts
from parcours.indicators.suppression import protect_table
from parcours.indicators.tables import SEX_ROWS, TOTAL, CrossTable, PublishedTable, sum_tables


@dataclass(frozen=True)
class DirectorateRef:
    """What a report needs of a directorate: enough to label it, nothing to query."""

    id: int
    name: str

    @classmethod
    def of(cls, directorate) -> DirectorateRef:
        return cls(directorate.pk, directorate.name)


@dataclass
class ComputedReport:
    """Exact tables of a report: (indicator code, directorate id, month) → sex × band table."""

    definition: ReportDefinition
    bands: AgeBandSet
    period: Period
    directorates: list[DirectorateRef]
    tables: dict[tuple[str, int, Month], CrossTable] = field(default_factory=dict)
    computed_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def rows(self):
        return SEX_ROWS

    @property
    def columns(self):
        return self.bands.columns

    def table(
        self,
        code: str,
        directorate_ids: Iterable[int] | None = None,
        months: Iterable[Month] | None = None,
    ) -> CrossTable:
        """The exact table of an indicator, summed over directorates and months (all if None)."""
        wanted_directorates = (
            {d.id for d in self.directorates} if directorate_ids is None else set(directorate_ids)
        )
        wanted_months = set(self.period.months if months is None else months)
        return sum_tables(
            (
                table
                for (indicator, directorate_id, month), table in self.tables.items()
                if indicator == code
                and directorate_id in wanted_directorates
                and month in wanted_months
            ),
            self.rows,
            self.columns,
        )

    def monthly_table(self, code: str, directorate_id: int, month: Month) -> CrossTable:
        return self.tables.get((code, directorate_id, month)) or CrossTable.empty(
            self.rows, self.columns
        )

    def protected_table(
        self, code: str, directorate_id: int, month: Month, threshold: int | None = None
    ) -> PublishedTable:
        """One directorate's month as it may leave the DT (small cells protected)."""
        if threshold is None:
            threshold = conf.small_cell_threshold()
        return protect_table(self.monthly_table(code, directorate_id, month), threshold)

    def narrowed(self, directorate_ids: Iterable[int]) -> ComputedReport:
        """The same report for some of its directorates only (no new query)."""
        wanted = set(directorate_ids)
        return ComputedReport(
            self.definition,
            self.bands,
            self.period,
            [d for d in self.directorates if d.id in wanted],
            {key: table for key, table in self.tables.items() if key[1] in wanted},
            self.computed_at,
        )

    def figures(self, directorate_id: int, month: Month) -> dict[str, dict]:
        """JSON-ready exact tables of one directorate's month (what an approval freezes)."""
        return {
            indicator.code: self.monthly_table(indicator.code, directorate_id, month).as_dict()
            for indicator in self.definition.indicators
        }


def compute_report(
    definition: ReportDefinition,
    directorates: Iterable,
    period: Period,
    bands: AgeBandSet | None = None,
) -> ComputedReport:
    """Compute every table of the report for the directorates and months, in one query.

    `directorates` are Directorate instances or DirectorateRef; the result covers each of
    them, with empty tables where nothing was recorded.
    """
    refs = [d if isinstance(d, DirectorateRef) else DirectorateRef.of(d) for d in directorates]
    bands = bands or conf.age_bands()
    report = ComputedReport(definition, bands, period, refs)
    rows = report_counts(definition, bands, period, [ref.id for ref in refs])
    for code, directorate_id, month, sex, band, count in rows:
        key = (code, directorate_id, month)
        table = report.tables.get(key)
        if table is None:
            table = report.tables[key] = CrossTable.empty(report.rows, report.columns)
        table.add(sex, band, count)
    return report


def grand_total_status(published: PublishedTable) -> int | None:
    """A table's total as published with it: None when hidden by the protection."""
    return published.value(TOTAL, TOTAL)
