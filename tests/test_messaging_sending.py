"""Issue 18: messages by e-mail and SMS when a person is convoked, delivery callbacks, reminders."""

import datetime
import json

import pytest
from django.utils import timezone

from parcours.messaging import services
from parcours.messaging.compose import compose_sms
from parcours.messaging.models import Answer, ConvocationPage, Message, MessagingSettings
from parcours.messaging.phones import mobile_e164
from parcours.messaging.segments import count_segments
from parcours.messaging.sms import sign
from parcours.messaging.texts import LANGUAGES
from parcours.reception import services as reception_services
from tests import factories_messaging as fakes
from tests.factories_messaging import convoke_now, reachable_person
from tests.factories_reception import ConvocationFactory, SessionFactory

pytestmark = pytest.mark.django_db
smtp_server, sms_provider = fakes.smtp_server, fakes.sms_provider  # fixtures


def test_segments_gsm7_and_ucs2():
    assert count_segments("a" * 160) == count_segments("a" * 160)
    assert count_segments("a" * 160).segments == 1
    assert count_segments("a" * 161).segments == 2  # 153 per concatenated part
    assert count_segments("a" * 306).segments == 2
    assert count_segments("a" * 307).segments == 3
    # é and à are in the GSM alphabet, € takes two septets, ç forces UCS-2.
    assert count_segments("é" * 160).encoding == "GSM-7"
    assert count_segments("€" * 80).segments == 1
    assert count_segments("€" * 81).segments == 2
    assert count_segments("ç").encoding == "UCS-2"
    assert count_segments("م" * 70).segments == 1
    assert count_segments("م" * 71).segments == 2  # 67 per part in UCS-2
    assert count_segments("م" * 134).segments == 2
    assert count_segments("م" * 135).segments == 3


def test_only_valid_mobile_numbers_get_sms():
    assert mobile_e164("06 12 34 56 78") == "+33612345678"
    assert mobile_e164("+33 7 81 23 45 67") == "+33781234567"
    assert mobile_e164("03 87 12 34 56") is None  # a landline in Moselle
    assert mobile_e164("06 12") is None
    assert mobile_e164("not a number") is None
    assert mobile_e164("") is None


@pytest.mark.parametrize("language", sorted(LANGUAGES))
@pytest.mark.parametrize("kind", ["convoked", "reconvoked", "moved", "cancelled", "reminder"])
def test_every_sms_fits_two_segments_with_date_time_and_link(language, kind):
    session = SessionFactory(
        date=datetime.date(2026, 1, 27),
        address="Direction territoriale de l'OFII, 2 rue Lafayette, 57000 Metz",
    )
    convocation = ConvocationFactory(session=session)
    convocation.letter_language = "" if language == "fr" else language
    sms = compose_sms(convocation, kind, "https://parcours.example.fr/c/AbCdEfGh23")
    assert 1 <= sms.segments <= 2
    assert count_segments(sms.body).segments == sms.segments
    assert "27/01/2026" in sms.body
    if kind != "cancelled":
        assert "08:30" in sms.body and "/c/AbCdEfGh23" in sms.body
    if kind in ("convoked", "reminder") and language == "fr":
        assert "57000 Metz" in sms.body and "passeport" in sms.body  # GSM-7 leaves room
    assert sms.encoding == ("UCS-2" if language == "ar" else "GSM-7")


def _callback(client, provider_id, status, reason="", secret="callback-secret"):
    body = json.dumps({"id": provider_id, "status": status, "reason": reason}).encode()
    return client.post(
        "/messages/sms/statut/",
        body,
        content_type="application/json",
        headers={"X-Signature": sign(body, secret)},
    )


