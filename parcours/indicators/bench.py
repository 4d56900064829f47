"""Timing the reports on a large dataset: median and 95th percentile, and SQL queries.

Issue 5, item 8 (targets on a 2-core machine: a DT's month ≤ 60 ms, the national year, every
DT × 12 months, ≤ 800 ms, computed live from the records). Run by `manage.py bench_reports`.
"""

from __future__ import annotations

import datetime
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.indicators import conf, release
from parcours.indicators.catalogue import MONTHLY_REPORT
from parcours.indicators.dashboard import build_dashboard
from parcours.indicators.definitions import get_report
from parcours.indicators.documents import build_document
from parcours.indicators.perimeters import Perimeter
from parcours.indicators.periods import Month, Period
from parcours.indicators.reports import DirectorateRef, compute_report


@dataclass
class Measure:
    name: str
    runs: int
    median_ms: float
    p95_ms: float
    queries: int
    target_ms: float | None = None

    @property
    def ok(self) -> bool | None:
        return None if self.target_ms is None else self.p95_ms <= self.target_ms


def measure(name: str, work: Callable[[], object], runs: int, target_ms=None) -> Measure:
    work()  # warm-up: connection, caches, translations
    with CaptureQueriesContext(connection) as queries:
        work()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, max(0, round(0.95 * len(timings)) - 1))]
    return Measure(name, runs, statistics.median(timings), p95, len(queries), target_ms)


def run_benchmarks(directorate, month: Month, year: int, runs: int) -> list[Measure]:
    from parcours.territories.models import Directorate

    definition = get_report(MONTHLY_REPORT)
    one = [DirectorateRef.of(directorate)]
    every = [DirectorateRef.of(d) for d in Directorate.objects.order_by("name")]
    month_period, year_period = Period.single(month), Period.year(year)

    def dt_month():
        return compute_report(definition, one, month_period)

    def dt_month_published():
        return build_document(dt_month(), exact=False, perimeter_label=directorate.name)

    def national_year():
        return compute_report(definition, every, year_period)

    def national_year_published():
        return build_document(national_year(), exact=False, perimeter_label="National")

    dt_perimeter = Perimeter((directorate,), exact=True, label=directorate.name)
    all_perimeter = Perimeter(tuple(Directorate.objects.order_by("name")), False, "National")

    def dt_dashboard():
        return build_dashboard(dt_perimeter, month_period, today=month.next.last_day)

    def national_dashboard():
        return build_dashboard(all_perimeter, year_period, today=datetime.date(year + 1, 1, 31))

    # Issue 11, point 5: protection and audit of the releases, cold (cache emptied first),
    # from reports computed once (the query is timed above).
    month_report = dt_month()
    year_report = national_year()

    def protect_all(computed):
        release.clear_cache()
        for ref in computed.directorates:
            for m in computed.period.months:
                tables = {
                    i.code: computed.monthly_table(i.code, ref.id, m) for i in definition.indicators
                }
                release.protect_month(definition, tables, conf.small_cell_threshold())

    def dt_month_protection():
        protect_all(month_report)

    def national_year_protection():
        protect_all(year_report)

    return [
        measure(f"Rapport mensuel – {directorate.name}, {month}", dt_month, runs, 60),
        measure("  protection et audit du mois (lecteur régional)", dt_month_protection, runs, 150),
        measure(
            "  protection et audit de l'année nationale",
            national_year_protection,
            max(3, runs // 10),
            3000,
        ),
        measure("  + document protégé (validations, secret)", dt_month_published, runs),
        measure(
            f"Année nationale – {len(every)} DT × 12 mois, {year}",
            national_year,
            max(3, runs // 3),
            800,
        ),
        measure("  + documents protégés", national_year_published, max(3, runs // 3)),
        measure(
            "Tableau de bord de la DT (mois, avec le parcours)", dt_dashboard, max(3, runs // 3)
        ),
        measure("Tableau de bord national (année, avec le parcours)", national_dashboard, 3),
    ]


def table(measures: list[Measure]) -> str:
    lines = [
        f"{'mesure':<52} {'exéc.':>5} {'médiane':>9} {'p95':>9} {'requêtes':>8} {'cible':>8}",
        "-" * 97,
    ]
    for m in measures:
        target = "" if m.target_ms is None else f"≤{m.target_ms:.0f} ms"
        verdict = "" if m.ok is None else ("  OK" if m.ok else "  DÉPASSÉ")
        lines.append(
            f"{m.name:<52} {m.runs:>5} {m.median_ms:>6.1f} ms {m.p95_ms:>6.1f} ms "
            f"{m.queries:>8} {target:>8}{verdict}"
        )
    return "\n".join(lines)
