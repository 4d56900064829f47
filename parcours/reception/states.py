"""The attendance of a convocation declared as data: states, named transitions, their sources.

Plain values, testable without a database, like `referrals/states.py`. The services apply a
transition only from one of its sources and log it (`services._move`, ConvocationTransition).
Corrections on the day are allowed (DESIGN.md, "Every state change is a row"); a rescheduled
convocation is final: the person now holds a convocation in the other session.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.core.workflow import Transition
from parcours.core.workflow import allowed_transitions as _allowed


class AttendanceStatus(models.TextChoices):
    PENDING = "pending", _("Convoqué")
    PRESENT = "present", _("Présent")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excusé")
    RESCHEDULED = "rescheduled", _("Reporté")
    # Issue 18: the session itself was cancelled before the day; the person is to re-convoke.
    CANCELLED = "cancelled", _("Session annulée")


A = AttendanceStatus


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("convoke", frozenset({""}), A.PENDING, _("Convocation")),
        Transition(
            "mark_present", frozenset({A.PENDING, A.ABSENT, A.EXCUSED}), A.PRESENT, _("Présence")
        ),
        Transition(
            "mark_absent", frozenset({A.PENDING, A.PRESENT, A.EXCUSED}), A.ABSENT, _("Absence")
        ),
        Transition(
            "excuse", frozenset({A.PENDING, A.PRESENT, A.ABSENT}), A.EXCUSED, _("Absence excusée")
        ),
        Transition(
            "reset",
            frozenset({A.PRESENT, A.ABSENT, A.EXCUSED}),
            A.PENDING,
            _("Retour à « convoqué »"),
        ),
        Transition(
            "reschedule",
            frozenset({A.PENDING, A.ABSENT, A.EXCUSED}),
            A.RESCHEDULED,
            _("Report à une autre session"),
        ),
        # Only before attendance is taken (services.cancel_session); final, like a report.
        Transition(
            "cancel",
            frozenset({A.PENDING, A.EXCUSED}),
            A.CANCELLED,
            _("Annulation de la session"),
        ),
    ]
}

# The same graph read by state: which states each state may move to.
ATTENDANCE_TRANSITIONS: dict[str, frozenset[str]] = {
    status: frozenset(t.target for t in TRANSITIONS.values() if status in t.sources)
    for status in AttendanceStatus.values
}
# Being present or absent can only be observed on or after the session's day.
OBSERVED_STATUSES = frozenset({A.PRESENT, A.ABSENT})
MISSED_STATUSES = frozenset({A.ABSENT, A.EXCUSED})
# On the DT's list « à reconvoquer »: missed, or their session was cancelled (issue 18).
TO_RECONVOKE_STATUSES = MISSED_STATUSES | {A.CANCELLED}
# No longer holding a seat in its session: moved to another one, or the session cancelled.
SEAT_FREED_STATUSES = frozenset({A.RESCHEDULED, A.CANCELLED})
# A convocation still to come or attended: a missed one before it needs no new convocation.
KEPT_STATUSES = frozenset({A.PENDING, A.PRESENT})


def transition_to(status: str, target: str) -> Transition | None:
    """The declared transition from `status` to `target`, if there is one."""
    return next(
        (t for t in TRANSITIONS.values() if t.target == target and status in t.sources), None
    )


def allowed_transitions(status: str) -> list[str]:
    """Names of the transitions possible from `status`, in declaration order."""
    return _allowed(TRANSITIONS, status)
