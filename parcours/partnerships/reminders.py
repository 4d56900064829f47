"""Reminders of the partnerships, each owed once: before an agreement ends, before a report is
due, and when an action is overdue (issue 19).

A Reminder row per (kind, subject, date) under a unique constraint is written before the
e-mail leaves, after commit: running the daily task twice, or two workers at once, sends
nothing twice. Messages name the agreement, the group or the action, never a person.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.indicators.periods import Month
from parcours.organisations.models import Membership
from parcours.organisations.roles import Role
from parcours.partnerships.models import (
    Action,
    Agreement,
    AgreementReport,
    Reminder,
    ReminderKind,
    ReportingDuty,
)
from parcours.partnerships.reporting import covers, deadline_of, period_of
from parcours.partnerships.states import IN_FORCE_STATES

logger = logging.getLogger(__name__)

# House rules (no text sets them): two months leave time to renew or end an agreement
# properly; five days before a report is due leave a working week to check the figures.
DAYS_BEFORE_END = 60
DAYS_BEFORE_REPORT = 5
# Roles told of an organisation's reminders: those who run its partnerships.
RESPONSIBLE_ROLES = (Role.DT_DIRECTOR, Role.DT_ADMIN, Role.PARTNER_ADMIN)


def _emails(organisation_ids) -> list[str]:
    return sorted(
        set(
            Membership.objects.active()
            .filter(
                organisation_id__in=list(organisation_ids),
                role__in=RESPONSIBLE_ROLES,
                user__is_active=True,
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def _agreement_recipients(agreement: Agreement) -> list[str]:
    organisations = {p.pk for p in agreement.partners.all()} | set(
        agreement.directorates.values_list("organisation__pk", flat=True)
    )
    return _emails(o for o in organisations if o)


def _base_url() -> str:
    return getattr(settings, "PARCOURS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


def _owe(kind, subject_id, due_on, recipients, subject, body) -> Reminder | None:
    """Record the reminder; e-mail it after commit. None when it was already owed."""
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                kind=kind, subject_id=subject_id, due_on=due_on, recipients=recipients
            )
    except IntegrityError:
        return None

    def deliver():
        if recipients:
            try:
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
            except Exception:  # kept unsent on the row, visible to the admins
                logger.exception("partnership reminder %s failed", reminder.pk)
                return
        Reminder.objects.filter(pk=reminder.pk).update(sent_at=timezone.now())

    transaction.on_commit(deliver)
    return reminder


def agreement_end_reminders(today: datetime.date) -> list[Reminder]:
    soon = today + datetime.timedelta(days=DAYS_BEFORE_END)
    owed = []
    agreements = Agreement.objects.filter(
        status__in=sorted(IN_FORCE_STATES), ends_on__gte=today, ends_on__lte=soon
    ).prefetch_related("partners")
    for agreement in agreements:
        url = _base_url() + reverse("partnerships:agreement_detail", args=[agreement.pk])
        reminder = _owe(
            ReminderKind.AGREEMENT_END,
            agreement.pk,
            agreement.ends_on,
            _agreement_recipients(agreement),
            _("Parcours – la convention « %(title)s » se termine le %(date)s")
            % {"title": agreement.title, "date": agreement.ends_on.strftime("%d/%m/%Y")},
            _(
                "La convention « %(title)s » se termine le %(date)s. Préparez son bilan, son "
                "renouvellement ou sa clôture : %(url)s"
            )
            % {
                "title": agreement.title,
                "date": agreement.ends_on.strftime("%d/%m/%Y"),
                "url": url,
            },
        )
        if reminder:
            owed.append(reminder)
    return owed


def report_deadline_reminders(today: datetime.date) -> list[Reminder]:
    """Before each deadline of a duty of an agreement in force whose report is not sent."""
    owed = []
    duties = ReportingDuty.objects.filter(
        agreement__status__in=sorted(IN_FORCE_STATES)
    ).select_related("agreement")
    # Deadlines within the notice fall at the end of this month or, with a delay, of one of
    # the previous three (ReportingDuty allows at most 90 days).
    months = [Month.of(today)]
    for _step in range(3):
        months.append(months[-1].previous)
    sent = set(
        AgreementReport.objects.filter(duty__in=duties).values_list("duty_id", "period_start")
    )
    for duty in duties:
        for month in months:
            period = period_of(duty, month)
            if period.last != month or not covers(duty, period):
                continue
            deadline = deadline_of(duty, period)
            if not today <= deadline <= today + datetime.timedelta(days=DAYS_BEFORE_REPORT):
                continue
            if (duty.pk, period.start) in sent:
                continue
            agreement = duty.agreement
            url = _base_url() + reverse("partnerships:agreement_detail", args=[agreement.pk])
            reminder = _owe(
                ReminderKind.REPORT_DEADLINE,
                duty.pk,
                deadline,
                _agreement_recipients(agreement),
                _("Parcours – compte rendu de « %(title)s » attendu le %(date)s")
                % {"title": agreement.title, "date": deadline.strftime("%d/%m/%Y")},
                _(
                    "Le compte rendu de la convention « %(title)s » pour %(period)s est attendu "
                    "le %(date)s : %(url)s"
                )
                % {
                    "title": agreement.title,
                    "period": period.label,
                    "date": deadline.strftime("%d/%m/%Y"),
                    "url": url,
                },
            )
            if reminder:
                owed.append(reminder)
    return owed


def overdue_action_reminders(today: datetime.date) -> list[Reminder]:
    owed = []
    for action in Action.objects.overdue(today).select_related("group", "owner"):
        url = _base_url() + reverse("partnerships:group_detail", args=[action.group_id])
        reminder = _owe(
            ReminderKind.OVERDUE_ACTION,
            action.pk,
            action.due_on,
            _emails([action.owner_id, action.group.chair_id]),
            _("Parcours – action en retard : %(title)s") % {"title": action.title},
            _(
                "L'action « %(title)s » du groupe « %(group)s », confiée à %(owner)s, était "
                "attendue le %(date)s : %(url)s"
            )
            % {
                "title": action.title,
                "group": action.group.name,
                "owner": action.owner.name,
                "date": action.due_on.strftime("%d/%m/%Y"),
                "url": url,
            },
        )
        if reminder:
            owed.append(reminder)
    return owed


def send_due_reminders(today: datetime.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    return {
        "agreement_end": len(agreement_end_reminders(today)),
        "report_deadline": len(report_deadline_reminders(today)),
        "overdue_action": len(overdue_action_reminders(today)),
    }
