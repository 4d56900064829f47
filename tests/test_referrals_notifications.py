"""E-mails after commit and never twice; expiry by the system user; reminders before expiry."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from parcours.referrals import services
from parcours.referrals.models import Notification, Referral
from parcours.referrals.notifications import deliver, deliver_pending, notify
from parcours.referrals.states import ReferralStatus as S
from parcours.referrals.tasks import referrals_daily
from tests.factories import PersonFactory
from tests.factories_referrals import SchemeFactory, auditor, partner_membership

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _send(scheme=None, *, now=None, person=None):
    scheme = scheme or SchemeFactory(contact_email="accueil@partenaire.example.org")
    by = auditor()
    return services.create_referral(
        person or PersonFactory(last_name="DIALLO"),
        scheme,
        by=by.user,
        organisation=by.organisation,
        consent=True,
        send=True,
        now=now,
    )


def test_the_partner_is_emailed_only_once_the_referral_is_committed(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        referral = _send()
        assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["accueil@partenaire.example.org"]
    assert referral.reference in message.subject + message.body
    assert "DIALLO" not in message.subject + message.body  # no personal data in e-mails


def test_a_rolled_back_referral_sends_nothing(django_capture_on_commit_callbacks):
    scheme = SchemeFactory()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            from django.db import transaction

            with transaction.atomic():
                _send(scheme)
                raise RuntimeError("rollback")
        except RuntimeError:
            pass
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_the_referrer_is_emailed_the_partners_answer(django_capture_on_commit_callbacks):
    referral = _send()
    partner = partner_membership(referral.scheme)
    with django_capture_on_commit_callbacks(execute=True):
        services.refuse_referral(
            referral, by=partner.user, organisation=partner.organisation, reason="unreachable"
        )
    assert [m.to for m in mail.outbox] == [[referral.referred_by.email]]
    assert "refusé" in mail.outbox[0].subject


def test_an_event_is_never_emailed_twice(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        referral = _send()
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(referral, "new_referral") is None
    assert not deliver(Notification.objects.get(referral=referral).pk)
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(referral=referral, event="new_referral").count() == 1


def test_sending_reads_the_notification_by_its_key_and_then_its_referral(
    django_capture_on_commit_callbacks,
):
    """Issue 12: joined in one statement, PostgreSQL merge-joined the referrals' key from the
    first referral (273 ms per accept at a million persons); each row is read by its key."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        referral = _send()
    with CaptureQueriesContext(connection) as queries:
        for callback in callbacks:
            callback()
    message = mail.outbox[0]
    assert len(mail.outbox) == 1 and referral.reference in message.subject + message.body
    assert referral.scheme.name in message.subject  # the referral read after the notification
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    notification_reads = [sql for sql in reads if 'FROM "referrals_notification"' in sql]
    assert len(notification_reads) == 1
    assert '"referrals_referral"' not in notification_reads[0]


def test_a_failed_sending_stays_pending_and_is_retried(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.test_referrals_notifications.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        referral = _send()
    notification = Notification.objects.get(referral=referral)
    assert notification.sent_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_pending() == 1
    assert deliver_pending() == 0
    assert len(mail.outbox) == 1


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down")


def test_partner_staff_are_emailed_when_the_scheme_has_no_contact(
    django_capture_on_commit_callbacks,
):
    scheme = SchemeFactory(contact_email="")
    staff = partner_membership(scheme)
    with django_capture_on_commit_callbacks(execute=True):
        _send(scheme)
    assert mail.outbox[0].to == [staff.user.email]


# Expiry ---------------------------------------------------------------------------------------


def test_an_unanswered_referral_expires_after_the_schemes_delay_and_only_then():
    scheme = SchemeFactory(expiry_days=30, reminder_days=7)
    sent = timezone.now() - 40 * DAY
    referral = _send(scheme, now=sent)
    assert (
        services.expire_stale_referrals(now=sent + 30 * DAY - datetime.timedelta(minutes=1)) == []
    )
    assert services.expire_stale_referrals(now=sent + 30 * DAY) == [referral]
    referral.refresh_from_db()
    assert referral.status == S.EXPIRED


def test_expiry_is_idempotent_and_notifies_the_referrer_once(django_capture_on_commit_callbacks):
    referral = _send(SchemeFactory(expiry_days=10, reminder_days=0), now=timezone.now() - 11 * DAY)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.expire_stale_referrals()
        second = services.expire_stale_referrals()
    assert (len(first), second) == (1, [])
    assert referral.transitions.filter(name="expire").count() == 1
    expired_mails = [m for m in mail.outbox if "expirée" in m.subject]
    assert len(expired_mails) == 1


def test_an_answered_referral_never_expires():
    referral = _send(SchemeFactory(expiry_days=10, reminder_days=0), now=timezone.now() - 20 * DAY)
    partner = partner_membership(referral.scheme)
    services.accept_referral(referral, by=partner.user, organisation=partner.organisation)
    assert services.expire_stale_referrals() == []


def test_each_scheme_uses_its_own_delay():
    short = _send(SchemeFactory(expiry_days=5, reminder_days=1), now=timezone.now() - 6 * DAY)
    _send(SchemeFactory(expiry_days=30, reminder_days=7), now=timezone.now() - 6 * DAY)
    assert services.expire_stale_referrals(apply=False) == [short]


def test_the_partner_is_reminded_once_before_expiry(django_capture_on_commit_callbacks):
    scheme = SchemeFactory(expiry_days=30, reminder_days=7)
    sent = timezone.now() - 30 * DAY
    referral = _send(scheme, now=sent)
    assert services.send_due_reminders(now=sent + 22 * DAY) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders(now=sent + 23 * DAY) == [referral]
        assert services.send_due_reminders(now=sent + 25 * DAY) == []
    reminders = [m for m in mail.outbox if m.subject.startswith("[Parcours] Relance")]
    assert len(reminders) == 1
    assert reminders[0].to == [scheme.contact_email]


def test_the_command_is_a_dry_run_unless_applied(capsys):
    referral = _send(SchemeFactory(expiry_days=10, reminder_days=0), now=timezone.now() - 11 * DAY)
    call_command("expire_referrals")
    output = capsys.readouterr().out
    assert "1 orientation(s) à expirer" in output
    assert "Simulation" in output
    assert Referral.objects.get(pk=referral.pk).status == S.SENT
    call_command("expire_referrals", "--apply")
    assert "1 orientation(s) expirée(s)" in capsys.readouterr().out
    assert Referral.objects.get(pk=referral.pk).status == S.EXPIRED


def test_the_daily_task_expires_reminds_and_can_run_twice():
    _send(SchemeFactory(expiry_days=10, reminder_days=0), now=timezone.now() - 11 * DAY)
    _send(SchemeFactory(expiry_days=30, reminder_days=7), now=timezone.now() - 25 * DAY)
    first = referrals_daily.call_local()
    assert (first["expired"], first["reminded"]) == (1, 1)
    # Inside the test's transaction nothing commits: the task's retry delivers the e-mails.
    assert len(mail.outbox) == first["retried"] == 4
    assert referrals_daily.call_local() == {"expired": 0, "reminded": 0, "retried": 0}
    assert len(mail.outbox) == 4
