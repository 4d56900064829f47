"""The one writer of partnerships: agreements, payments, calls, applications, groups, actions.

Every state change goes through `move` (declared transitions, states.py) and writes its
PartnershipTransition row in the same transaction; bad input raises ValidationError with a
French message and writes nothing (issue 19; the house's pattern: referrals/services._move).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.partnerships.models import (
    Action,
    Agreement,
    Amendment,
    Application,
    Document,
    Meeting,
    PartnershipTransition,
    Payment,
    ReportingDuty,
)
from parcours.partnerships.states import (
    WORKFLOWS,
    AgreementStatus,
    ApplicationStatus,
)
from parcours.privacy.uploads import check_upload

DOCUMENT_KINDS = ["pdf", "xlsx", "ods", "csv"]


class TransitionNotAllowed(ValidationError):
    def __init__(self, subject, name):
        super().__init__(
            _("Cette action n'est pas possible dans l'état actuel (%(status)s).")
            % {"status": subject.get_status_display()},
            code="transition",
        )


def move(
    workflow: str,
    subject,
    name: str,
    *,
    by,
    organisation=None,
    at: datetime.datetime | None = None,
    comment: str = "",
    fields: tuple[str, ...] = (),
) -> PartnershipTransition:
    """Apply a declared transition of `workflow` to `subject` and log it; refuse a wrong state."""
    transition = WORKFLOWS[workflow][name]
    current = subject.status if subject.pk is not None else ""
    if current not in transition.sources:
        raise TransitionNotAllowed(subject, name)
    subject.status = transition.target
    if subject.pk is None:
        subject.save()
    else:
        subject.save(update_fields=sorted({"status", *fields}))
    return PartnershipTransition.objects.create(
        workflow=workflow,
        **{workflow: subject},
        name=name,
        from_status=current,
        to_status=transition.target,
        at=at or timezone.now(),
        by=by,
        by_organisation=organisation,
        comment=comment,
    )


# Agreements ---------------------------------------------------------------------------------


@transaction.atomic
def create_agreement(
    *, by, organisation=None, partners, directorates, schemes=(), **fields
) -> Agreement:
    """A draft agreement with its parties (at least one partner and one DT)."""
    if not partners:
        raise ValidationError(_("Indiquez au moins un partenaire."))
    if not directorates:
        raise ValidationError(_("Indiquez au moins une DT concernée."))
    agreement = Agreement(status=AgreementStatus.DRAFT, **fields)
    agreement.full_clean(exclude=["status"])
    move("agreement", agreement, "create", by=by, organisation=organisation)
    agreement.partners.set(partners)
    agreement.directorates.set(directorates)
    agreement.schemes.set(schemes)
    return agreement


def log_edit(workflow: str, subject, changed, *, by, organisation=None) -> None:
    """An edit of an object with a workflow, logged next to its state changes (same state
    before and after, the changed fields in the comment); nothing when nothing changed."""
    if not changed:
        return
    PartnershipTransition.objects.create(
        workflow=workflow,
        **{workflow: subject},
        name="edit",
        from_status=subject.status,
        to_status=subject.status,
        at=timezone.now(),
        by=by,
        by_organisation=organisation,
        comment=_("Modifié : %(fields)s") % {"fields": ", ".join(changed)},
    )


def _changed(instance, fields: dict, relations: dict) -> list[str]:
    """The verbose names of the fields whose value differs from `instance`'s."""
    meta = instance._meta
    changed = [
        str(meta.get_field(name).verbose_name)
        for name, value in fields.items()
        if getattr(instance, name) != value
    ]
    changed += [
        str(meta.get_field(name).verbose_name)
        for name, values in relations.items()
        if {v.pk for v in values} != set(getattr(instance, name).values_list("pk", flat=True))
    ]
    return changed


@transaction.atomic
def update_agreement(
    agreement: Agreement, *, by, organisation=None, partners, directorates, schemes=(), **fields
) -> Agreement:
    """Change an agreement's terms and parties (issue 19), logged as an "edit" row."""
    if not partners:
        raise ValidationError(_("Indiquez au moins un partenaire."))
    if not directorates:
        raise ValidationError(_("Indiquez au moins une DT concernée."))
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    relations = {"partners": partners, "directorates": directorates, "schemes": schemes}
    changed = _changed(locked, fields, relations)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    for name, values in relations.items():
        getattr(locked, name).set(values)
    log_edit("agreement", locked, changed, by=by, organisation=organisation)
    return locked


