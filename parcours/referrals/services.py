"""Everything that changes a referral or a scheme's seats, each inside one transaction.

Views, commands, tasks, the demo and (later) the reception day and the API call these
functions; none of them writes a referral's state directly. Each transition checks the current
state against the declared workflow (states.TRANSITIONS) under a row lock and writes its log
row. Seats are taken with one conditional UPDATE, never read-then-write in Python (DESIGN.md,
"Seats are counted by the database").
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from parcours.core.freshness import figures_changed
from parcours.people.models import Person
from parcours.referrals.eligibility import EligibilityStatus, PersonFacts, Verdict, evaluate
from parcours.referrals.models import (
    NotificationEvent,
    Referral,
    ReferralTransition,
    Scheme,
)
from parcours.referrals.notifications import notify
from parcours.referrals.signals import NEW_REFERRAL, SEAT_FREED, WITHDRAWN, announce
from parcours.referrals.states import (
    CLOSED_STATES,
    TRANSITIONS,
    DropOutReason,
    Origin,
    ReferralStatus,
    RefusalReason,
)
from parcours.referrals.system import system_user


class ReferralError(ValidationError):
    """A refused operation, with a French message for the user; nothing was written."""


class TransitionNotAllowed(ReferralError):
    def __init__(self, referral: Referral, name: str):
        super().__init__(
            _("Cette orientation est « %(status)s » : l'action « %(action)s » n'est plus possible.")
            % {
                "status": ReferralStatus(referral.status).label,
                "action": TRANSITIONS[name].label,
            },
            code="transition_not_allowed",
        )


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _today(now: datetime.datetime) -> datetime.date:
    return timezone.localdate(now)


def _locked(referral_id: int) -> Referral:
    """The referral, locked until the end of the transaction (serialises concurrent answers)."""
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("scheme__organisation", "person__department", "referred_by")
        .get(pk=referral_id)
    )


def _move(
    referral: Referral,
    name: str,
    *,
    by,
    organisation,
    at: datetime.datetime,
    reason: str = "",
    comment: str = "",
    fields: tuple[str, ...] = (),
) -> ReferralTransition:
    """Apply a declared transition and write its log row; refuse it from a wrong state."""
    transition = TRANSITIONS[name]
    if referral.status not in transition.sources:
        raise TransitionNotAllowed(referral, name)
    from_status = referral.status
    referral.status = transition.target
    update = {"status", *fields}
    if transition.target in CLOSED_STATES:
        referral.closed_at = at
        update.add("closed_at")
    if referral.pk is None:
        referral.save()
    else:
        referral.save(update_fields=sorted(update))
    return ReferralTransition.objects.create(
        referral=referral,
        name=name,
        from_status=from_status,
        to_status=transition.target,
        at=at,
        by=by,
        by_organisation=organisation,
        reason=reason,
        comment=comment,
    )


# Seats ---------------------------------------------------------------------------------------


def take_seat(scheme_id: int) -> bool:
    """Take one seat if one is free, in a single conditional UPDATE; True if taken."""
    free = Q(capacity__isnull=True) | Q(seats_taken__lt=F("capacity"))
    updated = (
        Scheme.objects.filter(pk=scheme_id).filter(free).update(seats_taken=F("seats_taken") + 1)
    )
    figures_changed()  # the seats figure; QuerySet.update sends no signal (core/freshness.py)
    return updated == 1


def release_seat(scheme_id: int, *, at: datetime.datetime) -> list[Referral]:
    """Give a seat back and hand it to the head of the waiting list, in the same transaction."""
    Scheme.objects.filter(pk=scheme_id, seats_taken__gt=0).update(seats_taken=F("seats_taken") - 1)
    figures_changed()  # the seats figure; QuerySet.update sends no signal (core/freshness.py)
    promoted = promote_waiting(scheme_id, at=at)
    if not promoted:  # a seat handed to the waiting list is not free
        announce(SEAT_FREED, scheme_id=scheme_id)
    return promoted


def promote_waiting(scheme_id: int, *, at: datetime.datetime) -> list[Referral]:
    """Give free seats to the waiting list, first come first served; returns the promoted."""
    promoted = []
    actor = None
    retries = 0
    while True:
        head = (
            Referral.objects.waiting_list(scheme_id)
            .select_for_update(of=("self",))
            .select_related("scheme__organisation", "referred_by")
            .first()
        )
        if head is None:
            # Under concurrency, a locked head that changed meanwhile is skipped by the
            # database: look again before concluding that the list is empty.
            if retries < 3 and Referral.objects.waiting_list(scheme_id).exists():
                retries += 1
                continue
            break
        if not take_seat(scheme_id):
            break
        actor = actor or system_user()
        head.accepted_at = at
        _move(
            head,
            "promote",
            by=actor,
            organisation=None,
            at=at,
            fields=("accepted_at",),
        )
        notify(head, NotificationEvent.PROMOTED)
        promoted.append(head)
    return promoted


# Eligibility ---------------------------------------------------------------------------------


def verdict_for(person: Person, scheme: Scheme, entry_date: datetime.date) -> Verdict:
    return evaluate(scheme.rules, PersonFacts.from_person(person), entry_date)


def _check_verdict(verdict: Verdict, waiver_justification: str | None) -> None:
    """Refuse a person who fails a rule; when sending (`waiver_justification` given), refuse
    an unjustified waiver too."""
    if verdict.status == EligibilityStatus.NOT_ELIGIBLE:
        failed = [c.message for c in verdict.checks if c.outcome == "fail"]
        raise ReferralError(
            _("La personne ne remplit pas les conditions d'accès : %(reasons)s")
            % {"reasons": " ".join(failed)},
            code="not_eligible",
        )
    if (
        waiver_justification is not None
        and verdict.needs_waiver
        and not waiver_justification.strip()
    ):
        raise ReferralError(
            _("Justifiez la dérogation au niveau de français avant l'envoi."),
            code="waiver_needed",
        )


def _snapshot(referral: Referral, verdict: Verdict) -> None:
    referral.eligibility_status = verdict.status
    referral.eligibility_reasons = verdict.reasons
    referral.eligibility_checks = [[check.rule, check.outcome] for check in verdict.checks]


# Referrer side -------------------------------------------------------------------------------


def create_referral(
    person: Person,
    scheme: Scheme,
    *,
    by,
    organisation,
    origin: str = Origin.PERSON_FILE,
    planned_entry_date: datetime.date | None = None,
    note: str = "",
    waiver_justification: str = "",
    consent: bool = False,
    send: bool = False,
    information_session=None,
    transferred_from: Referral | None = None,
    now: datetime.datetime | None = None,
) -> Referral:
    """Create a referral (a draft, or sent at once when `send`); the consent of the person
    must be recorded before sending (STYLE.md, Primero). Refuses a person who fails a rule,
    an unjustified waiver, an inactive scheme and a second open referral to the same scheme."""
    now = _now(now)
    if not scheme.is_active:
        raise ReferralError(_("Ce dispositif n'est plus actif."), code="inactive_scheme")
    entry_date = planned_entry_date or scheme.planned_entry_date(_today(now))
    with translation.override("fr"):
        verdict = verdict_for(person, scheme, entry_date)
    _check_verdict(verdict, waiver_justification if send else None)
    if send and not consent:
        raise ReferralError(_no_consent_message(scheme), code="consent_needed")
    try:
        with transaction.atomic():
            existing = Referral.objects.open().filter(person=person, scheme=scheme).first()
            if existing is not None:
                raise _already_open(existing)
            referral = Referral(
                person=person,
                scheme=scheme,
                origin=origin,
                referred_by=by,
                referrer_organisation=organisation,
                information_session=information_session,
                transferred_from=transferred_from,
                planned_entry_date=planned_entry_date,
                note=note.strip(),
                waiver_justification=waiver_justification.strip(),
                created_at=now,
                status="",
            )
            _snapshot(referral, verdict)
            if consent:
                referral.consent_given_at = now
                referral.consent_recorded_by = by
            _move(referral, "create", by=by, organisation=organisation, at=now)
            if send:
                _send(referral, by=by, organisation=organisation, at=now, verdict=verdict)
    except IntegrityError as error:
        # Another request created the same open referral at the same moment.
        existing = Referral.objects.open().filter(person=person, scheme=scheme).first()
        if existing is None:
            raise
        raise _already_open(existing) from error
    return referral


def _already_open(existing: Referral) -> ReferralError:
    return ReferralError(
        _(
            "Cette personne a déjà une orientation en cours vers ce dispositif (%(reference)s, "
            "« %(status)s »)."
        )
        % {"reference": existing.reference, "status": existing.get_status_display()},
        code="already_open",
    )


def _no_consent_message(scheme: Scheme) -> str:
    return _(
        "Recueillez l'accord de la personne pour transmettre ses informations à %(organisation)s "
        "avant l'envoi."
    ) % {"organisation": scheme.organisation.name}


def _send(referral, *, by, organisation, at, verdict: Verdict) -> None:
    _snapshot(referral, verdict)
    referral.sent_at = at
    _move(
        referral,
        "send",
        by=by,
        organisation=organisation,
        at=at,
        fields=("sent_at", "eligibility_status", "eligibility_reasons", "eligibility_checks"),
    )
    notify(referral, NotificationEvent.NEW_REFERRAL)
    announce(NEW_REFERRAL, referral=referral)


def send_referral(
    referral: Referral,
    *,
    by,
    organisation,
    consent: bool = False,
    waiver_justification: str | None = None,
    now: datetime.datetime | None = None,
) -> Referral:
    """Send a draft to the partner, re-checking eligibility with today's facts."""
    now = _now(now)
    with transaction.atomic():
        referral = _locked(referral.pk)
        if not referral.can("send"):
            raise TransitionNotAllowed(referral, "send")
        if waiver_justification is not None:
            referral.waiver_justification = waiver_justification.strip()
        if consent and referral.consent_given_at is None:
            referral.consent_given_at = now
            referral.consent_recorded_by = by
        if referral.consent_given_at is None:
            raise ReferralError(_no_consent_message(referral.scheme), code="consent_needed")
        entry_date = referral.planned_entry_date or referral.scheme.planned_entry_date(_today(now))
        with translation.override("fr"):
            verdict = verdict_for(referral.person, referral.scheme, entry_date)
        _check_verdict(verdict, referral.waiver_justification)
        referral.save(
            update_fields=["waiver_justification", "consent_given_at", "consent_recorded_by"]
        )
        _send(referral, by=by, organisation=organisation, at=now, verdict=verdict)
    return referral


