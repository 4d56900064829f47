"""The page « Orientations vers les métiers en tension » and its XLSX export (issue 20).

The quarterly coverage report (employment/indicators.py) shown by quarter, by sex and age
band: exact for the DT, protected month by month and recorded for its audience outside it
(release.protect_month through documents.build_document, release.record_release), as the
indicators dashboard does for the DREETS. HTTP only; the figures are the indicators app's.
"""

from __future__ import annotations

import re

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from parcours.core.replica import reads_replica
from parcours.employment.indicators import EMPLOYMENT_REPORT
from parcours.indicators import exports
from parcours.indicators.definitions import get_report
from parcours.indicators.documents import build_document
from parcours.indicators.perimeters import perimeter_for
from parcours.indicators.periods import Month, Period
from parcours.indicators.release import ReleaseRefused, received_hidden, record_release
from parcours.indicators.reports import DirectorateRef, compute_report
from parcours.organisations.permissions import Action
from parcours.www.decorators import action_required

QUARTER = re.compile(r"^(\d{4})-T([1-4])$")


def quarter_period(text: str) -> Period | None:
    """« 2026-T1 » → January to March 2026; None when the text is no quarter."""
    match = QUARTER.match(text or "")
    if not match:
        return None
    year, quarter = int(match.group(1)), int(match.group(2))
    if not 2000 <= year <= 2100:
        return None
    first = Month(year, 3 * quarter - 2)
    return Period(first, Month(year, 3 * quarter))


def quarter_code(period: Period) -> str:
    return f"{period.first.year}-T{(period.first.month - 1) // 3 + 1}"


def _last_quarter() -> Period:
    """The last whole quarter before today (the default choice)."""
    today = timezone.localdate()
    last = Month(today.year, 3 * ((today.month - 1) // 3) + 1).previous
    return Period(Month(last.year, last.month - 2), last)


def _quarters(selected: Period) -> list[tuple[str, str]]:
    """The eight quarters up to the last whole one, and the selected one if older."""
    period, choices = _last_quarter(), []
    for _step in range(8):
        choices.append(period)
        before = period.first.previous
        period = Period(Month(before.year, before.month - 2), before)
    if selected not in choices:
        choices.append(selected)
    return [(quarter_code(p), _("T%(quarter)s %(year)s") % _parts(p)) for p in choices]


def _parts(period: Period) -> dict:
    return {"quarter": (period.first.month - 1) // 3 + 1, "year": period.first.year}


def _selection(request):
    """(period, directorate id or None, error) from the query string."""
    raw_quarter = request.GET.get("trimestre") or ""
    period = quarter_period(raw_quarter) if raw_quarter else _last_quarter()
    if period is None:
        return None, None, _("Choisissez un trimestre au format AAAA-T1 à AAAA-T4.")
    raw = request.GET.get("dt") or ""
    if raw and not (raw.isascii() and raw.isdigit() and len(raw) < 10):
        return None, None, _("Direction territoriale inconnue.")
    return period, int(raw) if raw else None, ""


def _document(request, period, directorate_id):
    """The report's document for the membership: exact in the DT, protected and recorded
    outside it. Raises ReleaseRefused when a month cannot be protected."""
    perimeter = perimeter_for(request.membership).narrowed(directorate_id)
    definition = get_report(EMPLOYMENT_REPORT)
    computed = compute_report(
        definition, [DirectorateRef.of(d) for d in perimeter.directorates], period
    )
    if perimeter.exact:
        return perimeter, build_document(computed, exact=True, perimeter_label=perimeter.label)
    document = build_document(
        computed,
        exact=False,
        perimeter_label=perimeter.label,
        received=received_hidden(perimeter.audience, definition.code, perimeter.ids, period.months),
    )
    record_release(perimeter.audience, document)
    return perimeter, document


@require_GET
@action_required(Action.VIEW_IMPACT)
@reads_replica
def coverage(request):
    period, directorate_id, error = _selection(request)
    context = {"error": error}
    if error:
        return render(request, "employment/coverage.html", context, status=400)
    try:
        perimeter, document = _document(request, period, directorate_id)
    except ReleaseRefused as refused:
        context["error"] = refused.message
        return render(request, "employment/coverage.html", context, status=409)
    context.update(
        {
            "perimeter": perimeter,
            "document": document,
            "period": period,
            "quarter": quarter_code(period),
            "quarters": _quarters(period),
            "selectable": perimeter.selectable,
            "query": request.GET.urlencode(),
        }
    )
    return render(request, "employment/coverage.html", context)


@require_GET
@action_required(Action.VIEW_IMPACT)
@reads_replica
def coverage_export(request):
    period, directorate_id, error = _selection(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    try:
        _perimeter, document = _document(request, period, directorate_id)
    except ReleaseRefused as refused:
        return HttpResponse(refused.message, status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(
        exports.export(document, "xlsx"), content_type=exports.CONTENT_TYPES["xlsx"]
    )
    name = exports.filename(document, "xlsx")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
