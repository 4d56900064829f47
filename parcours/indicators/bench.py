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
    cpu_ms: float | None = None  # median processor time of this process (a shared machine)

    @property
    def ok(self) -> bool | None:
        return None if self.target_ms is None else self.p95_ms <= self.target_ms


def measure(name: str, work: Callable[[], object], runs: int, target_ms=None) -> Measure:
    work()  # warm-up: connection, caches, translations
    with CaptureQueriesContext(connection) as queries:
        work()
    timings, processor = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        work()
        timings.append((time.perf_counter() - start) * 1000)
        processor.append((time.process_time() - start_cpu) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, max(0, round(0.95 * len(timings)) - 1))]
    return Measure(
        name,
        runs,
        statistics.median(timings),
        p95,
        len(queries),
        target_ms,
        statistics.median(processor),
    )


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


def run_pathway_benchmarks(directorate, month: Month, year: int, runs: int) -> list[Measure]:
    """Issue 12, item 3: each pathway figure of the figures page (delays, contact losses,
    funnel, seats) for the DT's month, its region's month (the DREETS view) and the national
    year, then all of them with their protection as the page shows them (ADR 0022: the
    national year of every figure within 1 s, a DT's month well under 150 ms)."""
    from parcours.indicators import pathway
    from parcours.indicators.dashboard import pathway_figures, pathway_view
    from parcours.territories.models import Directorate

    every = tuple(Directorate.objects.order_by("name"))
    region = tuple(d for d in every if d.region_id == directorate.region_id)
    month_period, year_period = Period.single(month), Period.year(year)
    threshold = conf.small_cell_threshold()
    scopes = [
        (
            f"{directorate.name}, {month}",
            Perimeter((directorate,), exact=True, label=directorate.name),
            month_period,
            month.next.last_day,
            150,
        ),
        (
            f"région {directorate.region.name} ({len(region)} DT), {month}",
            Perimeter(region, exact=False, label=directorate.region.name),
            month_period,
            month.next.last_day,
            150,
        ),
        (
            f"national ({len(every)} DT), {year}",
            Perimeter(every, exact=False, label="National"),
            year_period,
            datetime.date(year + 1, 1, 31),
            1000,
        ),
    ]
    measures = []
    for label, perimeter, period, today, target in scopes:
        ids = perimeter.ids
        refs = [DirectorateRef.of(d) for d in perimeter.directorates]
        every_ids = [d.pk for d in perimeter.selectable]
        figures = [
            ("délais CIR → France Travail", lambda i=ids, p=period: pathway.cir_to_ft_delays(i, p)),
            (
                "délais de réponse aux orientations",
                lambda i=ids, p=period: pathway.referral_answer_delays(i, p),
            ),
            ("pertes de contact", lambda i=ids, t=today: pathway.contact_losses(i, t)),
            ("entonnoir des orientations", lambda i=ids, p=period: pathway.referral_funnel(i, p)),
            ("places et listes d'attente", lambda i=every_ids: pathway.seats(i)),
        ]
        for name, work in figures:
            measures.append(measure(f"Parcours – {label} – {name}", work, runs))

        def shown(perimeter=perimeter, ids=ids, refs=refs, period=period, today=today):
            release.clear_cache()
            found = pathway_figures(perimeter, ids, period, today)
            return pathway_view(found, refs, period, perimeter.exact, threshold)

        measures.append(
            measure(f"Parcours – {label} – toutes les figures, protégées", shown, runs, target)
        )
    return measures


