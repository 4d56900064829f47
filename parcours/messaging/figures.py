"""Figures of the messages per DT and month: confirmations, « cannot come » by reason, no-shows
by channel with or without reminder, and seats lost (issue 18, item 5).

What is counted (sessions of the month, by the session date copied on the convocation):
- convoked: convocations not rescheduled to another session;
- confirmation rate: « I will come » answers on the person's page / convoked;
- cannot come: answers on the page, by reason;
- no-show rate: absent / (present + absent), by channel group — "sms" when an SMS was
  handed to the provider (sent or delivered), else "email" when an e-mail was sent, else
  "letter" (letter only) — and by whether a reminder was sent. Excused persons said so
  before and are no no-show; convocations whose attendance is not taken are left out;
- seats lost: absent or excused convocations (a seat held and not used) / the sessions'
  seats.
Outside the DT, counts go through the small-cell protection of the figures
(`indicators.suppression.hide_small`): a rate is shown only when both its counts are.

Two grouped queries for any number of DTs and months. The messages are read once per query,
joined to the period's convocations and counted per convocation before the convocations are
grouped (issue 12, docs/benchmarks/2026-12-02-traces.md, statement 28): three EXISTS in the
SELECT list were, on PostgreSQL, three index probes per convocation (130,500 loops each for a
national year) or, when they fit in memory, three hashed reads of the whole message table
whatever the period.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Count, F, FilteredRelation, Q, Sum
from django.db.models.functions import TruncMonth

from parcours.indicators.conf import small_cell_threshold
from parcours.indicators.db import aggregate_cursor, raw_date
from parcours.indicators.suppression import hide_small
from parcours.messaging.models import Answer, AnswerReason, Channel, DeliveryStatus, Kind
from parcours.reception.models import AttendanceStatus, Convocation, ReceptionSession

CHANNEL_GROUPS = ("letter", "email", "sms")
_DONE = [DeliveryStatus.SENT, DeliveryStatus.DELIVERED]


@dataclass
class NoShow:
    observed: int | None = 0
    absent: int | None = 0

    @property
    def rate(self) -> float | None:
        if not self.observed or self.absent is None:
            return None
        return self.absent / self.observed


@dataclass
class MonthFigures:
    directorate_id: int
    month: object  # first day of the month
    convoked: int | None = 0
    confirmed: int | None = 0
    cannot_come: dict = field(default_factory=dict)  # reason → count
    no_show: dict = field(default_factory=dict)  # (channel group, reminded) → NoShow
    seats: int | None = 0
    seats_lost: int | None = 0

    @property
    def confirmation_rate(self) -> float | None:
        if not self.convoked or self.confirmed is None:
            return None
        return self.confirmed / self.convoked

    @property
    def seats_lost_share(self) -> float | None:
        if not self.seats or self.seats_lost is None:
            return None
        return self.seats_lost / self.seats

    def no_show_rows(self):
        return [
            (group, reminded, self.no_show.get((group, reminded), NoShow()))
            for group in CHANNEL_GROUPS
            for reminded in (False, True)
        ]

    def cannot_come_rows(self):
        return [(reason, self.cannot_come.get(reason, 0)) for reason in AnswerReason]


# The columns of one convocation's row, then its messages handed over, by kind of message.
_COLUMNS = ("directorate_id", "month", "status", "answer", "reason")
_SENT = ("by_sms", "by_email", "reminded")


def _per_convocation(directorate_ids, first_day, last_day):
    """One row per convocation of the period: its DT, month, status, answer on its page, and
    how many of its messages were handed to the provider by SMS, by e-mail, as a reminder."""
    return (
        Convocation.objects.filter(
            directorate_id__in=list(directorate_ids),
            session_date__gte=first_day,
            session_date__lte=last_day,
        )
        # A seat moved to another session, or of a cancelled session, was not lost here.
        .exclude(status__in=[AttendanceStatus.RESCHEDULED, AttendanceStatus.CANCELLED])
        # The condition in the join: a convocation without such a message keeps its row.
        .annotate(done=FilteredRelation("messages", condition=Q(messages__status__in=_DONE)))
        .annotate(
            month=TruncMonth("session_date"),
            answer=F("page__answer"),
            reason=F("page__reason"),
            by_sms=Count("done", filter=Q(done__channel=Channel.SMS)),
            by_email=Count("done", filter=Q(done__channel=Channel.EMAIL)),
            reminded=Count("done", filter=Q(done__kind=Kind.REMINDER)),
        )
        .values(*_COLUMNS, *_SENT)
        .order_by()
    )


def _groups(directorate_ids, first_day, last_day):
    """The convocations counted per (DT, month, SMS sent, e-mail sent, reminded, status,
    answer, reason), in one statement: the ORM cannot group the rows of a grouped query, so
    the outer GROUP BY is written here around the ORM's SQL (as indicators.queries does)."""
    inner = _per_convocation(directorate_ids, first_day, last_day)
    connection = connections[inner.db]
    name = connection.ops.quote_name
    sql, params = inner.query.sql_with_params()
    # Only column names of this module around the ORM's SQL; the values stay parameters.
    columns = [name(c) for c in _COLUMNS] + [f"{name(c)} > 0" for c in _SENT]
    sql = (
        f"SELECT {', '.join(columns)}, COUNT(*) FROM ({sql}) per_convocation"  # noqa: S608
        f" GROUP BY {', '.join(str(i) for i in range(1, len(columns) + 1))}"
    )
    # The figures' planner settings (indicators.db, ADR 0022): with the server's defaults
    # (random_page_cost 4) a DT's month read the whole message table (154 ms against 20 ms,
    # docs/benchmarks/2026-12-02-traces.md).
    with aggregate_cursor(inner.db) as cursor:
        cursor.execute(sql, params)
        for *values, n in cursor.fetchall():
            row = dict(zip(_COLUMNS + _SENT, values, strict=True))
            row["month"], row["n"] = raw_date(row["month"]), n
            yield row


