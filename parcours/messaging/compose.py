"""The texts of one message: an SMS of one or two segments, an e-mail in French and the
person's language, built from the convocation and the texts of each language."""

from dataclasses import dataclass

from django.conf import settings

from parcours.messaging.segments import count_segments
from parcours.messaging.texts import FRENCH, for_language
from parcours.reception.letters import TRANSLATIONS as LETTER_TRANSLATIONS
from parcours.reception.letters import fr as letter_fr

# Issue 18: "short enough for one or two SMS segments".
MAX_SMS_SEGMENTS = 2


@dataclass(frozen=True)
class Sms:
    language: str
    body: str
    segments: int
    encoding: str


@dataclass(frozen=True)
class Email:
    subject: str
    body: str


def page_link(token: str) -> str:
    """The short absolute link of a person's page (printed, sent by SMS, shown as a QR code)."""
    return f"{settings.PARCOURS_BASE_URL.rstrip('/')}/c/{token}"


def message_language(convocation) -> str:
    """The person's language for messages: the letter's (ADR 0004), French when none."""
    return convocation.letter_language if convocation.letter_language else "fr"


def _short_day(day) -> str:
    return day.strftime("%d/%m/%Y")


def _time(moment) -> str:
    return moment.strftime("%H:%M")


def _address(session) -> str:
    return " ".join(session.address.split())


def compose_sms(convocation, kind: str, link: str) -> Sms:
    """The SMS in the person's language, at most two segments.

    An SMS is one language: French and Arabic together would not fit two UCS-2 segments
    (134 characters). The page behind the link shows both. When the full text is too long,
    the list of documents goes first, then the address (the page and the letter have both).
    """
    texts = for_language(message_language(convocation))
    session = convocation.session
    template = texts.SMS[kind]
    values = {"date": _short_day(session.date), "time": _time(session.start_time), "link": link}
    body = ""
    for address, bring in (
        (_address(session), texts.SMS_BRING),
        (_address(session), ""),
        (_address(session)[:40], ""),
        ("", ""),
    ):
        body = template.format(address=address, bring=bring, **values).replace(" ,", ",")
        count = count_segments(body)
        if count.segments <= MAX_SMS_SEGMENTS:
            return Sms(texts.CODE, body, count.segments, count.encoding)
    count = count_segments(body)
    return Sms(texts.CODE, body, count.segments, count.encoding)


def _email_part(texts, letter_module, convocation, kind: str, link: str, contact: str) -> str:
    session = convocation.session
    values = {
        "date": letter_module.format_day(session.date),
        "time": letter_module.format_time(session.start_time),
        "address": _address(session),
        "link": link,
        "contact": contact,
    }
    lines = [texts.EMAIL_INTRO[kind], ""]
    if kind != "cancelled":
        lines += [
            texts.EMAIL_LINES["when"].format(**values),
            texts.EMAIL_LINES["where"].format(**values),
            texts.EMAIL_LINES["bring"],
            "",
            texts.EMAIL_LINES["link"].format(**values),
        ]
    lines.append(texts.EMAIL_LINES["stop"].format(**values))
    return "\n".join(lines)


def compose_email(convocation, kind: str, link: str) -> Email:
    """French first, then the person's language (the same texts as the letter)."""
    session = convocation.session
    directorate = session.directorate
    contact = " – ".join(p for p in (directorate.phone, directorate.email) if p) or str(
        directorate.name
    )
    code = message_language(convocation)
    parts = [_email_part(FRENCH, letter_fr, convocation, kind, link, contact)]
    subject = FRENCH.EMAIL_SUBJECT[kind].format(date=letter_fr.format_day(session.date))
    if code != "fr" and code in LETTER_TRANSLATIONS:
        texts = for_language(code)
        letter_module = LETTER_TRANSLATIONS[code]
        parts.append(_email_part(texts, letter_module, convocation, kind, link, contact))
        subject += " / " + texts.EMAIL_SUBJECT[kind].format(
            date=letter_module.format_day(session.date)
        )
    return Email(subject, "\n\n————\n\n".join(parts))
