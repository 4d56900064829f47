"""What each role's home page says to do now (issue 16): the day's sessions, the worklists,
referrals waiting for an answer, the month to approve, the reports to send, the months each DT
has approved; each count from one query."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from parcours.accounts.models import User
from parcours.accounts.throttling import recent_failures
from parcours.core import freshness
from parcours.indicators.catalogue import MONTHLY_REPORT
from parcours.indicators.dashboard import default_period
from parcours.indicators.models import MonthlyApproval, ReportRecipient, ReportRun, RunStatus
from parcours.indicators.periods import Month
from parcours.organisations.permissions import Action, can
from parcours.reception.models import (
    Contract,
    Convocation,
    EmploymentCheck,
    ReceptionSession,
    ReceptionSettings,
    SessionStaff,
)
from parcours.referrals.models import Referral, ReferralStatus, Scheme

# How far back the homes look for reports to send and months approved: a year of monthly
# reports (seed 001: the figures go out every month); older months are the runs page's business.
REPORT_MONTHS = 12
# The DREETS home shows this many complete months per DT (the last quarter).
REGIONAL_MONTHS = 3

# A referral is « about to expire » this many days before its scheme's expiry.
EXPIRY_WARNING_DAYS = 7


@dataclass(frozen=True)
class WorklistCounts:
    reconvoke: int
    no_ft: int
    no_outcome: int
    delay: int
    cap: int  # a count above it is shown as « plus de » the cap


def sessions_of_the_day(
    directorate_id=None, today: datetime.date | None = None, *, staff_user_id=None
) -> list:
    """Today's and tomorrow's sessions of a DT, or those a user is on the staff of (the
    partner's CIP, issue 16), with their seats and staff (two queries)."""
    today = today or timezone.localdate()
    sessions = ReceptionSession.objects.all()
    if directorate_id is not None:
        sessions = sessions.filter(directorate_id=directorate_id)
    if staff_user_id is not None:
        sessions = sessions.filter(
            Exists(SessionStaff.objects.filter(session=OuterRef("pk"), user_id=staff_user_id))
        )
    sessions = list(
        sessions.in_range(today, today + datetime.timedelta(days=1))
        .with_counts()
        .prefetch_related(Prefetch("staff", queryset=SessionStaff.objects.select_related("user")))
        .order_by("date", "start_time", "place")
    )
    for session in sessions:
        session.free_seats = max(session.capacity - session.seats_taken, 0)
        session.is_today = session.date == today
    return sessions


# A worklist's count stops there: « plus de 1 000 » says as much to a DT as the exact number,
# which read every open item of the DT (0.5–0.8 s a list at a million persons, issue 12).
WORKLIST_COUNT_CAP = 1000


def capped_count(queryset, *order) -> int:
    """The rows of `queryset`, counted up to WORKLIST_COUNT_CAP + 1 (more than the cap).

    In the list's `order`, that of its partial index (reception/models.py): the count then
    walks it as the page does and stops at the cap. Unordered, the planner expected the cap
    to come soon and merged the DT's persons with every open item (293 ms for 992 rows at
    100,000 persons, against 77 ms for the exact count)."""
    return queryset.order_by(*order).values("pk")[: WORKLIST_COUNT_CAP + 1].count()


def worklist_counts(directorate_id, today: datetime.date | None = None) -> WorklistCounts:
    """The counts of « À traiter », one query each, as the worklists page computes them."""
    today = today or timezone.localdate()
    settings = ReceptionSettings.for_directorate(directorate_id)
    delay = settings.ft_registration_delay_days if settings else 30
    cutoff = today - datetime.timedelta(days=delay)
    counts = dt_worklist_counts(directorate_id, today, cutoff)
    return WorklistCounts(**counts, delay=delay, cap=WORKLIST_COUNT_CAP)


def dt_worklist_counts(directorate_id, today: datetime.date, cutoff: datetime.date) -> dict:
    """{list: capped count} of a DT's worklists, for the home and the worklists page alike.

    Each count reads every open item of the DT (tens of thousands at national scale, issue
    12): cached under the DT's generation (core/freshness.py), so a write in the DT counts
    again."""

    def count():
        return {
            "reconvoke": capped_count(
                Convocation.objects.to_reconvoke()
                .for_directorate(directorate_id)
                .filter(person__directorate_id=directorate_id),
                "session_date",
                "pk",
            ),
            "no_ft": capped_count(
                Contract.objects.without_ft_registration(signed_on_or_before=cutoff).filter(
                    person__directorate_id=directorate_id
                ),
                "signed_on",
                "pk",
            ),
            "no_outcome": capped_count(
                EmploymentCheck.objects.first_appointment_without_outcome(today).filter(
                    person__directorate_id=directorate_id
                ),
                "first_appointment_date",
                "pk",
            ),
        }

    return freshness.cached(
        ("worklists", directorate_id, cutoff), count, directorates=[directorate_id]
    )


def month_to_approve(membership, today: datetime.date | None = None):
    """The last complete month, when the DT director has not approved it yet; else None."""
    if not can(membership, Action.APPROVE_MONTH) or not membership.organisation.directorate_id:
        return None
    month = default_period(today).first
    approved = MonthlyApproval.objects.filter(
        report_code=MONTHLY_REPORT,
        directorate_id=membership.organisation.directorate_id,
        month=month.first_day,
    ).exists()
    return None if approved else month


def received_referrals(organisation, now: datetime.datetime | None = None) -> dict[str, int]:
    """A partner's referrals waiting for its answer, and those among them about to expire
    (within EXPIRY_WARNING_DAYS of their scheme's expiry): one query over its schemes' delays,
    one for the counts."""
    now = now or timezone.now()
    delays = Scheme.objects.filter(organisation_id=organisation.pk).values_list(
        "expiry_days", flat=True
    )
    soon = Q(pk__in=[])
    for days in set(delays):
        limit = now - datetime.timedelta(days=max(days - EXPIRY_WARNING_DAYS, 0))
        soon |= Q(scheme__expiry_days=days, sent_at__lte=limit)
    sent = Q(status=ReferralStatus.SENT)
    return Referral.objects.received_by(organisation).aggregate(
        waiting=Count("pk", filter=sent), expiring=Count("pk", filter=sent & soon)
    )


def reports_to_send(membership, today: datetime.date | None = None) -> list[Month]:
    """The DT director's approved months (within REPORT_MONTHS) whose report some active
    recipient has not received in its approved version yet (indicators/sending.py writes one
    ReportRun per recipient and records the approval version it sent): one query."""
    if not can(membership, Action.APPROVE_MONTH) or not membership.organisation.directorate_id:
        return []
    last = default_period(today).first
    first = last
    for _step in range(REPORT_MONTHS - 1):
        first = first.previous
    received = ReportRun.objects.filter(
        directorate_id=OuterRef(OuterRef("directorate_id")),
        month=OuterRef(OuterRef("month")),
        report_code=OuterRef(OuterRef("report_code")),
        recipient_email=OuterRef("email"),
        status=RunStatus.SENT,
        approval_version=OuterRef(OuterRef("version")),
    )
    waiting = ReportRecipient.objects.filter(
        directorate_id=OuterRef("directorate_id"), is_active=True
    ).exclude(Exists(received))
    months = (
        MonthlyApproval.objects.current()
        .filter(
            report_code=MONTHLY_REPORT,
            directorate_id=membership.organisation.directorate_id,
            month__gte=first.first_day,
            month__lte=last.first_day,
        )
        .filter(Exists(waiting))
        .order_by("-month")
        .values_list("month", flat=True)
    )
    return [Month.of(month) for month in months]


def months_by_directorate(directorates, today: datetime.date | None = None) -> list[dict]:
    """For each DT, its last REGIONAL_MONTHS complete months, approved or not (one query for
    the approvals; `directorates` is a list already loaded)."""
    month = default_period(today).first
    months = []
    for _step in range(REGIONAL_MONTHS):
        months.append(month)
        month = month.previous
    approved = set(
        MonthlyApproval.objects.filter(
            report_code=MONTHLY_REPORT,
            directorate_id__in=[d.pk for d in directorates],
            month__in=[m.first_day for m in months],
        )
        .values_list("directorate_id", "month")
        .distinct()
    )
    return [
        {
            "directorate": directorate,
            "months": [
                {"month": m, "approved": (directorate.pk, m.first_day) in approved} for m in months
            ],
        }
        for directorate in directorates
    ]


def national_attention(directorates, today: datetime.date | None = None) -> dict:
    """What the national admin should look at: the accounts locked out by failed sign-ins
    (AXES_FAILURE_LIMIT within the cool-off, as /compte/comptes-bloques/ lists them: two
    queries) and the DTs whose last complete month is not approved yet (one query)."""
    month = default_period(today).first
    approved = set(
        MonthlyApproval.objects.filter(
            report_code=MONTHLY_REPORT, month=month.first_day
        ).values_list("directorate_id", flat=True)
    )
    limit = settings.AXES_FAILURE_LIMIT
    failures = recent_failures(User.objects.all())
    return {
        "locked": sum(1 for _user, count in failures if count >= limit),
        "month": month,
        "not_approved": [d for d in directorates if d.pk not in approved],
    }
