"""The referral funnel per scheme, as one grouped query the indicators module can reuse.

Counts follow the referrals *sent* in the period (a cohort): of those, how many were accepted
(a seat given at some point), put on the waiting list, refused (by reason), expired, entered,
completed, dropped out, withdrawn, transferred, or are still awaiting an answer. One SQL query
whatever the number of schemes and referrals (STYLE.md, DORA: `Count("id", filter=Q(...))`).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q

from parcours.referrals.models import Referral
from parcours.referrals.states import ReferralStatus, RefusalReason

S = ReferralStatus

# Stage name -> condition on a referral that reached it. "accepted" counts every referral that
# held a seat at some point (accepted_at is kept after entry, exit, withdrawal or transfer).
STAGES: dict[str, Q] = {
    "sent": Q(sent_at__isnull=False),
    "awaiting_answer": Q(status=S.SENT),
    "waitlisted": Q(status=S.WAITLISTED),
    "accepted": Q(accepted_at__isnull=False),
    "refused": Q(status=S.REFUSED),
    "expired": Q(status=S.EXPIRED),
    "entered": Q(entered_on__isnull=False),
    "completed": Q(status=S.COMPLETED),
    "dropped_out": Q(status=S.DROPPED_OUT),
    "withdrawn": Q(status=S.WITHDRAWN),
    "transferred": Q(status=S.TRANSFERRED),
}


@dataclass(frozen=True)
class FunnelRow:
    scheme_id: int
    scheme_name: str
    organisation_name: str
    counts: dict[str, int]
    refused_by_reason: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, stage: str) -> int:
        return self.counts[stage]


def funnel(schemes=None, period: tuple[datetime.date, datetime.date] | None = None):
    """Per scheme, the counts of each funnel stage and the refusals by reason.

    `schemes`: a Scheme queryset or iterable of schemes or ids (None: all schemes);
    `period`: (first day, last day), both included, on the date the referral was sent
    (None: all time). Schemes without any referral sent in the period are left out.
    """
    referrals = Referral.objects.filter(sent_at__isnull=False)
    if schemes is not None:
        if hasattr(schemes, "values"):
            referrals = referrals.filter(scheme__in=schemes.values("pk"))
        else:
            ids = [getattr(scheme, "pk", scheme) for scheme in schemes]
            referrals = referrals.filter(scheme_id__in=ids)
    if period is not None:
        start, end = period
        referrals = referrals.filter(sent_at__date__gte=start, sent_at__date__lte=end)
    annotations = {f"stage_{name}": Count("id", filter=q) for name, q in STAGES.items()}
    annotations.update(
        {
            f"refused_{reason}": Count("id", filter=Q(status=S.REFUSED, refusal_reason=reason))
            for reason in RefusalReason.values
        }
    )
    rows = (
        referrals.values("scheme_id", "scheme__name", "scheme__organisation__name")
        .annotate(**annotations)
        .order_by("scheme__organisation__name", "scheme__name", "scheme_id")
    )
    return [
        FunnelRow(
            scheme_id=row["scheme_id"],
            scheme_name=row["scheme__name"],
            organisation_name=row["scheme__organisation__name"],
            counts={name: row[f"stage_{name}"] for name in STAGES},
            refused_by_reason={reason: row[f"refused_{reason}"] for reason in RefusalReason.values},
        )
        for row in rows
    ]
