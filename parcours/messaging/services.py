"""Services of the messages: what is sent to whom, delivery, reminders, the person's answers.

Every message is a row (`Message`) written before it is handed to a backend, then updated
with what the backend or the provider's callback says. Reception services announce
convocations after commit (`reception.services.convocations_changed`); this module listens.
"""

import datetime
import logging
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.messaging import compose
from parcours.messaging.models import (
    LOCK_HOURS,
    MAX_FAILED_CHECKS,
    Answer,
    AnswerReason,
    Channel,
    ConvocationPage,
    DeliveryStatus,
    Kind,
    Message,
    MessagingSettings,
)
from parcours.messaging.phones import mobile_e164
from parcours.messaging.sms import SmsError, get_backend
from parcours.reception import services as reception_services
from parcours.reception.models import AttendanceStatus, Convocation, SessionStatus

logger = logging.getLogger(__name__)

# Issue 18: "a short link": 10 characters of an alphabet without look-alikes (no 0/O, 1/l/I)
# give 55**10 ≈ 2.5e17 links; with the check and its attempt limit, guessing is hopeless.
TOKEN_ALPHABET = "23456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
TOKEN_LENGTH = 10
MAX_REMINDER_DAYS = 14


def new_token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def pages_for(convocations) -> dict[int, ConvocationPage]:
    """The page of each convocation, created when missing (two queries for any number)."""
    convocations = list(convocations)
    pages = {
        p.convocation_id: p
        for p in ConvocationPage.objects.filter(convocation__in=[c.pk for c in convocations])
    }
    missing = [
        ConvocationPage(convocation_id=c.pk, token=new_token())
        for c in convocations
        if c.pk not in pages
    ]
    if missing:
        ConvocationPage.objects.bulk_create(missing, ignore_conflicts=True)
        pages.update(
            (p.convocation_id, p)
            for p in ConvocationPage.objects.filter(
                convocation__in=[p.convocation_id for p in missing]
            )
        )
    return pages


def page_for(convocation) -> ConvocationPage:
    return pages_for([convocation])[convocation.pk]


def _reachable(person) -> bool:
    return person.anonymised_at is None and person.messages_stopped_at is None


def _deliver(message: Message, *, subject: str = "") -> Message:
    """Hand a queued message to its backend and record what it answered."""
    now = timezone.now()
    try:
        if message.channel == Channel.EMAIL:
            EmailMessage(
                subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.recipient]
            ).send()
            message.status, message.provider_id = DeliveryStatus.SENT, ""
        else:
            submitted = get_backend().send(message.recipient, message.body, str(message.pk))
            message.provider_id, message.status = submitted.provider_id, submitted.status
        message.sent_at = now
    except (SmsError, OSError) as error:
        message.status = DeliveryStatus.FAILED
        message.failure_reason = str(error)[:200]
        logger.warning("message %s not sent: %s", message.pk, error)
    message.status_at = now
    message.save(update_fields=["status", "provider_id", "sent_at", "status_at", "failure_reason"])
    return message


def _messages_for(convocation, kind: str, page: ConvocationPage) -> list[tuple[Message, str]]:
    """The unsaved messages (and e-mail subject) a convocation gets for `kind`."""
    person = convocation.person
    link = compose.page_link(page.token)
    found = []
    if person.email:
        email = compose.compose_email(convocation, kind, link)
        found.append(
            (
                Message(
                    convocation=convocation,
                    person=person,
                    channel=Channel.EMAIL,
                    kind=kind,
                    language=compose.message_language(convocation),
                    recipient=person.email,
                    body=email.body,
                ),
                email.subject,
            )
        )
    mobile = mobile_e164(person.phone)
    if mobile:
        sms = compose.compose_sms(convocation, kind, link)
        found.append(
            (
                Message(
                    convocation=convocation,
                    person=person,
                    channel=Channel.SMS,
                    kind=kind,
                    language=sms.language,
                    recipient=mobile,
                    body=sms.body,
                    segments=sms.segments,
                ),
                "",
            )
        )
    return found


