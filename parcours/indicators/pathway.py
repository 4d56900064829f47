"""Pathway figures: delays, contact losses, the referral funnel, seats and waiting lists.

Issue 13 (ADR 0013): every figure reads the facts stored on its event (the CIR's DT and
France Travail registration, the referral's DT), never the person's current values, so a
person who moves, a département attached to another DT or an anonymised file leaves past
figures unchanged; each query reads its table by the (DT, date) index.

Issue 5, item 3 (PFA attendance is in the monthly report, catalogue.py). Each figure is one
grouped query for every directorate and month asked (constant in their number); medians and
90th percentiles are taken in Python from the grouped distribution, the same on SQLite and
PostgreSQL. Outside the DT, small counts are protected like the monthly tables (protected()).
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.indicators.db import evaluated, raw_date
from parcours.indicators.periods import Month, Period
from parcours.indicators.suppression import hide_small
from parcours.indicators.tables import CrossTable, PublishedTable

# DOMAIN.md (CNIL reference, CIR lasting 1 year): a person is followed for the year after the
# CIR signature; without a recorded step for this many days, the contact counts as lost.
DEFAULT_CONTACT_LOSS_DAYS = 60
PATHWAY_DAYS = 365


def percentile(histogram: dict[int, int], fraction: float) -> int | None:
    """Nearest-rank percentile of a distribution given as {value: count}; None when empty.

    The median is percentile(h, 0.5): with an even count, the lower middle value (nearest
    rank, as spreadsheets' PERCENTILE.INC would interpolate; whole days read better).
    """
    total = sum(histogram.values())
    if total == 0:
        return None
    rank = max(1, math.ceil(fraction * total))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None  # pragma: no cover


@dataclass
class Delay:
    """A distribution of delays in days, with those still waiting and those not concerned."""

    histogram: dict[int, int] = field(default_factory=dict)
    waiting: int = 0
    not_concerned: int = 0

    @property
    def count(self) -> int:
        return sum(self.histogram.values())

    @property
    def median(self) -> int | None:
        return percentile(self.histogram, 0.5)

    @property
    def p90(self) -> int | None:
        return percentile(self.histogram, 0.9)

    def merge(self, other: Delay) -> Delay:
        histogram = dict(self.histogram)
        for value, count in other.histogram.items():
            histogram[value] = histogram.get(value, 0) + count
        return Delay(
            histogram, self.waiting + other.waiting, self.not_concerned + other.not_concerned
        )

    def shown(self, threshold: int | None, min_population: int | None = None) -> dict:
        """Values as published. Inside the DT (threshold None): exact.

        Outside (issue 11, point 3): the three counts are small counts like any other (hidden
        from 1 to the threshold: they add up to no published total, the referral ones are
        protected with the funnel, `protected_referrals`); the median and the 90th percentile
        are given only over at least `min_population` people (default 11), and each is the
        mean of three people's values around its rank (`shared_percentile`), so that it is
        never one person's delay.
        """
        if threshold is None:
            return {
                "count": self.count,
                "median": self.median,
                "p90": self.p90,
                "waiting": self.waiting,
                "not_concerned": self.not_concerned,
            }
        if min_population is None:
            from parcours.indicators.conf import min_statistic_population

            min_population = min_statistic_population()
        enough = self.count >= min_population
        return {
            "count": hide_small(self.count, threshold),
            "median": shared_percentile(self.histogram, 0.5) if enough else None,
            "p90": shared_percentile(self.histogram, 0.9) if enough else None,
            "waiting": hide_small(self.waiting, threshold),
            "not_concerned": hide_small(self.not_concerned, threshold),
        }


def shared_percentile(histogram: dict[int, int], fraction: float) -> int | None:
    """A percentile that is no single person's value: the mean, rounded to the day, of the
    values at the nearest rank and the ranks on either side (three people; at the ends, the
    three first or last). None with fewer than three people."""
    values = [v for v in sorted(histogram) for _ in range(histogram[v])]
    if len(values) < 3:
        return None
    rank = max(1, math.ceil(fraction * len(values))) - 1
    start = min(max(rank - 1, 0), len(values) - 3)
    return round(sum(values[start : start + 3]) / 3)


class DaysBetween(Func):
    """Whole days from the second date to the first, an integer (NULL when either is).

    ADR 0022: PostgreSQL subtracts dates into an integer directly; Django's DurationField
    arithmetic would turn each row into an interval and back, the bulk of a national year's
    cost. SQLite counts Julian days."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(ROUND(JULIANDAY(%(expressions)s)) AS INTEGER)",
            arg_joiner=") - JULIANDAY(",
            **extra_context,
        )


