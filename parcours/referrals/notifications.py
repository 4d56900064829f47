"""E-mails about referrals: one Notification row per (referral, event), sent after commit.

The unique row makes "never twice for one event" a database fact; the e-mail leaves only once
the transaction that caused it has committed (`transaction.on_commit`), and a failed sending
stays pending for the daily task to retry. Messages carry no personal data, only the scheme,
the referral's reference and a link: the reader signs in to see the person (STYLE.md, DORA).
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from parcours.organisations.roles import PARTNER_ROLES
from parcours.referrals.models import Notification, NotificationEvent, Referral

logger = logging.getLogger(__name__)

PARTNER_EVENTS = frozenset({NotificationEvent.NEW_REFERRAL, NotificationEvent.REMINDER})


def partner_recipients(referral: Referral) -> list[str]:
    """The scheme's contact, else the organisation's address, else its partner staff."""
    scheme = referral.scheme
    if scheme.contact_email:
        return [scheme.contact_email]
    if scheme.organisation.email:
        return [scheme.organisation.email]
    return sorted(
        {
            email
            for email in scheme.organisation.memberships.active()
            .filter(role__in=sorted(PARTNER_ROLES), user__is_active=True)
            .values_list("user__email", flat=True)
            if email
        }
    )


def referrer_recipients(referral: Referral) -> list[str]:
    email = referral.referred_by.email
    return [email] if email and referral.referred_by.is_active else []


def notify(referral: Referral, event: str) -> Notification | None:
    """Record that `event` is owed and send it once the current transaction commits.

    Returns None when the event was already recorded for this referral (nothing is sent).
    """
    recipients = (
        partner_recipients(referral) if event in PARTNER_EVENTS else referrer_recipients(referral)
    )
    notification, created = Notification.objects.get_or_create(
        referral=referral, event=event, defaults={"recipients": recipients}
    )
    if not created:
        return None
    transaction.on_commit(lambda: deliver(notification.pk))
    return notification


def _base_url() -> str:
    return getattr(settings, "PARCOURS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


def _message(notification: Notification) -> tuple[str, str]:
    referral = notification.referral
    scheme = referral.scheme
    values = {
        "reference": referral.reference,
        "scheme": scheme.name,
        "organisation": scheme.organisation.name,
        "referrer": referral.referrer_organisation.name,
        "url": _base_url() + reverse("referrals:detail", args=[referral.pk]),
        "deadline": date_format(timezone.localtime(referral.deadline), "DATE_FORMAT")
        if referral.deadline
        else "",
    }
    event = notification.event
    if event == NotificationEvent.NEW_REFERRAL:
        subject = _("Nouvelle orientation vers « %(scheme)s »") % values
        body = (
            _(
                "%(referrer)s vous adresse une orientation (%(reference)s) vers le dispositif "
                "« %(scheme)s ». Merci d'y répondre avant le %(deadline)s : %(url)s"
            )
            % values
        )
    elif event == NotificationEvent.REMINDER:
        subject = _("Relance : orientation %(reference)s sans réponse") % values
        body = (
            _(
                "L'orientation %(reference)s vers « %(scheme)s » attend toujours votre réponse. "
                "Sans réponse, elle expirera le %(deadline)s : %(url)s"
            )
            % values
        )
    elif event == NotificationEvent.ACCEPTED:
        subject = _("Orientation %(reference)s acceptée") % values
        body = (
            _(
                "%(organisation)s a accepté l'orientation %(reference)s vers « %(scheme)s » : "
                "%(url)s"
            )
            % values
        )
    elif event == NotificationEvent.WAITLISTED:
        subject = _("Orientation %(reference)s en liste d'attente") % values
        body = (
            _(
                "%(organisation)s a accepté l'orientation %(reference)s vers « %(scheme)s », mais "
                "le dispositif est complet : la personne est en liste d'attente. %(url)s"
            )
            % values
        )
    elif event == NotificationEvent.REFUSED:
        subject = _("Orientation %(reference)s refusée") % values
        body = (
            _("%(organisation)s a refusé l'orientation %(reference)s vers « %(scheme)s » : %(url)s")
            % values
        )
    elif event == NotificationEvent.PROMOTED:
        subject = _("Place attribuée : orientation %(reference)s") % values
        body = (
            _(
                "Une place s'est libérée dans « %(scheme)s » : l'orientation %(reference)s, "
                "qui était en liste d'attente, est acceptée. %(url)s"
            )
            % values
        )
    else:
        subject = _("Orientation %(reference)s expirée sans réponse") % values
        body = (
            _(
                "L'orientation %(reference)s vers « %(scheme)s » n'a pas reçu de réponse dans le "
                "délai prévu et a expiré. Vous pouvez orienter la personne à nouveau : %(url)s"
            )
            % values
        )
    footer = _(
        "Ce message ne contient aucune donnée personnelle : connectez-vous à Parcours pour "
        "consulter l'orientation."
    )
    return f"[Parcours] {subject}", f"{_('Bonjour,')}\n\n{body}\n\n{footer}\n"


def deliver(notification_id: int) -> bool:
    """Send one pending notification; True if an e-mail left now. Safe to call twice."""
    with transaction.atomic():
        # The notification alone by its key, then its referral by its key: joined in one
        # statement, PostgreSQL merge-joined the referrals' primary key from the first row
        # (statistics of a small notification table end at old referrals), reading every
        # referral up to the new one: 273 ms per accept at a million persons (issue 12).
        notification = (
            Notification.objects.select_for_update()
            .filter(pk=notification_id, sent_at__isnull=True)
            .order_by()
            .first()
        )
        if notification is None:
            return False
        notification.referral = Referral.objects.select_related(
            "scheme__organisation", "referrer_organisation", "referred_by"
        ).get(pk=notification.referral_id)
        if notification.recipients:
            # E-mails are in French whatever the language of the user who caused them.
            with translation.override("fr"):
                subject, body = _message(notification)
            try:
                send_mail(subject, body, None, notification.recipients)
            except OSError:
                # Left pending: the daily task retries (deliver_pending).
                logger.warning("Notification %s could not be sent", notification_id, exc_info=True)
                return False
        notification.sent_at = timezone.now()
        notification.save(update_fields=["sent_at"])
        return bool(notification.recipients)


def deliver_pending() -> int:
    """Retry every notification left unsent (mail server down at the time)."""
    sent = 0
    pending = Notification.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)
    for notification_id in list(pending):
        sent += int(deliver(notification_id))
    return sent
