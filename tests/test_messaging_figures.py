"""Issue 18: the no-show figures, computed from hand-made convocations and counted by hand."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parcours.messaging.figures import reach_figures
from parcours.messaging.models import ConvocationPage, Message
from tests.factories import directorate
from tests.factories_reception import ConvocationFactory, SessionFactory

pytestmark = pytest.mark.django_db
JANUARY = datetime.date(2026, 1, 27)


def _sent(convocation, channel, kind="convoked", status="sent"):
    Message.objects.create(
        convocation=convocation,
        person=convocation.person,
        channel=channel,
        kind=kind,
        language="fr",
        recipient="x",
        body="x",
        status=status,
        sent_at=timezone.now(),
        failure_reason="refused" if status == "failed" else "",
    )


def _answer(convocation, answer, reason=""):
    ConvocationPage.objects.create(
        convocation=convocation,
        token=f"t{convocation.pk}",
        answer=answer,
        reason=reason,
        answered_at=timezone.now(),
    )


@pytest.fixture
def january():
    session = SessionFactory(date=JANUARY, capacity=12)
    c = {name: ConvocationFactory(session=session, status=s) for name, s in [
        ("A", "present"), ("B", "absent"), ("C", "absent"), ("D", "present"), ("E", "absent"),
        ("F", "present"), ("G", "present"), ("H", "excused"), ("I", "present"),
        ("J", "absent"),
    ]}  # fmt: skip
    _sent(c["A"], "sms")
    _sent(c["A"], "sms", kind="reminder")
    _sent(c["B"], "sms")
    _sent(c["C"], "email")
    _sent(c["D"], "email")
    _sent(c["J"], "sms", status="failed")  # a failed SMS reaches nobody: letter only
    _answer(c["H"], "cannot_come", "illness")
    _answer(c["I"], "confirmed")
    # A convocation rescheduled to another session counts in neither month.
    later = SessionFactory(date=JANUARY + datetime.timedelta(days=1))
    ConvocationFactory(session=session, status="rescheduled", rescheduled_to=later)
    return c


def test_no_show_figures_match_the_hand_count(january):
    metz = directorate("metz").pk
    with CaptureQueriesContext(connection) as queries:
        (figures,) = reach_figures([metz], datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))
    assert len(_reads(queries)) == 2
    assert figures.convoked == 10
    assert figures.confirmed == 1 and figures.confirmation_rate == pytest.approx(0.1)
    assert figures.cannot_come == {"illness": 1}
    rows = {(g, r): v for g, r, v in figures.no_show_rows()}
    # Letter only: E, J absent; F, G, I present → 2/5.
    assert (rows["letter", False].observed, rows["letter", False].absent) == (5, 2)
    assert rows["letter", False].rate == pytest.approx(0.4)
    # E-mail: C absent, D present → 1/2. SMS without reminder: B absent → 1/1.
    assert rows["email", False].rate == pytest.approx(0.5)
    assert rows["sms", False].rate == 1.0
    # SMS with reminder: A present → 0/1; nobody had an e-mail reminder.
    assert rows["sms", True].rate == 0.0 and rows["email", True].rate is None
    # Seats lost: B, C, E, J absent and H excused, of 12 + 12 seats (two sessions).
    assert figures.seats == 24 and figures.seats_lost == 5
    assert figures.seats_lost_share == pytest.approx(5 / 24)


def test_outside_the_dt_small_counts_are_hidden(january):
    (figures,) = reach_figures(
        [directorate("metz").pk], datetime.date(2026, 1, 1), datetime.date(2026, 1, 31),
        exact=False,
    )  # fmt: skip
    assert figures.convoked == 10  # above the threshold (4)
    assert figures.confirmed is None and figures.confirmation_rate is None
    assert figures.cannot_come == {"illness": None}
    rows = {(g, r): v for g, r, v in figures.no_show_rows()}
    assert rows["letter", False].observed == 5 and rows["letter", False].absent is None
    assert rows["letter", False].rate is None
    assert figures.seats == 24 and figures.seats_lost == 5


def test_the_dashboard_shows_them_exactly_in_the_dt_and_protected_outside(january, client_for):
    from parcours.organisations.roles import Role

    html = client_for(Role.DT_DIRECTOR).get("/chiffres/?start=2026-01&end=2026-01")
    text = html.content.decode()
    assert html.status_code == 200
    assert "Places perdues" in text and "20,8 %" in text  # 5 / 24
    assert "courrier seul : 40,0 % (2 / 5)" in text
    regional = client_for(Role.REGIONAL_VIEWER).get("/chiffres/?start=2026-01&end=2026-01")
    text = regional.content.decode()
    assert "courrier seul : s (s / 5)" in text
    assert "Maladie : s" in text


def test_a_convocation_counts_once_whatever_its_messages():
    """Issue 12: the messages are counted per convocation before the convocations are grouped,
    so several messages of one convocation count it once, in its best channel."""
    metz = directorate("metz").pk
    session = SessionFactory(date=datetime.date(2026, 2, 10), capacity=10)
    everything = ConvocationFactory(session=session, status="absent")
    _sent(everything, "sms")
    _sent(everything, "email", status="delivered")
    _sent(everything, "sms", kind="reminder", status="delivered")
    _sent(everything, "email", kind="reminder")
    _sent(everything, "email", kind="reconvoked")
    failed = ConvocationFactory(session=session, status="absent")  # reached by nothing
    _sent(failed, "sms", status="failed")
    _sent(failed, "email", kind="reminder", status="failed")
    _sent(failed, "email", status="queued")
    by_email = ConvocationFactory(session=session, status="present")
    _sent(by_email, "email", status="delivered")
    _sent(by_email, "sms", status="failed")
    ConvocationFactory(session=session, status="present")  # no message: letter only
    february = (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    (figures,) = reach_figures([metz], *february)
    rows = {(g, r): v for g, r, v in figures.no_show_rows()}
    assert figures.convoked == 4
    assert (rows["sms", True].observed, rows["sms", True].absent) == (1, 1)
    assert (rows["letter", False].observed, rows["letter", False].absent) == (2, 1)
    assert (rows["email", False].observed, rows["email", False].absent) == (1, 0)
    assert sum(v.observed for v in rows.values()) == 4
    assert figures.seats_lost == 2

    with CaptureQueriesContext(connection) as few:
        reach_figures([metz], *february)
    for status in ["present", "absent", "excused"] * 3:
        more = ConvocationFactory(session=session, status=status)
        _sent(more, "sms")
        _sent(more, "email", kind="reminder", status="delivered")
    with CaptureQueriesContext(connection) as many:
        (figures,) = reach_figures([metz], *february)
    assert figures.convoked == 13
    # Two reads (PostgreSQL adds a savepoint and SET LOCAL around one, indicators.db).
    assert len(_reads(many)) == len(_reads(few)) == 2


def _reads(captured) -> list[str]:
    return [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith("SELECT")]
