"""Capacity before convoking: free places of the coming sessions, a proposed spread of the
people waiting, and whether the weeks ahead can absorb them (issue 18, item 4).

Who is waiting: persons of the DT to re-convoke (absent or excused, no later convocation kept,
reception.to_reconvoke), and persons of the DT never convoked who have not signed a CIR yet.
The proposal fills the coming sessions in date order (earliest first, so nobody waits longer
than needed); it is a suggestion shown to the agent, the agent convokes.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef

from parcours.core import freshness
from parcours.people.models import Person
from parcours.reception.models import Contract, Convocation, ReceptionSession

# How far ahead the DT plans its sessions: four weeks, as the planning page shows.
DEFAULT_WEEKS = 4


@dataclass
class Outlook:
    sessions: list = field(default_factory=list)  # (session, free places)
    waiting: int = 0
    proposal: list = field(default_factory=list)  # (session, persons proposed)

    @property
    def free(self) -> int:
        return sum(free for _session, free in self.sessions)

    @property
    def shortfall(self) -> int:
        """People waiting that the coming weeks cannot absorb (0 when they can)."""
        return max(self.waiting - self.free, 0)


def propose_spread(count: int, sessions) -> list:
    """Spread `count` persons over (session, free) in order: [(session, n)], n > 0."""
    proposal = []
    for session, free in sessions:
        if count <= 0:
            break
        take = min(free, count)
        if take > 0:
            proposal.append((session, take))
            count -= take
    return proposal


def waiting_count(directorate_id) -> int:
    """People of the DT waiting for a session: to reconvoke, or never convoked nor signed.

    Two exact counts over the DT's persons and convocations (1 s together for a DT of
    250,000 persons, make bench at a million, issue 12): cached under the DT's generation
    (core/freshness.py), so any write in the DT shows at the next read."""

    def count() -> int:
        to_reconvoke = Convocation.objects.to_reconvoke().for_directorate(directorate_id).count()
        never = (
            Person.objects.filter(directorate_id=directorate_id, anonymised_at__isnull=True)
            .exclude(Exists(Convocation.objects.filter(person_id=OuterRef("pk"))))
            .exclude(Exists(Contract.objects.filter(person_id=OuterRef("pk"))))
            .count()
        )
        return to_reconvoke + never

    return freshness.cached(("waiting", directorate_id), count, directorates=[directorate_id])


def outlook(directorate_id, today: datetime.date, *, weeks: int = DEFAULT_WEEKS) -> Outlook:
    """Coming sessions of the DT with their free places, the people waiting, a spread."""
    sessions = (
        ReceptionSession.objects.planned()
        .filter(
            directorate_id=directorate_id,
            date__gte=today,
            date__lt=today + datetime.timedelta(weeks=weeks),
        )
        .with_counts()
        .order_by("date", "start_time", "pk")
    )
    free = [(s, max(s.capacity - s.seats_taken, 0)) for s in sessions]
    result = Outlook(sessions=free, waiting=waiting_count(directorate_id))
    result.proposal = propose_spread(result.waiting, free)
    return result
