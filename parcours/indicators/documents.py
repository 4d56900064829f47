"""A report as a reader gets it: tables, approval status, definitions; for screen and files.

One builder serves the dashboard, the exports (CSV, XLSX, ODS, PDF) and the monthly e-mail,
so what is shown, downloaded and sent is the same. Each month of each directorate takes its
approved (frozen) figures when the month was approved, its live figures otherwise.

- Exact mode (the DT itself): one table per indicator for the whole selection, exact, with
  each month's approval status and, for an approved month, the values changed since.
- Protected mode (anything leaving the DT): one protected table per indicator, directorate
  and month (reports.py explains why sums are not published), and an overview of each
  table's total by directorate and month, hidden where the table hides it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from parcours.indicators import conf
from parcours.indicators.approvals import (
    CellChange,
    changes_since_approval,
    current_approvals,
    frozen_tables,
)
from parcours.indicators.bands import DEFAULT_BANDS, AgeBandSet
from parcours.indicators.definitions import Indicator, Rate, ReportDefinition, Section
from parcours.indicators.models import MonthlyApproval
from parcours.indicators.periods import Month
from parcours.indicators.release import protect_month
from parcours.indicators.reports import ComputedReport, DirectorateRef
from parcours.indicators.tables import TOTAL, CrossTable, PublishedTable, sum_tables

# How a value hidden by the small-cell protection is printed (« secret statistique »).
HIDDEN_MARK = "s"


@dataclass
class MonthStatus:
    directorate: DirectorateRef
    month: Month
    approval: MonthlyApproval | None = None
    changes: list[CellChange] = field(default_factory=list)
    bands_differ: bool = False

    @property
    def is_approved(self) -> bool:
        return self.approval is not None

    @property
    def changed_since_approval(self) -> bool:
        return bool(self.changes) or self.bands_differ


@dataclass
class TableBlock:
    indicator: Indicator
    published: PublishedTable
    caption: str
    directorate: DirectorateRef | None = None
    month: Month | None = None


@dataclass
class SectionBlock:
    section: Section
    indicators: list[Indicator]
    blocks: list[TableBlock]


@dataclass
class OverviewLine:
    label: str
    values: list[int | None]
    total: int | None = None


@dataclass
class Overview:
    """Each table's total by directorate (lines) and month (columns), for one indicator."""

    indicator: Indicator
    months: list[Month]
    lines: list[OverviewLine]
    totals: OverviewLine | None = None  # exact mode only

    @property
    def maximum(self) -> int:
        values = [v for line in self.lines for v in line.values if v is not None]
        return max(values, default=0)


@dataclass
class RateLine:
    """A rate for one table pair: its parts as published (None: hidden) and its text."""

    label: str
    numerator: int | None
    denominator: int | None

    @property
    def hidden(self) -> bool:
        return self.numerator is None or self.denominator is None

    @property
    def defined(self) -> bool:
        return not self.hidden and self.denominator > 0

    @property
    def text(self) -> str:
        if self.hidden:
            return HIDDEN_MARK
        if not self.defined:
            return _("non défini")
        percent = 100 * self.numerator / self.denominator
        return _("%(percent)s %%") % {"percent": number_format(percent, 1)}


@dataclass
class RateBlock:
    rate: Rate
    lines: list[RateLine]


def _rate_blocks(definition, computed, tables, exact, published) -> list[RateBlock]:
    """Each rate of the report, from the totals of its two indicators' tables.

    Exact mode: one line for the selection. Protected mode: one line per directorate and month,
    from the totals as published (a rate is hidden where one of its totals is).
    """
    months = computed.period.months
    blocks = []
    for rate in definition.rates:
        if exact:

            def total(code):
                return sum(
                    tables[(code, d.id, m)].grand_total
                    for d in computed.directorates
                    for m in months
                )

            lines = [
                RateLine(computed.period.label, total(rate.numerator), total(rate.denominator))
            ]
        else:
            lines = [
                RateLine(
                    _("%(directorate)s, %(month)s")
                    % {"directorate": directorate.name, "month": month.label},
                    published(rate.numerator, directorate, month).value(TOTAL, TOTAL),
                    published(rate.denominator, directorate, month).value(TOTAL, TOTAL),
                )
                for directorate in computed.directorates
                for month in months
            ]
        blocks.append(RateBlock(rate, lines))
    return blocks


