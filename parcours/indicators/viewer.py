"""The monthly report a viewer is given: exact for the DT, the protected release elsewhere.

One function for the figures page (through dashboard.build_dashboard) and the API, so what a
token reads is the document the page shows the same membership (issue 17).
"""

from __future__ import annotations

from parcours.indicators import conf
from parcours.indicators.catalogue import MONTHLY_REPORT
from parcours.indicators.definitions import get_report
from parcours.indicators.documents import ReportDocument, build_document
from parcours.indicators.perimeters import Perimeter
from parcours.indicators.periods import Period
from parcours.indicators.release import received_hidden, record_release
from parcours.indicators.reports import DirectorateRef, compute_report


def report_document(perimeter: Perimeter, period: Period, *, received=None) -> ReportDocument:
    """The monthly report of the perimeter for the period, exact or protected as the
    perimeter says; a protected one raises release.ReleaseRefused rather than leak.
    `received`: what `received_for` returns, when the caller has read it already."""
    definition = get_report(MONTHLY_REPORT)
    refs = [DirectorateRef.of(d) for d in perimeter.directorates]
    computed = compute_report(definition, refs, period)
    if received is None:
        received = received_for(perimeter, period)
    return build_document(
        computed,
        exact=perimeter.exact,
        perimeter_label=perimeter.label,
        threshold=conf.small_cell_threshold(),
        received=received,
    )


def received_for(perimeter: Perimeter, period: Period):
    """What the perimeter's audience was shown hidden before in the period's months, which stays
    hidden (issue 11; one query), or None for the DT's exact figures."""
    if perimeter.exact:
        return None
    return received_hidden(
        perimeter.audience,
        MONTHLY_REPORT,
        [d.pk for d in perimeter.directorates],
        period.months,
    )


def record_for_viewer(perimeter: Perimeter, document: ReportDocument) -> None:
    """Record a release outside the DT for its audience (release.py), as every view does."""
    if not perimeter.exact:
        record_release(perimeter.audience, document)


def released_document(perimeter: Perimeter, period: Period) -> ReportDocument:
    """report_document, recorded for its audience when it leaves the DT."""
    document = report_document(perimeter, period)
    record_for_viewer(perimeter, document)
    return document
