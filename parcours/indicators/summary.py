"""The summary at the top of the figures page: the seed's four indicators, month against month.

Seed 001 (« indicateurs de suivi »): the operator sends each month, to the DT and the DREETS,
the people accompanied, those already registered at France Travail, those receiving the RSA
or referred to AGIR, and the accompaniments to the first France Travail appointment carried
out. The summary gives these four for the last month of the selection and the month before.

Outside the DT each value is a table's own total as published with that table (one per
directorate and month, hidden where the table hides it): no new sum is published, for the
reason reports.py gives.
"""

from __future__ import annotations

from dataclasses import dataclass

from parcours.indicators.documents import build_document
from parcours.indicators.periods import Month, Period
from parcours.indicators.reports import ComputedReport, compute_report

SEED_INDICATORS = ("accompanied", "already_ft", "rsa_or_agir", "first_appointment_accompanied")


@dataclass(frozen=True)
class SummaryLine:
    label: str
    directorate: str
    current: int | None  # None: hidden by the small-cell protection
    previous: int | None

    @property
    def difference(self) -> int | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous


@dataclass(frozen=True)
class Summary:
    month: Month
    previous_month: Month
    lines: list[SummaryLine]
    per_directorate: bool


def build_summary(document, *, threshold: int) -> Summary:
    """The four seed indicators for the selection's last month and the month before.

    The months the document has computed are reused: only the month before the selection is
    read again (one query, none when the selection holds it), whatever the selection.
    """
    month = document.period.months[-1]
    previous = month.previous
    computed = _pair_report(document.computed, Period(previous, month))
    pair = build_document(
        computed,
        exact=document.exact,
        perimeter_label=document.perimeter_label,
        threshold=threshold,
    )
    overviews = {o.indicator.code: o for o in pair.overviews}
    lines = []
    for code in SEED_INDICATORS:
        overview = overviews.get(code)
        if overview is None:
            continue
        label = str(overview.indicator.label)
        if document.exact:
            before, now = overview.totals.values
            lines.append(SummaryLine(label, document.perimeter_label, now, before))
        else:
            for line in overview.lines:
                before, now = line.values
                lines.append(SummaryLine(label, line.label, now, before))
    return Summary(month, previous, lines, per_directorate=not document.exact)


def _pair_report(computed: ComputedReport, pair: Period) -> ComputedReport:
    """The report's exact tables over `pair`, from the months `computed` holds and a query for
    the others. Issue 12: computing both months again read the selection's last month twice
    (a DREETS region's month: 73 ms of SQL at a million persons, for tables already read)."""
    held = set(computed.period.months)
    missing = [m for m in pair.months if m not in held]
    tables = {key: table for key, table in computed.tables.items() if key[2] in pair.months}
    if missing:
        # The months before the selection are contiguous: one query for all of them.
        extra = compute_report(
            computed.definition,
            computed.directorates,
            Period(missing[0], missing[-1]),
            computed.bands,
        )
        tables.update(extra.tables)
    return ComputedReport(computed.definition, computed.bands, pair, computed.directorates, tables)