def delete_draft(referral: Referral) -> None:
    """A draft was never seen by the partner: it may simply be discarded."""
    with transaction.atomic():
        referral = _locked(referral.pk)
        if referral.status != ReferralStatus.DRAFT:
            raise ReferralError(
                _("Seul un brouillon peut être supprimé ; retirez plutôt l'orientation."),
                code="not_a_draft",
            )
        referral.delete()


def withdraw_referral(
    referral: Referral, *, by, organisation, comment: str = "", now=None
) -> Referral:
    """The referrer takes the referral back; a held seat goes to the waiting list."""
    now = _now(now)
    with transaction.atomic():
        referral = _locked(referral.pk)
        held = referral.holds_seat
        _move(referral, "withdraw", by=by, organisation=organisation, at=now, comment=comment)
        if held:
            release_seat(referral.scheme_id, at=now)
        announce(WITHDRAWN, referral=referral)
    return referral


def transfer_referral(
    referral: Referral,
    to_scheme: Scheme,
    *,
    by,
    organisation,
    note: str = "",
    consent: bool = False,
    waiver_justification: str = "",
    now=None,
) -> Referral:
    """Close the referral as transferred and send a new one to `to_scheme`, in one go.

    The person's consent covers the partner it was given for: a transfer within the same
    organisation keeps it, a transfer to another organisation needs it again.
    """
    now = _now(now)
    if to_scheme.pk == referral.scheme_id:
        raise ReferralError(_("Choisissez un autre dispositif que l'actuel."), code="same_scheme")
    with transaction.atomic():
        referral = _locked(referral.pk)
        held = referral.holds_seat
        _move(referral, "transfer", by=by, organisation=organisation, at=now, comment=note)
        if held:
            release_seat(referral.scheme_id, at=now)
        same_partner = to_scheme.organisation_id == referral.scheme.organisation_id
        new = create_referral(
            referral.person,
            to_scheme,
            by=by,
            organisation=organisation,
            origin=Origin.TRANSFER,
            note=note,
            waiver_justification=waiver_justification,
            consent=consent or same_partner,
            send=True,
            transferred_from=referral,
            now=now,
        )
    return new