@dataclass
class ReportDocument:
    definition: ReportDefinition
    computed: ComputedReport
    exact: bool
    threshold: int
    perimeter_label: str
    sections: list[SectionBlock]
    overviews: list[Overview]
    statuses: list[MonthStatus]
    generated_at: datetime.datetime = field(default_factory=timezone.now)
    rates: list[RateBlock] = field(default_factory=list)
    # Protected mode: each directorate's month as released (release.py), for the record.
    releases: dict[tuple[int, Month], dict[str, PublishedTable]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return str(self.definition.title)

    @property
    def period(self):
        return self.computed.period

    @property
    def bands(self) -> AgeBandSet:
        return self.computed.bands

    @property
    def directorates(self) -> list[DirectorateRef]:
        return self.computed.directorates

    @property
    def subtitle(self) -> str:
        return f"{self.perimeter_label} – {self.period.label}"

    @property
    def is_fully_approved(self) -> bool:
        return bool(self.statuses) and all(status.is_approved for status in self.statuses)

    @property
    def changed_statuses(self) -> list[MonthStatus]:
        return [status for status in self.statuses if status.changed_since_approval]

    @property
    def status_text(self) -> str:
        if self.is_fully_approved:
            if len(self.statuses) == 1:
                approval = self.statuses[0].approval
                return _("Chiffres validés le %(date)s par %(name)s (version %(version)s).") % {
                    "date": timezone.localtime(approval.approved_at).strftime("%d/%m/%Y"),
                    "name": approval.approved_by.get_full_name() or approval.approved_by.email,
                    "version": approval.version,
                }
            return _("Chiffres validés pour chaque mois de la période.")
        if any(status.is_approved for status in self.statuses):
            return _(
                "Chiffres en partie validés : les mois non validés sont provisoires et peuvent "
                "encore changer."
            )
        return _("Chiffres provisoires, pas encore validés par la direction de la DT.")

    @property
    def definitions(self) -> list[tuple[str, str]]:
        return [(str(i.label), str(i.help_text)) for i in self.definition.indicators] + [
            (str(rate.label), str(rate.help_text)) for rate in self.definition.rates
        ]

    @property
    def method_notes(self) -> list[str]:
        """What a reader must know to read the tables (printed with every report)."""
        bands = ", ".join(str(label) for _code, label in self.bands.columns)
        notes = [
            _("Tranches d'âge utilisées (âge à la date de l'événement) : %(bands)s.")
            % {"bands": bands},
            _(
                "Les totaux sont la somme des cases ; le sexe et l'âge non renseignés sont "
                "comptés dans leur propre ligne et colonne."
            ),
        ]
        if len(self.period.months) > 1:
            notes.append(
                _(
                    "Sur plusieurs mois, les chiffres sont la somme des mois : une personne "
                    "comptée deux mois différents compte dans chacun des deux."
                )
            )
        if self.exact:
            notes.append(
                _(
                    "Chiffres exacts, pour l'usage de la DT : ne les transmettez pas hors de la "
                    "DT sans protéger les petits effectifs (export « DREETS »)."
                )
            )
        else:
            notes.extend(self.protection_notes)
        if self.bands.code == DEFAULT_BANDS.code:
            notes.append(
                _(
                    "Les tranches d'âge du cadre de l'expérimentation (« inférieur à 25 ans, "
                    "26 – 45 ans, 46-64 ans ») laissent de côté les personnes de 25 ans et celles "
                    "de 65 ans ou plus : Parcours comble cet écart en comptant les personnes de "
                    "25 ans dans « moins de 26 ans » et en ajoutant « 65 ans et plus »."
                )
            )
        return notes

    @property
    def protection_notes(self) -> list[str]:
        """The legend of « s », the threshold and the protection rule (issue 11, point 4)."""
        values = {"threshold": self.threshold, "mark": HIDDEN_MARK}
        return [
            _(
                "Secret statistique, seuil %(threshold)s : « %(mark)s » marque une valeur "
                "masquée, soit parce qu'elle est comprise entre 1 et %(threshold)s (secret "
                "primaire), soit pour qu'aucune de celles-là ne puisse être recalculée (secret "
                "secondaire). Les deux portent la même marque : distinguer les cases primaires "
                "dirait au lecteur qu'elles valent entre 1 et %(threshold)s."
            )
            % values,
            _(
                "Les cases à masquer sont choisies ensemble pour tout ce qui est publié sur une "
                "DT et un mois : les totaux, les relations entre indicateurs (« Convocations » est "
                "la somme des quatre lignes suivantes ; les personnes concernées sont parmi les "
                "personnes accompagnées), chaque période (mois, trimestre, année) et chaque "
                "périmètre (DT, région, national) qui le contient, et ce qui a déjà été publié."
            ),
            _(
                "Règle de protection (manuel Eurostat de protection statistique des données, "
                "pratique de τ-ARGUS) : pour chaque valeur masquée de 1 à %(threshold)s, les "
                "valeurs compatibles avec tout ce qui est publié comprennent 0 ou une valeur "
                "supérieure à %(threshold)s, et s'étendent sur un écart d'au moins %(threshold)s."
            )
            % values,
        ]


def _monthly_tables(
    computed: ComputedReport, approvals: dict[tuple[int, Month], MonthlyApproval]
) -> dict[tuple[str, int, Month], CrossTable]:
    """Every (indicator, directorate, month) table: frozen when approved, live otherwise."""
    tables = {}
    for directorate in computed.directorates:
        for month in computed.period.months:
            approval = approvals.get((directorate.id, month))
            frozen = frozen_tables(approval) if approval is not None else {}
            for indicator in computed.definition.indicators:
                live = computed.monthly_table(indicator.code, directorate.id, month)
                table = frozen.get(indicator.code, live)
                if table.column_codes != live.column_codes or table.row_codes != live.row_codes:
                    # Approved with other age bands (the configuration changed since): tables
                    # of different bands cannot be added up, so live figures are shown and the
                    # month is flagged (MonthStatus.bands_differ).
                    table = live
                else:  # frozen counts, printed with today's labels in the reader's language
                    table = table.with_labels_of(live)
                tables[(indicator.code, directorate.id, month)] = table
    return tables


def build_document(
    computed: ComputedReport,
    *,
    exact: bool,
    perimeter_label: str,
    threshold: int | None = None,
    approvals: dict[tuple[int, Month], MonthlyApproval] | None = None,
    received: dict[tuple[int, Month], set] | None = None,
) -> ReportDocument:
    """Assemble the document of a computed report (one more query, for the approvals).

    Protected mode releases each directorate's month with all its tables protected together
    (release.protect_month), keeping hidden what the audience was shown hidden before
    (`received`, from release.received_hidden); raises release.ReleaseRefused when a month
    cannot be protected (nothing is then shown or sent).
    """
    definition = computed.definition
    threshold = conf.small_cell_threshold() if threshold is None else threshold
    if approvals is None:
        approvals = current_approvals(
            definition.code, [d.id for d in computed.directorates], computed.period
        )
    tables = _monthly_tables(computed, approvals)
    months = computed.period.months
    statuses = []
    for directorate in computed.directorates:
        for month in months:
            approval = approvals.get((directorate.id, month))
            status = MonthStatus(directorate, month, approval)
            if approval is not None and exact:
                live = {
                    i.code: computed.monthly_table(i.code, directorate.id, month)
                    for i in definition.indicators
                }
                frozen_codes = [b["code"] for b in approval.bands.get("bands", [])]
                if frozen_codes != [b.code for b in computed.bands.bands]:
                    status.bands_differ = True
                else:
                    status.changes = changes_since_approval(definition, approval, live)
            statuses.append(status)

    sections, overviews = [], []
    releases: dict[tuple[int, Month], dict[str, PublishedTable]] = {}
    if not exact:
        received = received or {}
        for directorate in computed.directorates:
            for month in months:
                releases[(directorate.id, month)] = protect_month(
                    definition,
                    {
                        i.code: tables[(i.code, directorate.id, month)]
                        for i in definition.indicators
                    },
                    threshold,
                    already_hidden=received.get((directorate.id, month), ()),
                    label=f"{directorate.name}, {month.label}",
                )

    def published(code, directorate, month) -> PublishedTable:
        return releases[(directorate.id, month)][code]

    for section, indicators in definition.grouped_sections:
        blocks = []
        for indicator in indicators:
            if exact:
                total = sum_tables(
                    (
                        tables[(indicator.code, d.id, m)]
                        for d in computed.directorates
                        for m in months
                    ),
                    computed.rows,
                    computed.columns,
                )
                blocks.append(
                    TableBlock(
                        indicator,
                        total.published(),
                        _("%(indicator)s – %(perimeter)s, %(period)s")
                        % {
                            "indicator": indicator.label,
                            "perimeter": perimeter_label,
                            "period": computed.period.label,
                        },
                    )
                )
            else:
                for directorate in computed.directorates:
                    for month in months:
                        blocks.append(
                            TableBlock(
                                indicator,
                                published(indicator.code, directorate, month),
                                _("%(indicator)s – %(directorate)s, %(month)s")
                                % {
                                    "indicator": indicator.label,
                                    "directorate": directorate.name,
                                    "month": month.label,
                                },
                                directorate,
                                month,
                            )
                        )
            overviews.append(
                _overview(indicator, computed, tables, exact, published if not exact else None)
            )
        sections.append(SectionBlock(section, indicators, blocks))
    document = ReportDocument(
        definition, computed, exact, threshold, perimeter_label, sections, overviews, statuses
    )
    document.releases = releases
    document.rates = _rate_blocks(
        definition, computed, tables, exact, published if not exact else None
    )
    return document


def _overview(indicator, computed, tables, exact, published) -> Overview:
    months = computed.period.months
    lines = []
    for directorate in computed.directorates:
        values = []
        for month in months:
            if exact:
                values.append(tables[(indicator.code, directorate.id, month)].grand_total)
            else:
                values.append(published(indicator.code, directorate, month).value(TOTAL, TOTAL))
        total = sum(values) if exact else None
        lines.append(OverviewLine(directorate.name, values, total))
    totals = None
    if exact:
        column_sums = [sum(line.values[i] for line in lines) for i in range(len(months))]
        totals = OverviewLine(_("Total"), column_sums, sum(column_sums))
    return Overview(indicator, months, lines, totals)