def _loaded(convocation_ids):
    return Convocation.objects.filter(pk__in=list(convocation_ids)).select_related(
        "session", "session__directorate", "person"
    )


def send_for_convocations(convocation_ids, kind: str) -> list[Message]:
    """Messages about convocations just made or changed: e-mail and SMS, where possible."""
    convocations = list(_loaded(convocation_ids))
    earlier = set(
        Convocation.objects.filter(person_id__in={c.person_id for c in convocations})
        .exclude(pk__in=[c.pk for c in convocations])
        .values_list("person_id", flat=True)
    )
    pages = pages_for(convocations)
    sent = []
    # Only pending convocations: a person excused (or already seen) hears nothing more; a
    # cancellation is told to those whose session it freed (reception.cancel_session).
    expected = AttendanceStatus.CANCELLED if kind == Kind.CANCELLED else AttendanceStatus.PENDING
    for convocation in convocations:
        if convocation.status != expected or not _reachable(convocation.person):
            continue
        this_kind = kind
        if kind == Kind.CONVOKED and convocation.person_id in earlier:
            this_kind = Kind.RECONVOKED
        for message, subject in _messages_for(convocation, this_kind, pages[convocation.pk]):
            message.save()
            sent.append(_deliver(message, subject=subject))
    return sent


def reminder_days(directorate_id) -> int:
    found = MessagingSettings.objects.filter(directorate_id=directorate_id).first()
    return found.reminder_days if found else MessagingSettings().reminder_days


def session_start(session) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(session.date, session.start_time),
        timezone.get_default_timezone(),
    )


def due_reminders(now: datetime.datetime):
    """Convocations whose reminder is due: pending, session within the DT's delay and not
    started, no « cannot come » answer, person reachable, reminder not yet sent."""
    today = timezone.localdate(now)
    candidates = (
        Convocation.objects.filter(
            status=AttendanceStatus.PENDING,
            session__status=SessionStatus.PLANNED,  # never for a cancelled session (issue 18)
            session_date__gte=today,
            session_date__lte=today + datetime.timedelta(days=MAX_REMINDER_DAYS),
            person__anonymised_at__isnull=True,
            person__messages_stopped_at__isnull=True,
        )
        .exclude(page__answer=Answer.CANNOT_COME)
        .select_related("session", "session__directorate", "person")
        .order_by("session_date", "pk")
    )
    delays = dict(MessagingSettings.objects.values_list("directorate_id", "reminder_days"))
    default = MessagingSettings().reminder_days
    return [
        c
        for c in candidates
        if (c.session_date - today).days <= delays.get(c.directorate_id, default)
        and session_start(c.session) > now
    ]


def send_reminders(now: datetime.datetime | None = None) -> int:
    """Send each due reminder once per convocation and channel (the database refuses a
    second: a rerun, a retry or two workers at once send nothing twice). Returns how many."""
    now = now or timezone.now()
    due = due_reminders(now)
    pages = pages_for(due)
    count = 0
    for convocation in due:
        for message, subject in _messages_for(convocation, Kind.REMINDER, pages[convocation.pk]):
            try:
                with transaction.atomic():
                    message.save()
            except IntegrityError:
                continue  # already reminded by this channel
            _deliver(message, subject=subject)
            count += 1
    return count


_STATUS_FROM_PROVIDER = {
    "delivered": DeliveryStatus.DELIVERED,
    "failed": DeliveryStatus.FAILED,
    "undelivered": DeliveryStatus.FAILED,
    "rejected": DeliveryStatus.FAILED,
    "sent": DeliveryStatus.SENT,
}


def record_delivery(provider_id: str, status: str, reason: str = "", at=None) -> Message | None:
    """Apply a delivery report of the SMS provider; None when the id or status is unknown.

    A report never moves a delivered message back (reports may arrive out of order).
    """
    mapped = _STATUS_FROM_PROVIDER.get((status or "").lower())
    if not provider_id or mapped is None:
        return None
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(provider_id=provider_id).first()
        if message is None:
            return None
        if message.status == DeliveryStatus.DELIVERED and mapped != DeliveryStatus.DELIVERED:
            return message
        message.status = mapped
        message.failure_reason = (reason or "unknown")[:200] if mapped == "failed" else ""
        message.status_at = at or timezone.now()
        if message.sent_at is None:
            message.sent_at = message.status_at
        message.save(update_fields=["status", "failure_reason", "status_at", "sent_at"])
    return message


