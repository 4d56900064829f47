"""Impact of the experiment (issue 20 part 5): where people are 3, 6 and 12 months after their
reception day, per cohort, from the facts recorded.

A cohort is the people whose first reception day (the first PFA they attended) falls in one
month, counted in the DT of that PFA, by sex and age band at that day (the copies stored on the
convocation, ADR 0007, so anonymisation and moves leave the figures alone). For each horizon,
a person's state on the reception day plus 3, 6 or 12 months is the state of the reception
day (the CIP interview: work, vocational training, France Travail registration or RSA, which
registers automatically) followed by the dated facts up to that day: the situation updates
(people.situations.state_on) and the France Travail registration copied on the CIR. Four
shares are given: in work, in training, registered at France Travail, in work in an
occupation with recruitment difficulties (`shortage_codes(region_code, day)`, wired by the
employment app). A horizon is shown only once every person of the cohort has reached it.

Cohorts are compared by period: before the DT's experiment started (8 December 2025 for
Metz, reception.CipExperiment), during it, after it, and DTs without one. Outside the DT, each
DT's cohort is one release protected like the monthly tables (release.protect_month over the
declared relations, catalogue.IMPACT_RELATIONS); sums over several DTs or cohorts are given
inside the DT only (ADR 0006).
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from parcours.indicators.periods import Month
from parcours.indicators.tables import SEX_ROWS, TOTAL, CrossTable, PublishedTable
from parcours.people.situations import Situation, SituationKind, Step, state_on

HORIZONS = (3, 6, 12)
MEASURES = (
    ("employed", _("En emploi")),
    ("training", _("En formation")),
    ("ft", _("Inscrites à France Travail")),
    ("shortage", _("En emploi dans un métier en tension")),
)
COHORT = "cohort"

ShortageCodes = Callable[[str, datetime.date], frozenset]


def no_shortage_codes(region_code: str, on: datetime.date) -> frozenset:
    """Until the shortage list is wired (parcours.employment.shortage.shortage_codes)."""
    return frozenset()


def code_for(measure: str, months: int) -> str:
    return f"{measure}_{months}m"


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, the month's last day when it has fewer days (31 → 30)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Group:
    """Where a cohort stands against the DT's experiment."""

    BEFORE = "before"
    DURING = "during"
    AFTER = "after"
    WITHOUT = "without"

    LABELS = {
        BEFORE: _("Avant l'expérimentation"),
        DURING: _("Pendant l'expérimentation"),
        AFTER: _("Après l'expérimentation"),
        WITHOUT: _("DT sans expérimentation"),
    }
    ORDER = (BEFORE, DURING, AFTER, WITHOUT)


def group_of(month: Month, periods: list[tuple[datetime.date, datetime.date]]) -> str:
    """A cohort month with at least one day in an experiment period is « during » (Metz's
    December 2025 cohort: from the 8th); before the first period « before »."""
    if not periods:
        return Group.WITHOUT
    if any(start <= month.last_day and month.first_day <= end for start, end in periods):
        return Group.DURING
    if month.last_day < min(start for start, _end in periods):
        return Group.BEFORE
    return Group.AFTER


@dataclass
class Member:
    """One person of a cohort, with the facts of the reception day and after."""

    person_id: int
    directorate_id: int
    day: datetime.date
    sex: str
    age: int | None
    initial: Situation = field(default_factory=Situation)
    steps: list[Step] = field(default_factory=list)


def _initial(check: dict | None) -> Situation:
    """The reception day's facts of the CIP interview (seed 001): in work (CDI, CDD, interim),
    in vocational training, already registered at France Travail, registered by the CIP, or
    receiving RSA (registered automatically, plein emploi law of 18 December 2023)."""
    if check is None:
        return Situation()
    from parcours.people.models import EMPLOYED_STATUSES, EmploymentStatus

    return Situation(
        employed=check["situation"] in EMPLOYED_STATUSES,
        in_training=check["situation"] == EmploymentStatus.VOCATIONAL_TRAINING,
        ft_registered=bool(
            check["already_ft"] or check["registered_today"] or check["rsa_recipient"]
        ),
    )