# Partner side --------------------------------------------------------------------------------


def _check_receiver(referral: Referral, organisation) -> None:
    if organisation is None or organisation.pk != referral.scheme.organisation_id:
        raise ReferralError(
            _("Seule la structure qui porte le dispositif peut répondre à cette orientation."),
            code="not_receiver",
        )


def accept_referral(
    referral: Referral, *, by, organisation, comment: str = "", now=None
) -> Referral:
    """Accept: take a seat if one is free, else join the waiting list in arrival order.

    The seat is one conditional UPDATE; the time recorded after it orders the waiting list,
    so the referrals that got no seat queue in the order their acceptance was processed.
    """
    with transaction.atomic():
        referral = _locked(referral.pk)
        _check_receiver(referral, organisation)
        if not referral.can("accept"):
            raise TransitionNotAllowed(referral, "accept")
        seated = take_seat(referral.scheme_id)
        if not seated:
            # Full: queue in a definite order. A failed UPDATE locks nothing, so concurrent
            # waitlisters would interleave; the scheme row lock serialises them (and any seat
            # freed meanwhile is taken by the retry instead of being left idle).
            Scheme.objects.select_for_update().filter(pk=referral.scheme_id).exists()
            seated = take_seat(referral.scheme_id)
        at = _now(now)
        referral.answered_at = at
        referral.answer_comment = comment.strip()
        if seated:
            referral.accepted_at = at
            _move(
                referral,
                "accept",
                by=by,
                organisation=organisation,
                at=at,
                comment=comment,
                fields=("answered_at", "accepted_at", "answer_comment"),
            )
            notify(referral, NotificationEvent.ACCEPTED)
        else:
            _move(
                referral,
                "waitlist",
                by=by,
                organisation=organisation,
                at=at,
                comment=comment,
                fields=("answered_at", "answer_comment"),
            )
            notify(referral, NotificationEvent.WAITLISTED)
    return referral