def cir_to_ft_delays(
    directorate_ids: Iterable[int], period: Period
) -> dict[tuple[int, Month], Delay]:
    """Days from the CIR signature to the France Travail registration, by DT and month of
    signature.

    "Not concerned": registered before signing, registered on an unknown date, or not
    registered and in work, in vocational training or a student (seed 001: the CIP leaves them
    out). "Waiting": the others not registered yet. The DT is the one copied on the CIR (the
    PFA's, or the person's when signed elsewhere), the registration and the employment
    situation the ones copied on it (ADR 0022: no person is read).
    """
    from parcours.reception.models import Contract
    from parcours.reception.rules import OUT_OF_SCOPE_SITUATIONS

    rows = evaluated(
        Contract.objects.filter(
            signed_on__gte=period.start,
            signed_on__lt=period.end_exclusive,
            directorate_id__in=list(directorate_ids),
        )
        .annotate(
            _month=TruncMonth("signed_on"),
            _delay=DaysBetween(F("ft_registration_date"), F("signed_on")),
            _out=Case(
                When(employment_status__in=sorted(OUT_OF_SCOPE_SITUATIONS), then=True),
                default=False,
                output_field=BooleanField(),
            ),
        )
        .values_list("directorate_id", "_month", "_delay", "ft_registered", "_out")
        .annotate(n=Count("pk"))
        .order_by()
    )
    result: dict[tuple[int, Month], Delay] = defaultdict(Delay)
    for directorate_id, month, delay, registered, out_of_scope, count in rows:
        delay_days = delay  # whole days (DaysBetween), or None
        entry = result[(directorate_id, _month_of(month))]
        if delay_days is not None and delay_days >= 0:
            entry.histogram[delay_days] = entry.histogram.get(delay_days, 0) + count
        elif delay_days is not None or registered or out_of_scope:
            entry.not_concerned += count
        else:
            entry.waiting += count
    return dict(result)


def referral_answer_delays(
    directorate_ids: Iterable[int], period: Period
) -> dict[tuple[int, Month], Delay]:
    """Days from a referral's sending to the partner's answer, by the referral's DT (the
    person's when referred) and month of sending; referrals still awaiting an answer are
    "waiting", the others without an answer (withdrawn, expired, transferred) "not concerned"."""
    from parcours.referrals.models import Referral
    from parcours.referrals.states import ReferralStatus

    rows = evaluated(
        Referral.objects.filter(
            sent_at__gte=_local_midnight(period.start),
            sent_at__lt=_local_midnight(period.end_exclusive),
            directorate_id__in=list(directorate_ids),
        )
        .annotate(
            _month=TruncMonth("sent_at", output_field=DateField()),
            _delay=DaysBetween(TruncDate("answered_at"), TruncDate("sent_at")),
        )
        .values_list("directorate_id", "_month", "_delay")
        .annotate(
            n=Count("pk"),
            waiting=Count("pk", filter=Q(status=ReferralStatus.SENT)),
        )
        .order_by()
    )
    result: dict[tuple[int, Month], Delay] = defaultdict(Delay)
    for directorate_id, month, delay, count, waiting in rows:
        entry = result[(directorate_id, _month_of(month))]
        delay_days = delay  # whole days (DaysBetween), or None
        if delay_days is None:
            entry.waiting += waiting
            entry.not_concerned += count - waiting
        else:
            entry.histogram[delay_days] = entry.histogram.get(delay_days, 0) + count
    return dict(result)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of a local calendar day (Europe/Paris): a range on it can use an index."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _month_of(value) -> Month:
    return Month.of(raw_date(value))