def test_convoking_sends_one_email_and_one_arabic_sms(
    client, smtp_server, sms_provider, django_capture_on_commit_callbacks
):
    person = reachable_person("ar")
    convocation = convoke_now(person, capture=django_capture_on_commit_callbacks)
    page = ConvocationPage.objects.get(convocation=convocation)

    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert mail.rcpt_tos == ["amina@example.org"]
    text = mail.original_content.decode()
    assert f"/c/{page.token}" in text
    assert len(sms_provider.received) == 1
    sms = sms_provider.received[0]
    assert sms["to"] == "+33612345678"
    assert sms["authorization"] == "Bearer test-token"
    assert "موعدكم" in sms["text"] and f"/c/{page.token}" in sms["text"]
    assert count_segments(sms["text"]).segments <= 2

    rows = {m.channel: m for m in Message.objects.filter(convocation=convocation)}
    assert set(rows) == {"email", "sms"}
    assert rows["email"].status == "sent" and rows["email"].language == "ar"
    assert rows["sms"].status == "sent" and rows["sms"].provider_id == sms["id"]
    assert rows["sms"].sent_at is not None

    # The provider's delivery report, signed, updates the row; a forged one is refused.
    assert _callback(client, sms["id"], "failed", secret="wrong").status_code == 403
    assert _callback(client, sms["id"], "delivered").status_code == 200
    rows["sms"].refresh_from_db()
    assert rows["sms"].status == "delivered"
    # A late "failed" never moves a delivered message back; an unknown id is a 404.
    assert _callback(client, sms["id"], "failed", "late").status_code == 200
    rows["sms"].refresh_from_db()
    assert rows["sms"].status == "delivered"
    assert _callback(client, "nope", "delivered").status_code == 404


