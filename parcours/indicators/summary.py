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
from parcours.indicators.reports import compute_report

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

    Two queries (the report and the approvals of those two months), whatever the selection.
    """
    month = document.period.months[-1]
    previous = month.previous
    definition = document.definition
    computed = compute_report(
        definition, document.directorates, Period(previous, month), document.bands
    )
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