@dataclass(frozen=True)
class ContactLoss:
    followed: int
    lost: int

    @property
    def rate(self) -> float | None:
        return self.lost / self.followed if self.followed else None


def contact_losses(
    directorate_ids: Iterable[int], today: datetime.date, days: int = DEFAULT_CONTACT_LOSS_DAYS
) -> dict[int, ContactLoss]:
    """People followed (CIR signed in the last year) with no step recorded for `days` days.

    A step is any dated record of the pathway: the CIR signature, a PFA session the person was
    convoked to, a France Travail registration or first appointment accompaniment, a change of
    one of their referrals. One query whatever the number of people.
    """
    from parcours.reception.models import Contract, Convocation, EmploymentCheck
    from parcours.referrals.models import ReferralTransition

    # "No step since the cutoff" is "not among the people with a step since the cutoff": each
    # of these sets is read once (a few weeks of records, by index) and hashed by the
    # database, instead of looking for each person's latest step.
    cutoff = today - datetime.timedelta(days=days)
    recent_sessions = Convocation.objects.filter(
        session_date__gte=cutoff, session_date__lte=today
    ).values("person_id")
    recent_accompaniments = EmploymentCheck.objects.filter(
        accompaniment_date__gte=cutoff, accompaniment_date__lte=today
    ).values("person_id")
    # The person copied on each change (ADR 0022): one index range, no lookup per change.
    recent_referrals = ReferralTransition.objects.filter(
        at__gte=_local_midnight(cutoff), at__lt=_local_midnight(today + datetime.timedelta(days=1))
    ).values("person_id")
    lost = (
        Q(signed_on__lt=cutoff)
        & ~Q(ft_registration_date__gte=cutoff, ft_registration_date__lte=today)
        & ~Q(person_id__in=recent_sessions)
        & ~Q(person_id__in=recent_accompaniments)
        & ~Q(person_id__in=recent_referrals)
    )
    rows = evaluated(
        Contract.objects.filter(
            signed_on__gt=today - datetime.timedelta(days=PATHWAY_DAYS),
            signed_on__lte=today,
            directorate_id__in=list(directorate_ids),
        )
        .values("directorate_id")
        .annotate(followed=Count("pk"), lost=Count("pk", filter=lost))
        .order_by()
    )
    return {row["directorate_id"]: ContactLoss(row["followed"], row["lost"]) for row in rows}


# ---------------------------------------------------------------------------------------------
# Referral funnel, seats and waiting lists
# ---------------------------------------------------------------------------------------------

# The current state of every referral sent: these columns partition the referrals sent, so a
# table of them adds up to "sent" and can be protected like any table with totals.
STATUS_COLUMNS = [
    ("sent", _("En attente de réponse")),
    ("waitlisted", _("Liste d'attente")),
    ("accepted", _("Acceptées, pas encore entrées")),
    ("entered", _("Entrées, en cours")),
    ("completed", _("Parcours terminé")),
    ("dropped_out", _("Sortie anticipée")),
    ("refused", _("Refusées")),
    ("expired", _("Expirées")),
    ("withdrawn", _("Retirées")),
    ("transferred", _("Transférées")),
]

FUNNEL_STAGES = [
    ("sent", _("Envoyées")),
    ("accepted", _("Place attribuée")),
    ("entered", _("Entrées")),
    ("completed", _("Terminées")),
    ("refused", _("Refusées")),
    ("expired", _("Expirées")),
    ("awaiting_answer", _("En attente")),
]


@dataclass
class SchemeFunnel:
    directorate_id: int
    month: Month
    scheme_id: int
    scheme_name: str
    organisation_name: str
    stages: dict[str, int]
    statuses: dict[str, int]
    refused_by_reason: dict[str, int]