# --------------------------------------------------------------------------------------------
# The person's page
# --------------------------------------------------------------------------------------------


def page_open(page: ConvocationPage, now: datetime.datetime) -> bool:
    """Issue 18: the page expires once the session has passed (the day of the session is
    still open), and with a convocation that is no longer pending."""
    convocation = page.convocation
    # Excused stays open only after the person's own « cannot come » (the page thanks them).
    answered = convocation.status == AttendanceStatus.EXCUSED and (
        page.answer == Answer.CANNOT_COME
    )
    return (
        (convocation.status == AttendanceStatus.PENDING or answered)
        and convocation.session.date >= timezone.localdate(now)
        and convocation.person.anonymised_at is None
    )


def is_locked(page: ConvocationPage, now: datetime.datetime) -> bool:
    return page.locked_until is not None and page.locked_until > now


def check_birth_date(page: ConvocationPage, given: datetime.date, now) -> str:
    """ "ok", "wrong" (one attempt used) or "locked" (too many wrong answers, or already)."""
    with transaction.atomic():
        locked_page = ConvocationPage.objects.select_for_update().get(pk=page.pk)
        if is_locked(locked_page, now):
            return "locked"
        birth_date = page.convocation.person.birth_date
        if birth_date is not None and given == birth_date:
            if locked_page.failed_checks:
                ConvocationPage.objects.filter(pk=page.pk).update(failed_checks=0)
            return "ok"
        failed = locked_page.failed_checks + 1
        if failed >= MAX_FAILED_CHECKS:
            ConvocationPage.objects.filter(pk=page.pk).update(
                failed_checks=0, locked_until=now + datetime.timedelta(hours=LOCK_HOURS)
            )
            return "locked"
        ConvocationPage.objects.filter(pk=page.pk).update(failed_checks=F("failed_checks") + 1)
        page.failed_checks = failed
        return "wrong"


ANSWER_LOG = {
    AnswerReason.ILLNESS: "maladie",
    AnswerReason.WORK: "travail",
    AnswerReason.TRAINING: "formation",
    AnswerReason.MOVED_AWAY: "déménagement",
    AnswerReason.OTHER: "autre raison",
}


@transaction.atomic
def answer(page: ConvocationPage, value: str, reason: str, now) -> ConvocationPage:
    """The person confirms, or cannot come with a reason: the convocation is then excused,
    so that it lands on the DT's list « à reconvoquer » (reception.to_reconvoke)."""
    locked = ConvocationPage.objects.select_for_update().get(pk=page.pk)
    if value not in Answer.values or locked.answer == Answer.CANNOT_COME:
        return locked
    if value == Answer.CANNOT_COME:
        if reason not in AnswerReason.values:
            raise ValueError("reason required")
        reception_services.record_attendance(
            locked.convocation,
            AttendanceStatus.EXCUSED,
            actor=None,
            reason=f"Ne peut pas venir ({ANSWER_LOG[reason]}) : réponse de la personne en ligne",
            today=timezone.localdate(now),
        )
    else:
        reason = ""
    locked.answer, locked.reason, locked.answered_at = value, reason, now
    locked.save(update_fields=["answer", "reason", "answered_at"])
    return locked


def set_reminder_days(directorate_id, days: int) -> MessagingSettings:
    """Set how many days before a session its reminder goes, for one DT (issue 18)."""
    if not 1 <= days <= 14:
        raise ValidationError({"reminder_days": _("Choisissez un délai de 1 à 14 jours.")})
    found, _created = MessagingSettings.objects.update_or_create(
        directorate_id=directorate_id, defaults={"reminder_days": days}
    )
    return found
