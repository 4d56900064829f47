"""What the messages declare to the privacy module: anonymisation and the subject-access export.

Issue 18: "messages and their delivery rows follow the retention rules and the subject-access
export". When a file is anonymised (privacy.retention), the address or number a message went
to and its text are removed; channel, template, language, status and dates by month stay for
the figures (no-show rate by channel).
"""

from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from parcours.messaging.models import ConvocationPage, Message
from parcours.privacy.retention import register_anonymiser
from parcours.privacy.subject_access import Section, _text, register_provider


@register_anonymiser
def anonymise_messages(person_ids):
    Message._base_manager.filter(person_id__in=person_ids).update(
        recipient="",
        body="",
        provider_id="",
        sent_at=TruncMonth("sent_at"),
        status_at=TruncMonth("status_at"),
        created_at=TruncMonth("created_at"),
    )
    ConvocationPage._base_manager.filter(convocation__person_id__in=person_ids).update(
        answered_at=TruncMonth("answered_at"), locked_until=None, failed_checks=0
    )


@register_provider
def messages_section(person) -> Section:
    section = Section(
        "messages",
        _("Messages envoyés"),
        [
            ("sent_at", _("Envoyé le")),
            ("channel", _("Canal")),
            ("kind", _("Modèle")),
            ("language", _("Langue")),
            ("recipient", _("Destinataire")),
            ("status", _("État")),
            ("body", _("Texte")),
        ],
        empty=_("Aucun message envoyé."),
    )
    for message in Message.objects.filter(person=person).order_by("created_at", "pk"):
        status = message.get_status_display()
        if message.failure_reason:
            status = f"{status} ({message.failure_reason})"
        section.rows.append(
            {
                "sent_at": _text(message.sent_at or message.created_at),
                "channel": str(message.get_channel_display()),
                "kind": str(message.get_kind_display()),
                "language": message.language,
                "recipient": message.recipient,
                "status": str(status),
                "body": message.body,
            }
        )
    for page in ConvocationPage.objects.filter(convocation__person=person).exclude(answer=""):
        section.rows.append(
            {
                "sent_at": _text(page.answered_at),
                "channel": str(_("Page de convocation")),
                "kind": str(page.get_answer_display()),
                "status": str(page.get_reason_display()),
            }
        )
    return section