def referral_funnel(
    directorate_ids: Iterable[int] | None, period: Period, *, organisation_id: int | None = None
) -> list[SchemeFunnel]:
    """Per DT (the referral's), month of sending, partner and scheme: the funnel stages of the
    referrals sent, and their current states. One query; the stages are those declared by the
    referrals module (referrals.queries.STAGES), so both modules count the same way.

    With `organisation_id`, the referrals received by that partner's schemes only, from every
    DT when `directorate_ids` is None (a partner's own figures, issue 16)."""
    from parcours.referrals.models import Referral
    from parcours.referrals.queries import STAGES
    from parcours.referrals.states import RefusalReason

    annotations = {f"stage_{name}": Count("pk", filter=q) for name, q in STAGES.items()}
    annotations |= {
        f"status_{code}": Count("pk", filter=Q(status=code)) for code, _label in STATUS_COLUMNS
    }
    annotations |= {
        f"refused_{reason}": Count("pk", filter=Q(status="refused", refusal_reason=reason))
        for reason in RefusalReason.values
    }
    referrals = Referral.objects.filter(
        sent_at__gte=_local_midnight(period.start),
        sent_at__lt=_local_midnight(period.end_exclusive),
    )
    if directorate_ids is not None:
        referrals = referrals.filter(directorate_id__in=list(directorate_ids))
    if organisation_id is not None:
        referrals = referrals.filter(scheme__organisation_id=organisation_id)
    rows = evaluated(
        referrals.annotate(_month=TruncMonth("sent_at", output_field=DateField()))
        .values(
            "directorate_id",
            "_month",
            "scheme_id",
            "scheme__name",
            "scheme__organisation__name",
        )
        .annotate(**annotations)
        .order_by()  # ADR 0022: hash-grouped by the database, sorted below
    )
    rows.sort(key=lambda r: (r["scheme__organisation__name"], r["scheme__name"], r["scheme_id"]))
    return [
        SchemeFunnel(
            directorate_id=row["directorate_id"],
            month=_month_of(row["_month"]),
            scheme_id=row["scheme_id"],
            scheme_name=row["scheme__name"],
            organisation_name=row["scheme__organisation__name"],
            stages={name: row[f"stage_{name}"] for name in STAGES},
            statuses={code: row[f"status_{code}"] for code, _label in STATUS_COLUMNS},
            refused_by_reason={r: row[f"refused_{r}"] for r in RefusalReason.values},
        )
        for row in rows
    ]


def funnel_by_scheme(rows: list[SchemeFunnel], directorate_ids=None, months=None) -> list[dict]:
    """Funnel rows summed over directorates and months, one per scheme (exact, for the DT)."""
    merged: dict[int, dict] = {}
    for row in rows:
        if directorate_ids is not None and row.directorate_id not in directorate_ids:
            continue
        if months is not None and row.month not in months:
            continue
        entry = merged.setdefault(
            row.scheme_id,
            {
                "scheme": row.scheme_name,
                "organisation": row.organisation_name,
                "stages": defaultdict(int),
                "refused_by_reason": defaultdict(int),
            },
        )
        for name, count in row.stages.items():
            entry["stages"][name] += count
        for reason, count in row.refused_by_reason.items():
            entry["refused_by_reason"][reason] += count
    return sorted(merged.values(), key=lambda e: (e["organisation"], e["scheme"]))


def _funnel_table(rows, directorate_id, month) -> CrossTable | None:
    mine = [r for r in rows if r.directorate_id == directorate_id and r.month == month]
    if not mine:
        return None
    schemes = [(str(r.scheme_id), f"{r.scheme_name} – {r.organisation_name}") for r in mine]
    table = CrossTable(schemes, STATUS_COLUMNS, {})
    for row in mine:
        for code, count in row.statuses.items():
            if count:
                table.add(str(row.scheme_id), code, count)
    return table


def protected_funnel(
    rows: list[SchemeFunnel], directorate_id: int, month: Month, threshold: int
) -> PublishedTable | None:
    """One DT's month of referrals, scheme × current state, protected (None when empty)."""
    table, _delay = protected_referrals(rows, Delay(), directorate_id, month, threshold)
    return table