def cohort_members(
    directorate_ids: Iterable[int], first: Month, last: Month, *, until: datetime.date
) -> list[Member]:
    """The people whose first reception day falls from `first` to `last` in these DTs, with
    their facts up to `until`. Five queries whatever the number of people."""
    from parcours.people.situations import SituationUpdate
    from parcours.reception.models import Contract, Convocation, EmploymentCheck
    from parcours.reception.states import AttendanceStatus

    ids = list(directorate_ids)
    present = Convocation.objects.filter(status=AttendanceStatus.PRESENT)
    in_range = present.filter(
        directorate_id__in=ids, session_date__gte=first.first_day, session_date__lte=last.last_day
    )
    first_rows: dict[int, dict] = {}
    for row in in_range.order_by("session_date", "pk").values(
        "pk", "person_id", "directorate_id", "session_date", "sex", "age_at_event"
    ):
        first_rows.setdefault(row["person_id"], row)
    persons = in_range.values("person_id")
    # A person received before the range belongs to an earlier cohort (anywhere).
    earlier = set(
        present.filter(person_id__in=persons, session_date__lt=first.first_day).values_list(
            "person_id", flat=True
        )
    )
    checks = {
        row["convocation_id"]: row
        for row in EmploymentCheck.objects.filter(convocation__in=in_range).values(
            "convocation_id", "situation", "already_ft", "registered_today", "rsa_recipient"
        )
    }
    steps: dict[int, list[Step]] = defaultdict(list)
    for person_id, day in Contract.objects.filter(
        person_id__in=persons, ft_registration_date__isnull=False, ft_registration_date__lte=until
    ).values_list("person_id", "ft_registration_date"):
        # The CIR's copy of the France Travail registration (ADR 0013), ordered before any
        # update of the same day.
        steps[person_id].append(Step(day, -1, SituationKind.FT_REGISTRATION))
    for pk, person_id, day, kind, rome in SituationUpdate.objects.filter(
        person_id__in=persons, occurred_on__lte=until
    ).values_list("pk", "person_id", "occurred_on", "kind", "rome_code"):
        steps[person_id].append(Step(day, pk, kind, rome))
    members = []
    for person_id, row in first_rows.items():
        if person_id in earlier:
            continue
        members.append(
            Member(
                person_id,
                row["directorate_id"],
                row["session_date"],
                row["sex"],
                row["age_at_event"],
                _initial(checks.get(row["pk"])),
                steps.get(person_id, []),
            )
        )
    return members


@dataclass
class CohortFigures:
    """One DT's cohort: its tables by sex × age band (exact), and the horizons observed."""

    directorate_id: int
    month: Month
    group: str
    tables: dict[str, CrossTable]
    horizons: tuple[int, ...]

    @property
    def size(self) -> int:
        return self.tables[COHORT].grand_total


def observable_horizons(month: Month, today: datetime.date) -> tuple[int, ...]:
    """Horizons every person of the cohort has reached (its last day + h months ≤ today)."""
    return tuple(h for h in HORIZONS if add_months(month.last_day, h) <= today)


def compute_impact(
    directorates,
    first: Month,
    last: Month,
    *,
    today: datetime.date,
    bands,
    shortage_codes: ShortageCodes = no_shortage_codes,
) -> list[CohortFigures]:
    """Every (DT, cohort month) from `first` to `last` with at least one person, in DT then
    month order. `directorates` are Directorate rows (their region code feeds
    `shortage_codes`)."""
    from parcours.reception.models import CipExperiment

    directorates = list(directorates)
    by_id = {d.pk: d for d in directorates}
    periods: dict[int, list] = defaultdict(list)
    for directorate_id, start, end in CipExperiment.objects.filter(
        directorate_id__in=list(by_id)
    ).values_list("directorate_id", "starts_on", "ends_on"):
        periods[directorate_id].append((start, end))
    from parcours.territories.models import Directorate

    regions = dict(Directorate.objects.filter(pk__in=list(by_id)).values_list("pk", "region__code"))
    members = cohort_members(by_id, first, last, until=add_months(last.last_day, max(HORIZONS)))
    columns = bands.columns
    shortage_cache: dict[tuple[str, datetime.date], frozenset] = {}

    def shortage(region: str, day: datetime.date) -> frozenset:
        key = (region, day)
        if key not in shortage_cache:
            shortage_cache[key] = frozenset(shortage_codes(region, day))
        return shortage_cache[key]

    cohorts: dict[tuple[int, Month], CohortFigures] = {}
    for member in members:
        month = Month.of(member.day)
        key = (member.directorate_id, month)
        figures = cohorts.get(key)
        if figures is None:
            horizons = observable_horizons(month, today)
            codes = [COHORT] + [code_for(m, h) for h in horizons for m, _label in MEASURES]
            figures = cohorts[key] = CohortFigures(
                member.directorate_id,
                month,
                group_of(month, periods.get(member.directorate_id, [])),
                {code: CrossTable.empty(SEX_ROWS, columns) for code in codes},
                horizons,
            )
        sex = member.sex if member.sex in ("F", "H") else "X"
        band = bands.band_for(member.age)
        figures.tables[COHORT].add(sex, band, 1)
        for months in figures.horizons:
            day = add_months(member.day, months)
            state = state_on(member.initial, member.steps, day)
            flags = {
                "employed": state.employed,
                "training": state.in_training,
                "ft": state.ft_registered,
                "shortage": state.employed
                and state.rome_code in shortage(regions.get(member.directorate_id) or "", day),
            }
            for measure, _label in MEASURES:
                if flags[measure]:
                    figures.tables[code_for(measure, months)].add(sex, band, 1)
    order = {d.pk: index for index, d in enumerate(directorates)}
    return sorted(cohorts.values(), key=lambda c: (order[c.directorate_id], c.month))