def reach_figures(directorate_ids, first_day, last_day, *, exact: bool = True):
    """MonthFigures per (DT, month) between two days, protected when not `exact`."""
    directorate_ids = list(directorate_ids)
    rows = _groups(directorate_ids, first_day, last_day)
    figures: dict = {}

    def cell(directorate_id, month):
        key = (directorate_id, month)
        if key not in figures:
            figures[key] = MonthFigures(directorate_id, month)
        return figures[key]

    counts = defaultdict(lambda: defaultdict(int))
    for row in rows:
        f = cell(row["directorate_id"], row["month"])
        n = row["n"]
        f.convoked += n
        if row["answer"] == Answer.CONFIRMED:
            f.confirmed += n
        elif row["answer"] == Answer.CANNOT_COME:
            f.cannot_come[row["reason"]] = f.cannot_come.get(row["reason"], 0) + n
        group = "sms" if row["by_sms"] else "email" if row["by_email"] else "letter"
        status = row["status"]
        if status in (AttendanceStatus.PRESENT, AttendanceStatus.ABSENT):
            tally = counts[(f.directorate_id, f.month)]
            tally[(group, bool(row["reminded"]), "observed")] += n
            if status == AttendanceStatus.ABSENT:
                tally[(group, bool(row["reminded"]), "absent")] += n
        if status in (AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED):
            f.seats_lost += n
    for key, tally in counts.items():
        for group in CHANNEL_GROUPS:
            for reminded in (False, True):
                observed = tally.get((group, reminded, "observed"), 0)
                if observed:
                    figures[key].no_show[(group, reminded)] = NoShow(
                        observed, tally.get((group, reminded, "absent"), 0)
                    )
    seats = (
        ReceptionSession.objects.planned()
        .filter(directorate_id__in=list(directorate_ids), date__gte=first_day, date__lte=last_day)
        .annotate(month=TruncMonth("date"))
        .values("directorate_id", "month")
        .annotate(seats=Sum("capacity"))
        .order_by()
    )
    for row in seats:
        cell(row["directorate_id"], row["month"]).seats = row["seats"]
    result = [figures[key] for key in sorted(figures, key=lambda k: (k[0], k[1]))]
    if not exact:
        threshold = small_cell_threshold()
        for f in result:
            _protect(f, threshold)
    return result


def _protect(f: MonthFigures, threshold: int) -> None:
    """Counts from 1 to the threshold hidden (None) before the figures leave the DT."""
    f.convoked = hide_small(f.convoked, threshold)
    f.confirmed = hide_small(f.confirmed, threshold)
    f.cannot_come = {r: hide_small(n, threshold) for r, n in f.cannot_come.items()}
    f.no_show = {
        key: NoShow(hide_small(v.observed, threshold), hide_small(v.absent, threshold))
        for key, v in f.no_show.items()
    }
    f.seats_lost = hide_small(f.seats_lost, threshold)
