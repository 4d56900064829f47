"""Issue 13: the convocation attendance is a declared state machine with a named transition log."""

import pytest

from parcours.reception import services
from parcours.reception.models import ConvocationTransition
from parcours.reception.states import (
    ATTENDANCE_TRANSITIONS,
    TRANSITIONS,
    AttendanceStatus,
    allowed_transitions,
    transition_to,
)
from tests.factories import PersonFactory
from tests.factories_reception import IN_EXPERIMENT, SessionFactory

S = AttendanceStatus


def test_a_rescheduled_convocation_is_final_and_every_other_state_can_be_corrected():
    # Rescheduled, or its session cancelled (issue 18): final, the person is convoked anew.
    for final in (S.RESCHEDULED, S.CANCELLED):
        assert allowed_transitions(final) == []
    for status in set(S) - {S.RESCHEDULED, S.CANCELLED}:
        assert allowed_transitions(status)
    assert ATTENDANCE_TRANSITIONS[S.PRESENT] == {S.PENDING, S.ABSENT, S.EXCUSED}
    assert transition_to(S.PRESENT, S.RESCHEDULED) is None  # seen: no longer to reschedule
    # A session is cancelled only before attendance is taken (services.cancel_session).
    assert ATTENDANCE_TRANSITIONS[S.PENDING] >= {S.CANCELLED}
    assert S.CANCELLED not in ATTENDANCE_TRANSITIONS[S.PRESENT] | ATTENDANCE_TRANSITIONS[S.ABSENT]


def test_each_target_is_reached_by_one_named_transition_only():
    for status in S:
        targets = [TRANSITIONS[name].target for name in allowed_transitions(status)]
        assert len(targets) == len(set(targets))


@pytest.mark.django_db
def test_the_log_names_each_transition_applied():
    session = SessionFactory(date=IN_EXPERIMENT)
    convocation = services.convoke(session, PersonFactory(), actor=None)
    services.record_attendance(convocation, "absent", actor=None, today=IN_EXPERIMENT)
    services.record_attendance(convocation, "present", actor=None, today=IN_EXPERIMENT)
    log = list(
        ConvocationTransition.objects.filter(convocation=convocation).values_list(
            "name", "from_status", "to_status"
        )
    )
    assert log == [
        ("convoke", "", "pending"),
        ("mark_absent", "pending", "absent"),
        ("mark_present", "absent", "present"),
    ]
    for name, source, target in log:
        assert source in TRANSITIONS[name].sources and TRANSITIONS[name].target == target
