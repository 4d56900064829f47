"""What the figures page shows for a perimeter and a period: one function, few queries.

Views call `build_dashboard`; it runs the report's one query, one for the approvals and one
per pathway figure: a constant number of queries whatever the number of directorates,
months or cells (asserted in tests).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.core.replica import read_alias
from parcours.indicators import checks, conf, pathway
from parcours.indicators.db import aggregate_block
from parcours.indicators.documents import ReportDocument
from parcours.indicators.perimeters import Perimeter
from parcours.indicators.periods import Month, Period
from parcours.indicators.summary import build_summary
from parcours.indicators.suppression import hide_small
from parcours.indicators.tables import TOTAL
from parcours.indicators.viewer import report_document


@dataclass
class Bar:
    label: str
    value: int | None
    width: float = 0.0  # percent of the longest bar

    @property
    def hidden(self) -> bool:
        return self.value is None

    @property
    def step(self) -> int:
        """The width rounded to 5 %: bars are sized by CSS classes (no inline style, CSP)."""
        if not self.value:
            return 0
        return max(5, int(round(self.width / 5) * 5))


def bars(pairs: list[tuple[str, int | None]]) -> list[Bar]:
    """Bars of a chart scaled on the largest value; hidden values get no bar."""
    largest = max((v for _label, v in pairs if v), default=0)
    return [
        Bar(label, value, round(100 * value / largest, 1) if largest and value else 0.0)
        for label, value in pairs
    ]


@dataclass
class IndicatorPanel:
    """One indicator on the page: its chart, beside the table(s) that hold the same figures."""

    indicator: object
    blocks: list
    overview: object
    chart_title: str
    chart: list[Bar]

    @property
    def is_empty(self) -> bool:
        """Nobody counted anywhere in the selection: the page says 0 instead of a table of
        zeros (issue 16). Zero is never hidden by the protection, so this reveals nothing."""
        return all(value == 0 for line in self.overview.lines for value in line.values)


@dataclass
class Dashboard:
    perimeter: Perimeter
    period: Period
    document: ReportDocument
    panels: list[tuple[object, list[IndicatorPanel]]]
    threshold: int
    single_month: bool
    pathway: dict = field(default_factory=dict)
    # Issue 16: the seed's four indicators month against month, and the consistency alerts.
    summary: object = None
    alerts: list = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return self.perimeter.exact


def default_period(today: datetime.date | None = None) -> Period:
    """The last complete month: the one a DT checks, approves and sends."""
    today = today or timezone.localdate()
    return Period.single(Month.of(today).previous)


def _chart(document, indicator, overview, single_month):
    if document.exact and single_month:
        # One month of one DT: the distribution by age band, totals of both sexes.
        block = next(b for s in document.sections for b in s.blocks if b.indicator == indicator)
        pairs = [
            (str(label), block.published.value(TOTAL, code))
            for code, label in document.bands.columns
        ]
        return _("Répartition par tranche d'âge"), bars(pairs)
    if document.exact:
        pairs = [(m.label, overview.totals.values[i]) for i, m in enumerate(overview.months)]
        return _("Évolution mois par mois"), bars(pairs)
    pairs = []
    for line in overview.lines:
        for i, month in enumerate(overview.months):
            label = line.label if single_month else f"{line.label} – {month.label}"
            pairs.append((label, line.values[i]))
    return _("Total de chaque tableau, par DT et par mois"), bars(pairs)


def build_dashboard(
    perimeter: Perimeter, period: Period, *, today: datetime.date | None = None, received=None
) -> Dashboard:
    """The monthly report and the pathway figures of the perimeter for the period
    (`received`: as in viewer.report_document)."""
    today = today or timezone.localdate()
    threshold = conf.small_cell_threshold()
    # The same document as the API's (viewer.py): the page and a token cannot drift apart.
    document = report_document(perimeter, period, received=received)
    computed = document.computed
    refs = computed.directorates
    single_month = len(period.months) == 1
    overviews = {o.indicator.code: o for o in document.overviews}
    panels = []
    for section in document.sections:
        section_panels = []
        for indicator in section.indicators:
            overview = overviews[indicator.code]
            title, chart = _chart(document, indicator, overview, single_month)
            section_panels.append(
                IndicatorPanel(
                    indicator,
                    [b for b in section.blocks if b.indicator == indicator],
                    overview,
                    title,
                    chart,
                )
            )
        panels.append((section.section, section_panels))
    figures = pathway_figures(perimeter, [ref.id for ref in refs], period, today)
    return Dashboard(
        perimeter,
        period,
        document,
        panels,
        threshold,
        single_month,
        pathway_view(figures, refs, period, perimeter.exact, threshold),
        summary=build_summary(document, threshold=threshold),
        # The alerts read exact figures: only the DT itself sees them (it can correct them).
        alerts=checks.report_checks(computed) if perimeter.exact else [],
    )


def pathway_figures(perimeter: Perimeter, ids: list[int], period: Period, today) -> dict:
    """The pathway figures of the directorates `ids` (those of the perimeter shown), as read
    from the database: one query each, in one transaction that sets the aggregate settings
    once (db.aggregate_block; bench.run_pathway_benchmarks times them)."""
    with aggregate_block(read_alias()):
        return _read_pathway_figures(perimeter, ids, period, today)


def _read_pathway_figures(perimeter, ids, period, today) -> dict:
    figures = {
        "cir_to_ft": pathway.cir_to_ft_delays(ids, period),
        "referral_answer": pathway.referral_answer_delays(ids, period),
        "contact_losses": pathway.contact_losses(ids, today),
        "funnel": pathway.referral_funnel(ids, period),
    }
    if perimeter.exact:
        figures["seats"] = pathway.seats(ids)
    else:
        # Issue 11: the seats are protected over every view the reader can select (the
        # whole perimeter and each of its DTs), then the selected one is shown.
        every = [d.pk for d in perimeter.selectable]
        figures["seats"] = pathway.seats(every)
        figures["seat_views"] = pathway.schemes_by_directorate(every)
        figures["seat_view"] = ids[0] if len(ids) == 1 and len(every) > 1 else None
    return figures


def pathway_view(figures, refs, period, exact, threshold) -> dict:
    """Pathway figures as shown: summed exactly for the DT; per DT and month, protected,
    outside it (the same units as the monthly tables, for the same reason)."""
    months = period.months
    # Outside the DT, the funnel and the referral delay of a DT's month are one release.
    referrals = {}
    if not exact:
        referrals = {
            (ref.id, month): pathway.protected_referrals(
                figures["funnel"],
                figures["referral_answer"].get((ref.id, month), pathway.Delay()),
                ref.id,
                month,
                threshold,
            )
            for ref in refs
            for month in months
        }
    delays = []
    for key, label in (
        ("cir_to_ft", _("De la signature du CIR à l'inscription à France Travail")),
        ("referral_answer", _("De l'envoi d'une orientation à la réponse du partenaire")),
    ):
        data = figures[key]
        lines = []
        for ref in refs:
            if exact:
                merged = pathway.Delay()
                for month in months:
                    merged = merged.merge(data.get((ref.id, month), pathway.Delay()))
                lines.append({"label": ref.name, **merged.shown(None)})
            else:
                for month in months:
                    delay = data.get((ref.id, month), pathway.Delay())
                    shown = delay.shown(threshold)
                    if key == "referral_answer":  # protected with the funnel (issue 11)
                        shown = referrals[(ref.id, month)][1]
                    lines.append({"label": f"{ref.name} – {month.label}", **shown})
        delays.append({"title": label, "lines": lines})
    losses = []
    for ref in refs:
        loss = figures["contact_losses"].get(ref.id, pathway.ContactLoss(0, 0))
        if exact:
            losses.append(
                {"label": ref.name, "followed": loss.followed, "lost": loss.lost, "rate": loss.rate}
            )
        else:
            followed = hide_small(loss.followed, threshold)
            lost = hide_small(loss.lost, threshold)
            losses.append(
                {
                    "label": ref.name,
                    "followed": followed,
                    "lost": lost,
                    "rate": loss.rate if followed is not None and lost is not None else None,
                }
            )
    funnel_rows = figures["funnel"]
    seats = figures["seats"]
    view = {
        "delays": delays,
        "losses": losses,
        "loss_days": pathway.DEFAULT_CONTACT_LOSS_DAYS,
        "stage_columns": pathway.FUNNEL_STAGES,
        "status_columns": pathway.STATUS_COLUMNS,
    }
    if exact:
        view["funnel"] = [
            {**row, "values": [row["stages"][code] for code, _label in pathway.FUNNEL_STAGES]}
            for row in pathway.funnel_by_scheme(funnel_rows)
        ]
        view["seats"] = seats
    else:
        view["funnel_tables"] = [
            {
                "caption": _("Orientations envoyées – %(dt)s, %(month)s, selon leur état actuel")
                % {"dt": ref.name, "month": month.label},
                "published": table,
            }
            for ref in refs
            for month in months
            if (table := referrals[(ref.id, month)][0])
        ]
        seat_views = pathway.protected_seats_views(seats, threshold, figures["seat_views"])
        view["seats_table"] = seat_views.get(figures["seat_view"])
        capacities = seat_views[pathway.CAPACITIES]
        view["seats_capacity"] = {str(s.scheme_id): capacities.get(s.scheme_id) for s in seats}
    return view