@transaction.atomic
def change_agreement_status(
    agreement: Agreement,
    name: str,
    *,
    by,
    organisation=None,
    signed_on: datetime.date | None = None,
    comment: str = "",
) -> PartnershipTransition:
    """Sign (with its date), start, end or mark renewed; logged."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    fields: tuple[str, ...] = ()
    if name == "sign":
        if signed_on is None:
            raise ValidationError(_("Indiquez la date de signature."))
        agreement.signed_on = signed_on
        fields = ("signed_on",)
    return move(
        "agreement",
        agreement,
        name,
        by=by,
        organisation=organisation,
        comment=comment,
        fields=fields,
    )


@transaction.atomic
def renew_agreement(
    agreement: Agreement, *, by, organisation=None, starts_on, ends_on, ceiling=None
) -> Agreement:
    """A new draft agreement following `agreement`, which becomes "renewed"."""
    old = Agreement.objects.select_for_update().get(pk=agreement.pk)
    move("agreement", old, "renew", by=by, organisation=organisation)
    new = create_agreement(
        by=by,
        organisation=organisation,
        partners=list(old.partners.all()),
        directorates=list(old.directorates.all()),
        schemes=list(old.schemes.all()),
        title=old.title,
        kind=old.kind,
        theme=old.theme,
        purpose=old.purpose,
        starts_on=starts_on,
        ends_on=ends_on,
        ceiling=ceiling if ceiling is not None else old.ceiling,
        renews=old,
    )
    for duty in old.reporting_duties.all():
        recipients = list(duty.recipients.all())
        duty.pk = None
        duty.agreement = new
        duty.save()
        duty.recipients.set(recipients)
    return new


def paid_total(agreement: Agreement) -> Decimal:
    return agreement.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def ceiling_in_force(agreement: Agreement):
    """The ceiling of the agreement as amended (the latest amendment that sets one)."""
    amended = (
        agreement.amendments.exclude(new_ceiling__isnull=True).order_by("-signed_on", "-pk").first()
    )
    return amended.new_ceiling if amended else agreement.ceiling


def remaining_balance(agreement: Agreement):
    ceiling = ceiling_in_force(agreement)
    if ceiling is None:
        return None
    return ceiling - paid_total(agreement)


@transaction.atomic
def add_payment(agreement: Agreement, *, amount, paid_on, label="", by) -> Payment:
    """Record a payment; refused when the payments would exceed the ceiling.

    The agreement row is locked first, so two payments at once cannot both pass the check.
    """
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status == AgreementStatus.DRAFT:
        raise ValidationError(_("Une convention non signée ne donne lieu à aucun versement."))
    if amount is None or amount <= 0:
        raise ValidationError(_("Le montant d'un versement est positif."))
    balance = remaining_balance(agreement)
    if balance is not None and amount > balance:
        raise ValidationError(
            _(
                "Ce versement dépasserait le montant maximal de la convention : il reste "
                "%(balance)s € à verser."
            )
            % {"balance": f"{balance:.2f}"}
        )
    payment = Payment(
        agreement=agreement, amount=amount, paid_on=paid_on, label=label, recorded_by=by
    )
    payment.full_clean()
    payment.save()
    return payment


@transaction.atomic
def add_duty(
    agreement: Agreement, *, report_code, frequency, due_days_after_period, recipients=()
) -> ReportingDuty:
    """A reporting duty of the agreement: which report, how often, to whom (issue 19)."""
    duty = ReportingDuty(
        agreement=agreement,
        report_code=report_code,
        frequency=frequency,
        due_days_after_period=due_days_after_period,
    )
    duty.full_clean()
    duty.save()
    duty.recipients.set(recipients)
    return duty


@transaction.atomic
def add_amendment(agreement: Agreement, **fields) -> Amendment:
    amendment = Amendment(agreement=agreement, **fields)
    amendment.full_clean()
    if amendment.new_ends_on and amendment.new_ends_on < agreement.starts_on:
        raise ValidationError(_("La nouvelle date de fin précède le début de la convention."))
    amendment.save()
    if amendment.new_ends_on:
        agreement.ends_on = amendment.new_ends_on
        agreement.save(update_fields=["ends_on"])
    return amendment


def add_document(*, uploaded, kind, title, by, agreement=None, meeting=None) -> Document:
    """Attach a checked upload (extension, size and content: privacy.uploads)."""
    file_format = check_upload(uploaded, DOCUMENT_KINDS)
    uploaded.seek(0)
    content = uploaded.read()
    return Document.objects.create(
        agreement=agreement,
        meeting=meeting,
        kind=kind,
        title=title,
        filename=(uploaded.name or "document")[-200:],
        file_format=file_format,
        content=content,
        size=len(content),
        uploaded_by=by,
    )


# Calls and applications --------------------------------------------------------------------


@transaction.atomic
def submit_application(
    call, *, applicant, directorate, submitted_on, project="", by, organisation=None
) -> Application:
    """An invited operator's application for one of the call's DTs, by the closing date."""
    if not call.invited.filter(pk=applicant.pk).exists():
        raise ValidationError(_("Cette structure n'a pas été invitée à répondre à cet appel."))
    if not call.directorates.filter(pk=directorate.pk).exists():
        raise ValidationError(_("Cet appel ne concerne pas cette DT."))
    if submitted_on > call.closes_on:
        raise ValidationError(
            _("La date limite de dépôt était le %(date)s.")
            % {"date": call.closes_on.strftime("%d/%m/%Y")}
        )
    application = Application(
        call=call,
        applicant=applicant,
        directorate=directorate,
        submitted_on=submitted_on,
        project=project,
    )
    application.validate_constraints(exclude=["status"])
    move("application", application, "submit", by=by, organisation=organisation)
    return application


@transaction.atomic
def decide_application(
    application: Application,
    *,
    selected: bool,
    score,
    reasons: str,
    decided_on,
    by,
    organisation=None,
) -> Application:
    """Select or not, with reasons and a score out of 100 (issue 19, item 2)."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError(_("Indiquez les motifs de la décision."))
    if score is not None and not 0 <= score <= 100:
        raise ValidationError(_("La note est comprise entre 0 et 100."))
    application.score = score
    application.reasons = reasons
    application.decided_on = decided_on
    try:
        with transaction.atomic():
            move(
                "application",
                application,
                "select" if selected else "reject",
                by=by,
                organisation=organisation,
                comment=reasons,
                fields=("score", "reasons", "decided_on"),
            )
    except IntegrityError as error:
        raise ValidationError(_("Une candidature est déjà retenue pour cette DT.")) from error
    return application