def table(measures: list[Measure]) -> str:
    width = max([52] + [len(m.name) for m in measures])
    lines = [
        f"{'mesure':<{width}} {'exéc.':>5} {'médiane':>9} {'p95':>9} {'processeur':>10} "
        f"{'requêtes':>8} {'cible':>8}",
        "-" * (width + 57),
    ]
    for m in measures:
        target = "" if m.target_ms is None else f"≤{m.target_ms:.0f} ms"
        verdict = "" if m.ok is None else ("  OK" if m.ok else "  DÉPASSÉ")
        lines.append(
            f"{m.name:<{width}} {m.runs:>5} {m.median_ms:>6.1f} ms {m.p95_ms:>6.1f} ms "
            f"{m.cpu_ms:>7.1f} ms {m.queries:>8} {target:>8}{verdict}"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Protection and audit of releases on generated months (issue 11, point 5), no database
# ---------------------------------------------------------------------------------------------

# Shares of the generated convocations, as in dataset.py: present 80 %, then absent, excused,
# not yet recorded; the CIP receives 90 % of those present; a quarter of each situation.
_STATUSES = ("present",) * 8 + ("absent", "excused", "attendance_unrecorded")
_SITUATIONS = (None, "already_ft", "rsa_or_agir", "to_register")
_LANGUAGE = (None, "fle_in_person", "fle_asynchronous")


def generated_month(rng, convocations: int) -> dict:
    """One DT's month of monthly-report tables from `convocations` generated convocations,
    true to the report's relations (attendance identity, accompanied ≤ present…)."""
    from parcours.indicators.bands import DEFAULT_BANDS
    from parcours.indicators.tables import SEX_ROWS, CrossTable

    definition = get_report(MONTHLY_REPORT)
    tables = {
        i.code: CrossTable.empty(SEX_ROWS, DEFAULT_BANDS.columns) for i in definition.indicators
    }
    # Sex unrecorded for 1 convocation in 21, age unknown for 1 in 50; bands as the public's.
    sexes = ["F", "H"] * 10 + ["X"]
    known = [code for code, _label in DEFAULT_BANDS.columns][:-1]
    bands = [known[0]] * 12 + [known[1]] * 25 + [known[2]] * 10 + [known[3]] * 2
    bands += [DEFAULT_BANDS.columns[-1][0]]
    for _ in range(convocations):
        cell = (rng.choice(sexes), rng.choice(bands))
        status = rng.choice(_STATUSES)
        tables["convoked"].add(*cell, 1)
        tables[status].add(*cell, 1)
        if status != "present":
            continue
        language = rng.choice(_LANGUAGE)
        if language:
            tables[language].add(*cell, 1)
        if rng.random() >= 0.9:
            continue
        tables["accompanied"].add(*cell, 1)
        if rng.random() < 0.3:
            tables["first_appointment_accompanied"].add(*cell, 1)
        situation = rng.choice(_SITUATIONS)
        if situation:
            tables["concerned"].add(*cell, 1)
            tables[situation].add(*cell, 1)
            if situation == "to_register" and rng.random() < 0.5:
                tables["registered_by_cip"].add(*cell, 1)
    return tables


def run_release_benchmarks(runs: int, *, large: int = 2600, small: int = 25) -> list[Measure]:
    """Protection and audit, cold (cache emptied), of a DT's month for a regional viewer and of
    the national year (4 DTs × 12 months), at the dataset's size (`large` convocations a DT's
    month) and for small DTs (`small`: most cells from 1 to 4), then a cached release."""
    import random

    definition = get_report(MONTHLY_REPORT)
    threshold = conf.small_cell_threshold()
    rng = random.Random(2026)  # the same months on every run
    large_months = [generated_month(rng, large) for _ in range(48)]
    small_months = [generated_month(rng, small) for _ in range(48)]
    state = {"next": 0}

    def protect(months):
        release.clear_cache()
        for tables in months:
            release.protect_month(definition, tables, threshold)

    def one_month(months):
        def work():
            state["next"] = (state["next"] + 1) % len(months)
            protect([months[state["next"]]])

        return work

    def cached():
        release.protect_month(definition, large_months[0], threshold)

    return [
        measure(
            f"Protection et audit, mois d'une DT ({large} convocations), lecteur régional",
            one_month(large_months),
            runs,
            150,
        ),
        measure(
            f"Protection et audit, année nationale (4 DT × 12 mois de {large})",
            lambda: protect(large_months),
            max(3, runs // 10),
            3000,
        ),
        measure(
            f"Protection et audit, mois d'une petite DT ({small} convocations)",
            one_month(small_months),
            runs,
        ),
        measure(
            f"Protection et audit, année de petites DT (4 DT × 12 mois de {small})",
            lambda: protect(small_months),
            max(3, runs // 10),
        ),
        measure("Protection d'un mois déjà calculé (cache)", cached, runs),
    ]