def protected_referrals(
    rows: list[SchemeFunnel], delay: Delay, directorate_id: int, month: Month, threshold: int
) -> tuple[PublishedTable | None, dict]:
    """The funnel table and the referral answer delay of one DT's month, protected together.

    Issue 11: both count the referrals sent in the month by the DT, so the delay's three
    counts add up to the funnel's grand total and « encore en attente » is its « En attente
    de réponse » column; protected one by one, subtracting would give hidden counts back.
    Raises release.ReleaseRefused when no pattern passes (fail closed).
    """
    from parcours.indicators.disclosure import System, Unprotectable, add_table, protect
    from parcours.indicators.release import ReleaseRefused

    table = _funnel_table(rows, directorate_id, month)
    shown = delay.shown(threshold)
    system = System()
    keys = add_table(system, ("funnel",), table) if table is not None else {}
    for name, value in (
        ("count", delay.count),
        ("waiting", delay.waiting),
        ("not_concerned", delay.not_concerned),
    ):
        system.unknown(("delay", name), value)
        system.publish(("delay", name), [("delay", name)], INNER_COST_DELAY)
    if table is not None:
        cells = [("funnel", r, c) for r in table.row_codes for c in table.column_codes]
        system.relate(
            {("delay", "count"): 1, ("delay", "waiting"): 1, ("delay", "not_concerned"): 1}
            | dict.fromkeys(cells, -1),
            equality=True,
        )
        system.relate(
            {("delay", "waiting"): 1} | {("funnel", r, "sent"): -1 for r in table.row_codes},
            equality=True,
        )
    try:
        protection = protect(system, threshold)
    except Unprotectable as error:
        raise ReleaseRefused(month.label) from error
    for name in ("count", "waiting", "not_concerned"):
        if protection.is_hidden(("delay", name)):
            shown[name] = None
    if table is None:
        return None, shown
    hidden = frozenset(cell for cell, k in keys.items() if protection.is_hidden(k))
    primary = frozenset(cell for cell, k in keys.items() if protection.is_primary(k))
    return PublishedTable(table, hidden, primary), shown


# A delay's counts are cells of their own line: hidden before the funnel's inner cells.
INNER_COST_DELAY = 10


SEAT_COLUMNS = [("taken", _("Places occupées")), ("waiting", _("Liste d'attente"))]


@dataclass
class SchemeSeats:
    scheme_id: int
    name: str
    organisation_name: str
    capacity: int | None
    taken: int
    waiting: int

    @property
    def free(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.taken, 0)

    @property
    def occupancy(self) -> float | None:
        return self.taken / self.capacity if self.capacity else None


def schemes_by_directorate(directorate_ids: Iterable[int]) -> dict[int, set[int]]:
    """The schemes serving each directorate's départements (one query), for the views of
    the seats a reader can select (protected_seats_views)."""
    from parcours.referrals.models import Scheme

    through = Scheme.departments.through
    result: dict[int, set[int]] = {d: set() for d in directorate_ids}
    rows = through.objects.filter(department__directorate_id__in=list(result)).values_list(
        "department__directorate_id", "scheme_id"
    )
    for directorate_id, scheme_id in rows:
        result[directorate_id].add(scheme_id)
    return result


def seats(
    directorate_ids: Iterable[int] | None, *, organisation_id: int | None = None
) -> list[SchemeSeats]:
    """Seats taken and waiting lists today, for the active schemes serving the DTs' départements
    (or, with `organisation_id`, the active schemes of that partner).

    Seats are a scheme's, not a DT's: a scheme serving two DTs shows in both with the same
    figures. One query.
    """
    from parcours.referrals.models import Referral, Scheme
    from parcours.territories.models import Department

    schemes = Scheme.objects.active()
    if organisation_id is not None:
        schemes = schemes.filter(organisation_id=organisation_id)
    else:
        departments = Department.objects.filter(directorate_id__in=list(directorate_ids))
        schemes = schemes.serving(departments)
    rows = evaluated(
        schemes.annotate(
            waiting=Coalesce(
                Subquery(
                    Referral.objects.filter(scheme_id=OuterRef("pk"), status="waitlisted")
                    .order_by()
                    .values("scheme_id")
                    .annotate(n=Count("pk"))
                    .values("n")[:1],
                    output_field=IntegerField(),
                ),
                0,
            )
        )
        .values_list("pk", "name", "organisation__name", "capacity", "seats_taken", "waiting")
        .order_by("organisation__name", "name")
    )
    return [SchemeSeats(*row) for row in rows]