@transaction.atomic
def agreement_from_selection(
    application: Application, *, by, organisation=None, **fields
) -> Agreement:
    """The agreement that follows a selected application: its applicant and DT as parties."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.SELECTED:
        raise ValidationError(_("Seule une candidature retenue donne lieu à une convention."))
    if Agreement.objects.filter(application=application).exists():
        raise ValidationError(_("Une convention a déjà été créée pour cette candidature."))
    return create_agreement(
        by=by,
        organisation=organisation,
        partners=[application.applicant],
        directorates=[application.directorate],
        application=application,
        **fields,
    )


# Actions -------------------------------------------------------------------------------------


@transaction.atomic
def create_action(group, *, title, owner, due_on, meeting=None, by, organisation=None) -> Action:
    if owner.pk != group.chair_id and not group.members.filter(pk=owner.pk).exists():
        raise ValidationError(_("La structure responsable doit être membre du groupe."))
    action = Action(group=group, meeting=meeting, title=title, owner=owner, due_on=due_on)
    action.full_clean(exclude=["status"])
    move("action", action, "create", by=by, organisation=organisation)
    return action


@transaction.atomic
def update_action(action: Action, *, title, owner, due_on, by, organisation=None) -> Action:
    """Change an action's title, owner or due date, logged as an "edit" row."""
    locked = Action.objects.select_for_update().select_related("group").get(pk=action.pk)
    group = locked.group
    if owner.pk != group.chair_id and not group.members.filter(pk=owner.pk).exists():
        raise ValidationError(_("La structure responsable doit être membre du groupe."))
    fields = {"title": title, "owner": owner, "due_on": due_on}
    changed = _changed(locked, fields, {})
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    log_edit("action", locked, changed, by=by, organisation=organisation)
    return locked


# Meetings ------------------------------------------------------------------------------------


def _check_attendees(group, attendees) -> None:
    allowed = {group.chair_id, *group.members.values_list("pk", flat=True)}
    if any(contact.organisation_id not in allowed for contact in attendees):
        raise ValidationError(_("Les participants sont des contacts des membres du groupe."))


@transaction.atomic
def record_meeting(group, *, held_on, agenda, place="", attendees=()) -> Meeting:
    """A meeting of a group, by its managers or its chair organisation (issue 19)."""
    _check_attendees(group, attendees)
    meeting = Meeting(group=group, held_on=held_on, place=place, agenda=agenda)
    meeting.full_clean()
    meeting.save()
    meeting.attendees.set(attendees)
    return meeting


@transaction.atomic
def update_meeting(meeting: Meeting, *, held_on, agenda, place="", attendees=()) -> Meeting:
    _check_attendees(meeting.group, attendees)
    meeting.held_on, meeting.agenda, meeting.place = held_on, agenda, place
    meeting.full_clean()
    meeting.save()
    meeting.attendees.set(attendees)
    return meeting


@transaction.atomic
def complete_action(action: Action, *, by, organisation=None, done_on=None) -> Action:
    action = Action.objects.select_for_update().get(pk=action.pk)
    action.done_on = done_on or timezone.localdate()
    move("action", action, "complete", by=by, organisation=organisation, fields=("done_on",))
    return action


@transaction.atomic
def reopen_action(action: Action, *, by, organisation=None) -> Action:
    action = Action.objects.select_for_update().get(pk=action.pk)
    action.done_on = None
    move("action", action, "reopen", by=by, organisation=organisation, fields=("done_on",))
    return action