def refuse_referral(
    referral: Referral, *, by, organisation, reason: str, comment: str = "", now=None
) -> Referral:
    """Refuse with a structured reason (counted in the funnel) and a free comment."""
    now = _now(now)
    if reason not in RefusalReason.values:
        raise ReferralError(_("Choisissez un motif de refus."), code="reason_needed")
    with transaction.atomic():
        referral = _locked(referral.pk)
        _check_receiver(referral, organisation)
        if referral.answered_at is None:
            referral.answered_at = now
        referral.refusal_reason = reason
        referral.answer_comment = comment.strip()
        _move(
            referral,
            "refuse",
            by=by,
            organisation=organisation,
            at=now,
            reason=reason,
            comment=comment,
            fields=("answered_at", "refusal_reason", "answer_comment"),
        )
        notify(referral, NotificationEvent.REFUSED)
    return referral


def _check_day(day: datetime.date, *, not_before: datetime.date, now) -> None:
    if day > _today(now):
        raise ReferralError(_("La date ne peut pas être dans le futur."), code="future_date")
    if day < not_before:
        raise ReferralError(
            _("La date ne peut pas être antérieure au %(date)s.")
            % {"date": date_format(not_before, "DATE_FORMAT")},
            code="date_too_early",
        )


def record_entry(
    referral: Referral, *, by, organisation, entered_on: datetime.date, now=None
) -> Referral:
    now = _now(now)
    with transaction.atomic():
        referral = _locked(referral.pk)
        _check_receiver(referral, organisation)
        if not referral.can("enter"):
            raise TransitionNotAllowed(referral, "enter")
        _check_day(entered_on, not_before=timezone.localdate(referral.sent_at), now=now)
        referral.entered_on = entered_on
        _move(referral, "enter", by=by, organisation=organisation, at=now, fields=("entered_on",))
    return referral