# The key of the capacities in protected_seats_views' result.
CAPACITIES = "capacities"


def _seats_table(rows: list[SchemeSeats]) -> CrossTable:
    table = CrossTable(
        [(str(r.scheme_id), f"{r.name} – {r.organisation_name}") for r in rows], SEAT_COLUMNS, {}
    )
    for row in rows:
        if row.taken:
            table.add(str(row.scheme_id), "taken", row.taken)
        if row.waiting:
            table.add(str(row.scheme_id), "waiting", row.waiting)
    return table


def protected_seats(
    rows: list[SchemeSeats], threshold: int, *, views: dict | None = None
) -> PublishedTable | None:
    """The seats table of the rows, protected together with the other views of the release.

    `views` maps each other perimeter the same reader can select (each DT of the region) to
    its scheme ids: a scheme shows in the region's table and in each DT's it serves, with the
    same figures, and each view has its own totals (issue 11). Without `views`, the table
    is protected on its own. Returns the table of `rows`.
    """
    tables = protected_seats_views(rows, threshold, views or {})
    return tables.get(None)


def protected_seats_views(
    rows: list[SchemeSeats], threshold: int, views: dict
) -> dict[object, PublishedTable | None]:
    """Every view of the seats (None: all `rows`; each key of `views`: its schemes), with
    one protection chosen over all of them. Raises release.ReleaseRefused (fail closed)."""
    from parcours.indicators.disclosure import (
        MARGIN_COST,
        System,
        Unprotectable,
        add_table,
        protect,
    )
    from parcours.indicators.release import ReleaseRefused
    from parcours.indicators.tables import TOTAL

    if not rows:
        return {None: None, CAPACITIES: {}} | dict.fromkeys(views)
    table = _seats_table(rows)
    system = System()
    keys = {None: add_table(system, ("seats",), table)}
    for row in rows:
        # Readers see each scheme's capacity: seats taken are at most the capacity.
        if row.capacity is not None:
            system.unknown(("capacity", row.scheme_id), row.capacity)
            system.publish(("capacity", row.scheme_id), [("capacity", row.scheme_id)], 10**9)
            system.relate(
                {("seats", str(row.scheme_id), "taken"): 1, ("capacity", row.scheme_id): -1},
                equality=False,
            )
    for view, scheme_ids in views.items():
        codes = [str(r.scheme_id) for r in rows if r.scheme_id in set(scheme_ids)]
        view_keys = {}
        for code in codes:
            for column in table.column_codes + [TOTAL]:
                view_keys[(code, column)] = keys[None][(code, column)]
        for column in table.column_codes:
            view_keys[(TOTAL, column)] = system.publish(
                ("view", view, TOTAL, column), [("seats", c, column) for c in codes], MARGIN_COST
            )
        view_keys[(TOTAL, TOTAL)] = system.publish(
            ("view", view, TOTAL, TOTAL),
            [("seats", c, col) for c in codes for col in table.column_codes],
            MARGIN_COST * 10,
        )
        keys[view] = (view_keys, codes)
    try:
        protection = protect(system, threshold)
    except Unprotectable as error:
        raise ReleaseRefused(str(SEAT_COLUMNS[0][1])) from error

    def published(source: CrossTable, table_keys) -> PublishedTable:
        hidden = frozenset(cell for cell, k in table_keys.items() if protection.is_hidden(k))
        primary = frozenset(cell for cell, k in table_keys.items() if protection.is_primary(k))
        return PublishedTable(source, hidden, primary)

    result: dict = {None: published(table, keys[None])}
    # Capacities as shown (None: hidden, or no capacity): hidden only when a small count of
    # seats taken could not be protected otherwise.
    result[CAPACITIES] = {
        row.scheme_id: None
        if row.capacity is None or protection.is_hidden(("capacity", row.scheme_id))
        else row.capacity
        for row in rows
    }
    for view in views:
        view_keys, codes = keys[view]
        chosen = [r for r in rows if str(r.scheme_id) in set(codes)]
        result[view] = published(_seats_table(chosen), view_keys) if chosen else None
    return result
