"""The page « Impact de l'expérimentation » and its XLSX export (issue 20 part 5).

DT director and auditors read their DT's cohorts exactly, with the groups compared; the DREETS
reads its region's DTs, each cohort protected as one release (indicators.impact.publish) and
recorded for its audience. The figures come from indicators.impact; this module is HTTP only.
"""

from __future__ import annotations

import datetime

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from parcours.core.replica import reads_replica
from parcours.core.spreadsheets import xlsx_bytes
from parcours.employment.shortage import shortage_calendar
from parcours.indicators import conf
from parcours.indicators.catalogue import IMPACT_REPORT_CODE
from parcours.indicators.impact import (
    COHORT,
    HORIZONS,
    MEASURES,
    Group,
    code_for,
    compare_groups,
    compute_impact,
    publish,
    release_of,
)
from parcours.indicators.perimeters import perimeter_for
from parcours.indicators.periods import Month
from parcours.indicators.release import received_hidden, record_release
from parcours.indicators.tables import TOTAL
from parcours.organisations.permissions import Action
from parcours.www.decorators import action_required

# Three years of cohorts at most in one page: 36 releases per DT.
MAX_MONTHS = 36


def _months_between(first: Month, last: Month) -> list[Month]:
    months, month = [], first
    while not last < month:
        months.append(month)
        month = month.next
    return months


def _month(value: str | None, default: Month) -> Month | None:
    if not value:
        return default
    try:
        return Month.parse(value)
    except (ValueError, TypeError):
        return None


def _selection(request):
    """(first, last, directorate id or None, error) from the query string."""
    today = timezone.localdate()
    default_last = Month.of(today).previous
    default_first = default_last
    for _step in range(11):
        default_first = default_first.previous
    first = _month(request.GET.get("debut"), default_first)
    last = _month(request.GET.get("fin"), default_last)
    if first is None or last is None:
        return None, None, None, _("Indiquez les mois au format AAAA-MM.")
    if first.year < 2000 or last.year > 2100:
        return None, None, None, _("Choisissez des mois entre 2000 et 2100.")
    if last < first:
        return None, None, None, _("Le mois de fin précède le mois de début.")
    if len(_months_between(first, last)) > MAX_MONTHS:
        return None, None, None, _("Choisissez au plus 36 mois de cohortes.")
    raw = request.GET.get("dt") or ""
    if raw and not (raw.isascii() and raw.isdigit() and len(raw) < 10):
        return None, None, None, _("Direction territoriale inconnue.")
    return first, last, int(raw) if raw else None, ""


def _figures(request, first, last, directorate_id):
    perimeter = perimeter_for(request.membership).narrowed(directorate_id)
    cohorts = compute_impact(
        perimeter.directorates,
        first,
        last,
        today=timezone.localdate(),
        bands=conf.age_bands(),
        shortage_codes=shortage_calendar(),
    )
    if perimeter.exact:
        return perimeter, cohorts, publish(cohorts, threshold=None)
    threshold = conf.small_cell_threshold()
    received = received_hidden(
        perimeter.audience,
        IMPACT_REPORT_CODE,
        perimeter.ids,
        _months_between(first, last),
    )
    names = {d.pk: d.name for d in perimeter.directorates}
    published = publish(
        cohorts, threshold=threshold, received=received, label_of=lambda pk: names.get(pk, "")
    )
    record_release(perimeter.audience, release_of(published, threshold))
    return perimeter, cohorts, published


def _share_text(cohort, code) -> str:
    if code not in cohort.tables:
        return "—"
    share = cohort.share(code)
    if share is None:
        return "s"
    return f"{round(share * 100)} %"


@require_GET
@action_required(Action.VIEW_IMPACT)
@reads_replica
def impact(request):
    first, last, directorate_id, error = _selection(request)
    context = {"error": error, "measures": MEASURES, "horizons": HORIZONS}
    if error:
        return render(request, "indicators/impact.html", context, status=400)
    perimeter, cohorts, published = _figures(request, first, last, directorate_id)
    names = {d.pk: d.name for d in perimeter.directorates}
    columns = [(months, code, label) for months in HORIZONS for code, label in MEASURES]
    by_dt = []
    for directorate in perimeter.directorates:
        rows = [
            {
                "month": cohort.month,
                "group": cohort.group_label,
                "refused": cohort.refused,
                "size": cohort.total(COHORT) if cohort.tables else None,
                "shares": [
                    _share_text(cohort, code_for(code, months)) for months, code, _l in columns
                ],
            }
            for cohort in published
            if cohort.directorate_id == directorate.pk
        ]
        by_dt.append({"name": directorate.name, "rows": rows})
    comparison = []
    if perimeter.exact:
        for group, shares in compare_groups(cohorts).items():
            comparison.append(
                {
                    "label": Group.LABELS[group],
                    "shares": [
                        shares.get(code_for(code, months)) for months, code, _label in columns
                    ],
                }
            )
    # By sex and age band: the latest cohort of the first DT shown, at its latest horizon.
    detail = next((c for c in reversed(published) if c.tables), None)
    detail_tables = []
    if detail is not None:
        months = detail.figures.horizons[-1] if detail.figures.horizons else None
        detail_tables.append((_("Personnes reçues"), detail.tables[COHORT]))
        if months:
            for code, label in MEASURES:
                caption = _("%(label)s à %(months)s mois") % {"label": label, "months": months}
                detail_tables.append((caption, detail.tables[code_for(code, months)]))
    context.update(
        {
            "perimeter": perimeter,
            "first": first,
            "last": last,
            "columns": columns,
            "by_dt": by_dt,
            "comparison": comparison,
            "detail": detail,
            "detail_name": names.get(detail.directorate_id, "") if detail else "",
            "detail_tables": detail_tables,
            "query": request.GET.urlencode(),
            "selectable": perimeter.selectable,
        }
    )
    return render(request, "indicators/impact.html", context)


@require_GET
@action_required(Action.VIEW_IMPACT)
@reads_replica
def impact_export(request):
    first, last, directorate_id, error = _selection(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    perimeter, _cohorts, published = _figures(request, first, last, directorate_id)
    names = {d.pk: d.name for d in perimeter.directorates}
    rows = [
        [
            _("DT"),
            _("Cohorte"),
            _("Période"),
            _("Indicateur"),
            _("Sexe"),
            _("Tranche d'âge"),
            _("Effectif"),
        ]
    ]
    labels = {COHORT: _("Personnes reçues")}
    for months in HORIZONS:
        for code, label in MEASURES:
            labels[code_for(code, months)] = _("%(label)s à %(months)s mois") % {
                "label": label,
                "months": months,
            }
    for cohort in published:
        base = [names.get(cohort.directorate_id, ""), str(cohort.month), cohort.group_label]
        if cohort.refused:
            rows.append([*base, cohort.refused, "", "", ""])
            continue
        for code, table in cohort.tables.items():
            columns = [*table.columns, (TOTAL, _("Total"))]
            for row_code, row_label in [*table.rows, (TOTAL, _("Total"))]:
                for column_code, column_label in columns:
                    value = table.value(row_code, column_code)
                    rows.append(
                        [
                            *base,
                            str(labels.get(code, code)),
                            str(row_label),
                            str(column_label),
                            "s" if value is None else value,
                        ]
                    )
    content = xlsx_bytes(rows, str(_("Impact")))
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = datetime.date.today().isoformat()
    response["Content-Disposition"] = f'attachment; filename="impact-{first}-{last}-{stamp}.xlsx"'
    return response