def record_exit(
    referral: Referral,
    *,
    by,
    organisation,
    exited_on: datetime.date,
    completed: bool,
    reason: str = "",
    comment: str = "",
    now=None,
) -> Referral:
    """Record the end of the pathway (completed) or a drop-out with its reason; frees the seat."""
    now = _now(now)
    if not completed and reason not in DropOutReason.values:
        raise ReferralError(_("Choisissez le motif de la sortie anticipée."), code="reason_needed")
    name = "complete" if completed else "drop_out"
    with transaction.atomic():
        referral = _locked(referral.pk)
        _check_receiver(referral, organisation)
        if not referral.can(name):
            raise TransitionNotAllowed(referral, name)
        _check_day(exited_on, not_before=referral.entered_on, now=now)
        referral.exited_on = exited_on
        referral.drop_out_reason = "" if completed else reason
        _move(
            referral,
            name,
            by=by,
            organisation=organisation,
            at=now,
            reason=referral.drop_out_reason,
            comment=comment,
            fields=("exited_on", "drop_out_reason"),
        )
        release_seat(referral.scheme_id, at=now)
    return referral


# Schemes -------------------------------------------------------------------------------------


def save_scheme(scheme: Scheme, *, fields: list[str], departments=None) -> Scheme:
    """Save a scheme's editable fields; a capacity change is checked against the seats taken
    under a row lock, and new seats go to the waiting list at once."""
    now = timezone.now()
    with transaction.atomic():
        if scheme.pk is None:
            scheme.save()
        else:
            current = Scheme.objects.select_for_update().get(pk=scheme.pk)
            if scheme.capacity is not None and scheme.capacity < current.seats_taken:
                raise ReferralError(
                    _("%(taken)s places sont occupées : la capacité ne peut pas être inférieure.")
                    % {"taken": current.seats_taken},
                    code="capacity_below_seats",
                )
            scheme.seats_taken = current.seats_taken
            scheme.save(update_fields=[*fields, "updated_at"])
        if departments is not None:
            scheme.departments.set(departments)
        promote_waiting(scheme.pk, at=now)
    return scheme


# Expiry and reminders (daily task and command) -----------------------------------------------


def expire_referral(referral: Referral, *, now=None) -> bool:
    """Expire one unanswered referral as the system user; False if it was answered meanwhile."""
    now = _now(now)
    with transaction.atomic():
        referral = _locked(referral.pk)
        if referral.status != ReferralStatus.SENT:
            return False
        _move(referral, "expire", by=system_user(), organisation=None, at=now)
        notify(referral, NotificationEvent.EXPIRED)
    return True


def expire_stale_referrals(*, now=None, apply: bool = True) -> list[Referral]:
    """The referrals past their answer deadline; expired when `apply` (idempotent)."""
    now = _now(now)
    due = list(Referral.objects.due_for_expiry(now).select_related("scheme"))
    if apply:
        due = [referral for referral in due if expire_referral(referral, now=now)]
    return due


def send_due_reminders(*, now=None, apply: bool = True) -> list[Referral]:
    """Remind partners of referrals close to expiry; the reminder is recorded once per referral."""
    now = _now(now)
    due = list(Referral.objects.due_for_reminder(now).select_related("scheme__organisation"))
    if not apply:
        return due
    reminded = []
    for referral in due:
        with transaction.atomic():
            if notify(referral, NotificationEvent.REMINDER) is not None:
                reminded.append(referral)
    return reminded