# ---------------------------------------------------------------------------------------------
# As published: exact inside the DT, protected outside
# ---------------------------------------------------------------------------------------------


@dataclass
class PublishedCohort:
    figures: CohortFigures
    tables: dict[str, PublishedTable]
    refused: str = ""

    @property
    def directorate_id(self) -> int:
        return self.figures.directorate_id

    @property
    def month(self) -> Month:
        return self.figures.month

    @property
    def group(self) -> str:
        return self.figures.group

    @property
    def group_label(self) -> str:
        return str(Group.LABELS[self.group])

    def total(self, code: str) -> int | None:
        published = self.tables.get(code)
        return None if published is None else published.value(TOTAL, TOTAL)

    def share(self, code: str) -> float | None:
        """The share of the cohort, from published values only (None when either is hidden)."""
        count, size = self.total(code), self.total(COHORT)
        if count is None or not size:
            return None
        return count / size


def publish(
    cohorts: list[CohortFigures],
    *,
    threshold: int | None,
    received: dict | None = None,
    label_of: Callable[[int], str] = str,
) -> list[PublishedCohort]:
    """Each cohort as the reader may see it: exact when `threshold` is None, else protected
    together with its own tables (one release per DT and cohort month). A cohort that cannot
    be protected is left out with its French message (fail closed)."""
    from parcours.indicators.catalogue import impact_definition
    from parcours.indicators.release import ReleaseRefused, protect_month

    published = []
    for figures in cohorts:
        if threshold is None:
            tables = {code: PublishedTable(table) for code, table in figures.tables.items()}
            published.append(PublishedCohort(figures, tables))
            continue
        definition = impact_definition(figures.horizons)
        hidden = (received or {}).get((figures.directorate_id, figures.month), ())
        try:
            tables = protect_month(
                definition,
                figures.tables,
                threshold,
                already_hidden=hidden,
                label=f"{label_of(figures.directorate_id)}, {figures.month.label}",
            )
        except ReleaseRefused as refused:
            published.append(PublishedCohort(figures, {}, refused.message))
            continue
        published.append(PublishedCohort(figures, tables))
    return published


@dataclass
class GroupShare:
    """A group's pooled share at one horizon, over the cohorts that reached it (DT only)."""

    count: int = 0
    base: int = 0

    @property
    def share(self) -> float | None:
        return self.count / self.base if self.base else None


def compare_groups(cohorts: list[CohortFigures]) -> dict[str, dict[str, GroupShare]]:
    """Inside the DT only (exact): per group, per indicator code, the pooled share over the
    cohorts that reached the horizon (a cohort not yet at 12 months is not in the 12-month
    base)."""
    result: dict[str, dict[str, GroupShare]] = {}
    for figures in cohorts:
        shares = result.setdefault(figures.group, {})
        size = figures.size
        for months in figures.horizons:
            for measure, _label in MEASURES:
                code = code_for(measure, months)
                share = shares.setdefault(code, GroupShare())
                share.count += figures.tables[code].grand_total
                share.base += size
    return {group: result[group] for group in Group.ORDER if group in result}


@dataclass
class ImpactRelease:
    """What `release.record_release` needs to record what an audience was given."""

    definition: object
    releases: dict
    threshold: int
    exact: bool = False


def release_of(published: list[PublishedCohort], threshold: int) -> ImpactRelease:
    from parcours.indicators.catalogue import IMPACT_REPORT

    return ImpactRelease(
        IMPACT_REPORT,
        {(c.directorate_id, c.month): c.tables for c in published if c.tables},
        threshold,
    )