def test_provider_failure_is_a_failed_row_with_its_reason(
    sms_provider, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sms_provider.fail_next = True
    convocation = convoke_now(reachable_person(), capture=django_capture_on_commit_callbacks)
    sms = Message.objects.get(convocation=convocation, channel="sms")
    assert sms.status == "failed" and sms.failure_reason == "provider answered 503"
    assert sms.provider_id == "" and sms.sent_at is None


def test_no_phone_no_email_means_letter_only(django_capture_on_commit_callbacks):
    from tests.factories import PersonFactory

    convocation = convoke_now(PersonFactory(), capture=django_capture_on_commit_callbacks)
    assert not Message.objects.filter(convocation=convocation).exists()
    person = reachable_person(phone="03 87 12 34 56")
    convocation = convoke_now(person, capture=django_capture_on_commit_callbacks)
    assert list(
        Message.objects.filter(convocation=convocation).values_list("channel", flat=True)
    ) == ["email"]


def test_stopped_messages_send_nothing(django_capture_on_commit_callbacks):
    from parcours.people import services as people_services

    person = reachable_person()
    people_services.set_messages_consent(person, wanted=False, actor=None, now=timezone.now())
    convocation = convoke_now(person, capture=django_capture_on_commit_callbacks)
    assert not Message.objects.filter(convocation=convocation).exists()


def test_a_second_convocation_is_a_reconvocation_and_a_moved_session_says_so(
    django_capture_on_commit_callbacks,
):
    from django.core import mail

    person = reachable_person("en")
    first = convoke_now(person, capture=django_capture_on_commit_callbacks)
    second = convoke_now(person, days_ahead=20, capture=django_capture_on_commit_callbacks)
    assert Message.objects.get(convocation=first, channel="email").kind == "convoked"
    assert Message.objects.get(convocation=second, channel="email").kind == "reconvoked"
    session = second.session
    with django_capture_on_commit_callbacks(execute=True):
        reception_services.update_session(
            session,
            date=session.date + datetime.timedelta(days=1),
            half_day=session.half_day,
            place=session.place,
            address=session.address,
            capacity=session.capacity,
            start_time=session.start_time,
        )
    moved = Message.objects.get(convocation=second, channel="email", kind="moved")
    assert "Your OFII reception day has a new date" in moved.body
    assert mail.outbox[-1].subject.startswith("Votre rendez-vous à l'OFII change")


def _due_convocation(capture, days_ahead=2, **person_values):
    return convoke_now(reachable_person(**person_values), days_ahead=days_ahead, capture=capture)


def test_reminder_task_run_twice_sends_one_reminder(django_capture_on_commit_callbacks):
    from parcours.messaging.tasks import daily_reminders

    due = _due_convocation(django_capture_on_commit_callbacks)
    later = _due_convocation(django_capture_on_commit_callbacks, days_ahead=5)
    assert daily_reminders.call_local() == 2  # e-mail and SMS of the due one
    assert daily_reminders.call_local() == 0
    reminders = Message.objects.filter(kind="reminder")
    assert sorted(reminders.values_list("convocation_id", "channel")) == [
        (due.pk, "email"),
        (due.pk, "sms"),
    ]
    # The DT sends its reminders five days ahead: the later one is due now, once.
    MessagingSettings.objects.create(directorate_id=later.directorate_id, reminder_days=5)
    assert services.send_reminders() == 2
    assert services.send_reminders() == 0
    assert Message.objects.filter(kind="reminder", convocation=later).count() == 2


def test_no_reminder_after_cannot_come_nor_after_the_start(django_capture_on_commit_callbacks):
    cannot = _due_convocation(django_capture_on_commit_callbacks)
    services.answer(services.page_for(cannot), Answer.CANNOT_COME, "work", timezone.now())
    started = _due_convocation(django_capture_on_commit_callbacks, days_ahead=0)
    after_start = timezone.make_aware(
        datetime.datetime.combine(started.session_date, datetime.time(9, 0))
    )
    assert services.send_reminders(after_start) == 0
    assert not Message.objects.filter(kind="reminder").exists()
    cannot.refresh_from_db()
    assert cannot.status == "excused"


def test_the_file_backend_writes_one_line_per_sms(settings, tmp_path):
    from parcours.messaging.sms import FileBackend

    settings.SMS_FILE_PATH = str(tmp_path)
    submitted = FileBackend().send("+33612345678", "OFII : rappel", "12")
    (written,) = tmp_path.iterdir()
    line = json.loads(written.read_text())
    assert (line["id"], line["to"], line["body"]) == (
        submitted.provider_id,
        "+33612345678",
        "OFII : rappel",
    )


@pytest.mark.parametrize("code", sorted(set(LANGUAGES) - {"fr"}))
def test_every_language_has_every_text_of_the_french_reference(code):
    french, other = LANGUAGES["fr"], LANGUAGES[code]
    for name in ("SMS", "EMAIL_SUBJECT", "EMAIL_INTRO", "EMAIL_LINES", "PAGE"):
        assert set(getattr(other, name)) == set(getattr(french, name)), name
    assert set(other.PAGE["reasons"]) == set(french.PAGE["reasons"])
    assert len(other.PAGE["bring_items"]) == len(french.PAGE["bring_items"])
    for kind, text in french.SMS.items():
        placeholders = {p.split("}")[0] for p in text.split("{")[1:]}
        assert placeholders <= {p.split("}")[0] for p in other.SMS[kind].split("{")[1:]} | {
            "bring"
        }, kind


def test_the_dt_sets_its_reminder_delay_within_bounds(client_for):
    from parcours.organisations.roles import Role

    agent = client_for(Role.RECEPTION_AGENT)
    dt = agent.membership.organisation.directorate_id
    assert 'value="2"' in agent.get("/pfa/a-traiter/").content.decode()
    assert agent.post("/pfa/a-traiter/rappels/", {"reminder_days": "5"}).status_code == 302
    assert services.reminder_days(dt) == 5
    for bad in ("0", "15", "deux"):
        agent.post("/pfa/a-traiter/rappels/", {"reminder_days": bad})
        assert services.reminder_days(dt) == 5
    auditor = client_for(Role.INTEGRATION_AUDITOR)
    assert auditor.post("/pfa/a-traiter/rappels/", {"reminder_days": "3"}).status_code == 403
    assert services.reminder_days(dt) == 5
