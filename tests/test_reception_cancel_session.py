"""Issue 18: cancelling a session before the day: persons to re-convoke, told by e-mail and SMS."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from parcours.messaging import services as messaging_services
from parcours.messaging.models import Message
from parcours.organisations.roles import Role
from parcours.reception import services
from parcours.reception.models import (
    AttendanceStatus,
    Convocation,
    ConvocationTransition,
    ReceptionSession,
    SessionStatus,
)
from tests import factories_messaging as fakes
from tests.factories import PersonFactory
from tests.factories_messaging import convoke_now, reachable_person
from tests.factories_reception import ConvocationFactory, SessionFactory

pytestmark = pytest.mark.django_db
smtp_server, sms_provider = fakes.smtp_server, fakes.sms_provider  # fixtures


def _coming_session(**values):
    return SessionFactory(date=timezone.localdate() + datetime.timedelta(days=5), **values)


def test_cancelling_frees_the_seats_and_puts_everyone_on_the_worklist():
    session = _coming_session(capacity=3)
    pending = ConvocationFactory(session=session)
    excused = ConvocationFactory(session=session, excused=True)
    elsewhere = ConvocationFactory(session=SessionFactory(directorate=session.directorate))

    freed = services.cancel_session(session, actor=None, reason="  Salle   inondée ")

    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert session.cancellation_reason == "Salle inondée"
    assert session.cancelled_at is not None
    assert sorted(c.pk for c in freed) == sorted([pending.pk, excused.pk])
    for convocation in (pending, excused):
        convocation.refresh_from_db()
        assert convocation.status == AttendanceStatus.CANCELLED
        assert convocation.get_status_display() == "Session annulée"
        logged = ConvocationTransition.objects.filter(convocation=convocation).last()
        assert logged.name == "cancel" and logged.to_status == AttendanceStatus.CANCELLED
        assert logged.reason == "Session annulée : Salle inondée"
    assert session.convocations.holding_a_seat().count() == 0
    assert ReceptionSession.objects.with_counts().get(pk=session.pk).seats_taken == 0
    to_reconvoke = set(Convocation.objects.to_reconvoke().values_list("pk", flat=True))
    assert {pending.pk, excused.pk} <= to_reconvoke
    assert elsewhere.pk not in to_reconvoke

    # Re-convoked to another session: off the worklist.
    later = _coming_session(directorate=session.directorate, place="Salle B")
    services.convoke(later, pending.person, actor=None)
    assert pending.pk not in set(Convocation.objects.to_reconvoke().values_list("pk", flat=True))


def test_refused_after_attendance_without_reason_and_twice_writing_nothing():
    session = SessionFactory()  # today
    ConvocationFactory(session=session, present=True)
    waiting = ConvocationFactory(session=session)
    with pytest.raises(ValidationError, match="présence a déjà été pointée"):
        services.cancel_session(session, actor=None, reason="Grève")
    session.refresh_from_db()
    waiting.refresh_from_db()
    assert session.status == SessionStatus.PLANNED and waiting.status == AttendanceStatus.PENDING

    coming = _coming_session()
    with pytest.raises(ValidationError, match="motif"):
        services.cancel_session(coming, actor=None, reason="   ")
    with pytest.raises(ValidationError, match="200 caractères"):
        services.cancel_session(coming, actor=None, reason="x" * 201)
    services.cancel_session(coming, actor=None, reason="Grève")
    with pytest.raises(ValidationError, match="annulée"):
        services.cancel_session(coming, actor=None, reason="Encore")


def test_a_cancelled_session_takes_no_convocation_nor_change_nor_presence():
    session = _coming_session()
    convocation = ConvocationFactory(session=session)
    services.cancel_session(session, actor=None, reason="Grève")
    with pytest.raises(ValidationError, match="annulée"):
        services.convoke(session, PersonFactory(), actor=None)
    with pytest.raises(ValidationError, match="annulée"):
        services.update_session(
            session,
            date=session.date,
            half_day=session.half_day,
            place="Autre salle",
            address=session.address,
            capacity=session.capacity,
            start_time=session.start_time,
        )
    with pytest.raises(ValidationError):
        services.record_attendance(convocation, AttendanceStatus.PENDING, actor=None)
    # « Session annulée » is never a presence an agent records.
    other = ConvocationFactory(session=_coming_session(place="Salle C"))
    with pytest.raises(ValidationError):
        services.record_attendance(other, AttendanceStatus.CANCELLED, actor=None)
    # Nor a target to report a convocation to.
    with pytest.raises(ValidationError, match="annulée"):
        services.record_attendance(
            other, AttendanceStatus.RESCHEDULED, actor=None, rescheduled_to=session
        )


def test_the_database_holds_a_cancellation_to_its_reason():
    session = _coming_session()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReceptionSession.objects.filter(pk=session.pk).update(status=SessionStatus.CANCELLED)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReceptionSession.objects.filter(pk=session.pk).update(
            status=SessionStatus.CANCELLED, cancelled_at=timezone.now()
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ReceptionSession.objects.filter(pk=session.pk).update(cancellation_reason="Grève")


def test_cancelling_sends_one_email_and_one_arabic_sms_and_no_reminder_after(
    smtp_server, sms_provider, django_capture_on_commit_callbacks
):
    person = reachable_person("ar")
    convocation = convoke_now(person, days_ahead=2, capture=django_capture_on_commit_callbacks)
    assert len(smtp_server.messages) == 1 and len(sms_provider.received) == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(convocation.session, actor=None, reason="Salle indisponible")

    assert len(smtp_server.messages) == 2
    mail = smtp_server.messages[1]
    assert mail.rcpt_tos == ["amina@example.org"]
    assert len(sms_provider.received) == 2
    sms = sms_provider.received[1]
    assert sms["to"] == "+33612345678"
    day = convocation.session.date.strftime("%d/%m/%Y")
    assert day in sms["text"] and "أُلغي موعدكم" in sms["text"]
    rows = Message.objects.filter(convocation=convocation, kind="cancelled")
    assert sorted(rows.values_list("channel", "language", "status")) == [
        ("email", "ar", "sent"),
        ("sms", "ar", "sent"),
    ]
    assert rows.get(channel="sms").segments <= 2
    email_row = rows.get(channel="email")
    assert "Votre journée d'accueil à l'OFII est annulée" in email_row.body
    assert "أُلغي يوم الاستقبال" in email_row.body  # then the person's language
    # The session was within the reminder delay: nothing is reminded for a cancelled session.
    assert messaging_services.send_reminders() == 0
    assert not Message.objects.filter(kind="reminder").exists()


def test_a_person_who_stopped_messages_hears_nothing_of_the_cancellation(
    django_capture_on_commit_callbacks,
):
    from parcours.people import services as people_services

    person = reachable_person()
    convocation = convoke_now(person, capture=django_capture_on_commit_callbacks)
    people_services.set_messages_consent(person, wanted=False, actor=None, now=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(convocation.session, actor=None, reason="Grève")
    assert not Message.objects.filter(kind="cancelled").exists()


# --------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------


def _url(session):
    return f"/pfa/sessions/{session.pk}/annuler/"


def test_the_agent_cancels_from_the_session_page_with_a_reason_and_a_confirmation(
    client_for, django_capture_on_commit_callbacks
):
    client = client_for(Role.RECEPTION_AGENT)
    session = _coming_session()
    convocation = ConvocationFactory(session=session)
    page = client.get(f"/pfa/sessions/{session.pk}/").content.decode()
    assert "Annuler la session" in page and _url(session) in page

    confirm = client.get(_url(session)).content.decode()
    assert "1 personne convoquée sera prévenue" in confirm
    # Without the confirmation box: a French message, nothing cancelled.
    answer = client.post(_url(session), {"reason": "Grève"})
    assert answer.status_code == 200
    assert "Rien n'a été enregistré" in answer.content.decode()
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(_url(session), {"reason": "Grève", "confirm": "on"}, follow=True)
    text = answer.content.decode()
    assert "Session annulée. 1 personne(s) à reconvoquer" in text
    assert "Annulée le" in text and "Grève" in text
    assert _url(session) not in text and "Modifier la session" not in text
    assert f"/pfa/sessions/{session.pk}/convoquer/" not in text
    convocation.refresh_from_db()
    assert convocation.status == AttendanceStatus.CANCELLED

    listed = client.get("/pfa/sessions/liste/").content.decode()
    assert "data-session-cancelled" in listed and "Annulée" in listed
    worklist = client.get("/pfa/a-traiter/").content.decode()
    assert convocation.person.display_name in worklist and "Session annulée" in worklist
    # Once cancelled, the page only says so.
    again = client.get(_url(session), follow=True).content.decode()
    assert "Cette session est déjà annulée" in again


def test_the_button_is_gone_once_attendance_is_taken_and_a_forced_post_is_refused(client_for):
    client = client_for(Role.RECEPTION_AGENT)
    session = SessionFactory()
    ConvocationFactory(session=session, absent=True)
    assert _url(session) not in client.get(f"/pfa/sessions/{session.pk}/").content.decode()
    answer = client.post(_url(session), {"reason": "Grève", "confirm": "on"})
    assert answer.status_code == 200
    assert "La présence a déjà été pointée" in answer.content.decode()
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED


def test_only_those_who_plan_sessions_of_the_dt_may_cancel(client_for):
    session = _coming_session()
    assert client_for(Role.INTEGRATION_AUDITOR).get(_url(session)).status_code == 403
    assert client_for(Role.PARTNER_COUNSELLOR).get(_url(session)).status_code in (403, 404)
    other_dt = client_for(Role.RECEPTION_AGENT, directorate_code="reims")
    assert other_dt.get(_url(session)).status_code == 404
    assert client_for(Role.DT_DIRECTOR).get(_url(session)).status_code == 200
