"""Services of the reception day: every write of the app goes through here, in a transaction.

Views, demo steps, tests (and later imports and the API) call the same functions. Bad input
raises django.core.exceptions.ValidationError with a French message (per field when it is
about one field) and writes nothing.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from parcours.core.freshness import figures_changed
from parcours.people import services as people_services
from parcours.people.models import Language, Person
from parcours.people.validators import normalise_ft_identifier
from parcours.reception import facts, rules
from parcours.reception.holidays import public_holiday
from parcours.reception.letters import letter_language_for
from parcours.reception.models import (
    CANCELLATION_REASON_MAX_LENGTH,
    DEFAULT_START_TIMES,
    MAX_PRESENTATION_MINUTES,
    OBSERVED_STATUSES,
    Accompaniment,
    AttendanceStatus,
    CipExperiment,
    CipPresentation,
    Contract,
    Convocation,
    ConvocationTransition,
    DiagnosticInterview,
    EmploymentCheck,
    LanguagePrescription,
    Modality,
    Orientation,
    OrientationTarget,
    PersonAnswer,
    Positioning,
    ReceptionSession,
    ReceptionSettings,
    ReregistrationReason,
    SessionStaff,
    SessionStatus,
)
from parcours.reception.states import TRANSITIONS, transition_to

# Sent after commit when persons are convoked ("convoked"), their session moves ("moved") or
# is cancelled ("cancelled"):
# sender=ReceptionSession, convocation_ids, kind. Messaging listens (issue 18); the reception
# day does not know who listens.
convocations_changed = Signal()


def _announce(kind: str, convocation_ids) -> None:
    ids = list(convocation_ids)
    if ids:
        transaction.on_commit(
            lambda: convocations_changed.send(
                sender=ReceptionSession, convocation_ids=ids, kind=kind
            )
        )


def _day(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _update_situation(person_id, fields, *, actor, reason: str) -> None:
    # Issue 13: the person is written by its own services, which record the history (actor
    # and reason) and bring the CIR's copies in line.
    people_services.update_situation(person_id, fields, actor=actor, reason=reason)


# --------------------------------------------------------------------------------------------
# AGIR: who is to be followed by an AGIR operator
# --------------------------------------------------------------------------------------------

# A referral to an AGIR scheme in one of these states means the operator will follow the person
# (sent and waiting for an answer, accepted, on the waiting list, or already entered).
AGIR_REFERRAL_STATUSES = ("sent", "waitlisted", "accepted", "entered")


@dataclass(frozen=True)
class AgirSource:
    """Why a person is to be followed by AGIR: an orientation or a referral, and its day."""

    kind: str  # "orientation" or "referral"
    day: datetime.date

    def describe(self) -> str:
        if self.kind == "orientation":
            return _("orientée vers AGIR à l'entretien de diagnostic du %(date)s") % {
                "date": _day(self.day)
            }
        return _("orientée vers un dispositif AGIR le %(date)s") % {"date": _day(self.day)}


def agir_source(person_id) -> AgirSource | None:
    """The first reason the person is to be followed by AGIR, if any (two queries at most).

    Seed 001: the experiment leaves out people who « sera[ient] accompagné[s] par l'opérateur
    AGIR »; an AGIR orientation at the diagnostic interview, or an AGIR referral sent or
    accepted, is that decision.
    """
    oriented = (
        Orientation.objects.filter(
            target=OrientationTarget.AGIR, interview__convocation__person_id=person_id
        )
        .order_by("interview__convocation__session_date")
        .values_list("interview__convocation__session_date", flat=True)
        .first()
    )
    if oriented is not None:
        return AgirSource("orientation", oriented)
    # Referrals are a later app that reads the reception day: reached through the registry.
    Referral = apps.get_model("referrals", "Referral")
    referred = (
        Referral.objects.filter(
            person_id=person_id, scheme__kind="agir", status__in=AGIR_REFERRAL_STATUSES
        )
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if referred is not None:
        return AgirSource("referral", timezone.localtime(referred).date())
    return None


def agir_refusal(person: Person) -> str | None:
    """Why the AGIR flag does not fit the person (not a BPI), else None."""
    if rules.orientation_refusal(
        "agir", age=None, is_bpi=person.is_international_protection_beneficiary
    ):
        return _(
            "AGIR est réservé aux bénéficiaires de la protection internationale (réfugiés, "
            "protection subsidiaire, apatrides) : la catégorie de séjour de %(name)s "
            "(« %(status)s ») ne le permet pas."
        ) % {"name": person.display_name, "status": person.get_residence_status_display()}
    return None


# --------------------------------------------------------------------------------------------
# Sessions and staff
# --------------------------------------------------------------------------------------------


def _check_slot_free(directorate_id, day, half_day, place, *, exclude_pk=None) -> None:
    clash = ReceptionSession.objects.filter(
        directorate_id=directorate_id, date=day, half_day=half_day, place=place
    )
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            _(
                "Une session a déjà lieu le %(date)s à cette demi-journée dans la salle "
                "« %(place)s »."
            )
            % {"date": _day(day), "place": place},
            code="slot_taken",
        )


def check_not_a_holiday(directorate, day: datetime.date, *, confirmed: bool) -> None:
    """Ask for a confirmation before planning a session on a public holiday (issue 15)."""
    if confirmed:
        return
    holiday = public_holiday(day, directorate.department_codes)
    if holiday is None:
        return
    if holiday.departments:
        where = _(" dans le(s) département(s) %(codes)s") % {
            "codes": ", ".join(holiday.departments)
        }
    else:
        where = ""
    raise ValidationError(
        {
            "confirm_holiday": _(
                "Le %(date)s est un jour férié%(where)s (%(name)s). Cochez « Planifier un "
                "jour férié » pour confirmer."
            )
            % {"date": _day(day), "where": where, "name": holiday.name}
        },
        code="holiday",
    )


def set_staff(session: ReceptionSession, staff: Mapping[str, Iterable]) -> None:
    """Make the session's staff of each given role exactly the given users."""
    for role, users in staff.items():
        wanted = {user.pk for user in users}
        session.staff.filter(role=role).exclude(user_id__in=wanted).delete()
        present = set(session.staff.filter(role=role).values_list("user_id", flat=True))
        SessionStaff.objects.bulk_create(
            SessionStaff(session=session, user_id=user_id, role=role)
            for user_id in sorted(wanted - present)
        )


@transaction.atomic
def plan_session(
    directorate,
    *,
    date: datetime.date,
    half_day: str,
    place: str,
    address: str = "",
    capacity: int | None = None,
    start_time: datetime.time | None = None,
    staff: Mapping[str, Iterable] | None = None,
    actor=None,
    holiday_confirmed: bool = False,
) -> ReceptionSession:
    """Plan a PFA session; the address defaults to the directorate's, the time to the half-day's.

    A public holiday in one of the directorate's départements asks for `holiday_confirmed`.
    """
    address = (address or directorate.address).strip()
    if not address:
        raise ValidationError(
            {"address": _("Indiquez l'adresse imprimée sur les convocations.")}, code="no_address"
        )
    _check_slot_free(directorate.pk, date, half_day, place)
    check_not_a_holiday(directorate, date, confirmed=holiday_confirmed)
    session = ReceptionSession(
        directorate=directorate,
        date=date,
        half_day=half_day,
        place=place,
        address=address,
        start_time=start_time or DEFAULT_START_TIMES[half_day],
        created_by=actor,
    )
    if capacity is not None:
        session.capacity = capacity
    session.full_clean(exclude=["directorate", "created_by"])
    session.save()
    set_staff(session, staff or {})
    return session


@transaction.atomic
def update_session(
    session: ReceptionSession,
    *,
    date: datetime.date,
    half_day: str,
    place: str,
    address: str,
    capacity: int,
    start_time: datetime.time,
    staff: Mapping[str, Iterable] | None = None,
    holiday_confirmed: bool = False,
) -> ReceptionSession:
    """Change a session; never below the seats already taken, never once attendance is taken.

    Moving it to a public holiday asks for `holiday_confirmed`, as planning does.
    """
    locked = ReceptionSession.objects.select_for_update().get(pk=session.pk)
    _check_not_cancelled(locked)
    taken = locked.convocations.holding_a_seat().count()
    if capacity < taken:
        raise ValidationError(
            {
                "capacity": _(
                    "%(taken)s personnes sont déjà convoquées : la session ne peut pas avoir "
                    "moins de places."
                )
                % {"taken": taken}
            },
            code="below_taken",
        )
    date_changed = date != locked.date
    if date_changed and locked.convocations.exclude(status=AttendanceStatus.PENDING).exists():
        raise ValidationError(
            {"date": _("La présence a déjà été pointée : la date ne peut plus changer.")},
            code="date_locked",
        )
    _check_slot_free(locked.directorate_id, date, half_day, place, exclude_pk=locked.pk)
    if date_changed:
        check_not_a_holiday(locked.directorate, date, confirmed=holiday_confirmed)
    before = (locked.date, locked.start_time, " ".join(locked.address.split()))
    locked.date, locked.half_day, locked.place = date, half_day, place
    locked.address, locked.capacity, locked.start_time = address.strip(), capacity, start_time
    locked.full_clean(exclude=["directorate", "created_by"])
    locked.save()
    if date_changed:
        for convocation in locked.convocations.select_related("person"):
            convocation.age_at_event = rules.age_on(convocation.person.birth_date, date)
            convocation.save(update_fields=["age_at_event", "updated_at"])
        facts.follow_session_date(locked.pk, date)
    if before != (locked.date, locked.start_time, " ".join(locked.address.split())):
        _announce("moved", locked.convocations.holding_a_seat().values_list("pk", flat=True))
    if staff is not None:
        set_staff(locked, staff)
    return locked


def _check_not_cancelled(session: ReceptionSession) -> None:
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(
            _("Cette session est annulée : elle ne peut plus changer ni recevoir de convocation."),
            code="session_cancelled",
        )


@transaction.atomic
def cancel_session(session: ReceptionSession, *, actor, reason: str) -> list[Convocation]:
    """Cancel a session before attendance is taken (issue 18); returns the convocations freed.

    Every convocation holding a seat (convoked, or excused by the person's answer) moves
    through the declared transition "cancel" (states.py), logged with the reason: the person
    lands on the DT's list « à reconvoquer » and the seats are freed. Refused, writing
    nothing, once a presence or an absence is recorded, or when the session is already
    cancelled. Messaging hears "cancelled" after commit and tells the persons.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif de l'annulation.")}, code="no_reason")
    if len(reason) > CANCELLATION_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("Le motif tient en %(max)s caractères au plus.")
                % {"max": CANCELLATION_REASON_MAX_LENGTH}
            },
            code="reason_too_long",
        )
    locked = ReceptionSession.objects.select_for_update().get(pk=session.pk)
    _check_not_cancelled(locked)
    convocations = list(
        Convocation.objects.select_for_update().filter(session=locked).order_by("pk")
    )
    if any(c.status in OBSERVED_STATUSES for c in convocations):
        raise ValidationError(
            _(
                "La présence a déjà été pointée pour cette session : elle ne peut plus être "
                "annulée."
            ),
            code="attendance_taken",
        )
    locked.status = SessionStatus.CANCELLED
    locked.cancelled_at = timezone.now()
    locked.cancelled_by = actor
    locked.cancellation_reason = reason
    locked.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancellation_reason"])
    freed = [c for c in convocations if c.status in TRANSITIONS["cancel"].sources]
    for convocation in freed:
        _move(
            convocation,
            "cancel",
            actor=actor,
            reason=_("Session annulée : %(reason)s") % {"reason": reason},
        )
    _announce("cancelled", [c.pk for c in freed])
    session.status, session.cancelled_at = locked.status, locked.cancelled_at
    session.cancelled_by, session.cancellation_reason = actor, reason
    return freed


# --------------------------------------------------------------------------------------------
# Convocations and attendance
# --------------------------------------------------------------------------------------------


def _move(convocation: Convocation, name: str, *, actor, reason: str = "") -> None:
    """Apply a declared attendance transition (states.TRANSITIONS) and log it."""
    transition = TRANSITIONS[name]
    if convocation.status not in transition.sources:
        raise ValidationError(
            _("La convocation est « %(current)s » : elle ne peut plus passer à « %(wanted)s ».")
            % {
                "current": convocation.get_status_display(),
                "wanted": AttendanceStatus(transition.target).label,
            },
            code="transition_refused",
        )
    previous = convocation.status
    convocation.status = transition.target
    convocation.save(update_fields=["status", "rescheduled_to", "updated_at"])
    ConvocationTransition.objects.create(
        convocation=convocation,
        name=name,
        from_status=previous,
        to_status=transition.target,
        actor=actor,
        reason=reason[:200],
    )


@transaction.atomic
def convoke_many(session: ReceptionSession, persons: Iterable[Person], *, actor) -> list:
    """Convoke persons to a session, all or none.

    Refused: a person of another directorate, a person already convoked to the session, more
    persons than seats left. The seat count is read under a lock on the session row, so two
    agents filling the last seat at once cannot both succeed.
    """
    persons = list(persons)
    locked = ReceptionSession.objects.select_for_update().get(pk=session.pk)
    _check_not_cancelled(locked)
    errors = []
    seen = set()
    for person in persons:
        if person.pk in seen:
            errors.append(
                _("%(name)s figure deux fois dans la liste.") % {"name": person.display_name}
            )
        seen.add(person.pk)
        if person.directorate_id != locked.directorate_id:
            errors.append(
                _("%(name)s ne relève pas de %(dt)s : convocation impossible.")
                % {"name": person.display_name, "dt": locked.directorate}
            )
    already = Convocation.objects.filter(session=locked, person_id__in=seen).select_related(
        "person"
    )
    errors.extend(
        _("%(name)s est déjà convoqué(e) à cette session.") % {"name": c.person.display_name}
        for c in already
    )
    taken = locked.convocations.holding_a_seat().count()
    if taken + len(seen) > locked.capacity:
        errors.append(
            _(
                "La session est complète : %(capacity)s places, %(taken)s déjà prises, "
                "%(asked)s demandée(s)."
            )
            % {"capacity": locked.capacity, "taken": taken, "asked": len(seen)}
        )
    if errors:
        raise ValidationError(errors, code="convocation_refused")
    spoken: dict[int, list[str]] = {}
    for person_id, code in Person.languages.through.objects.filter(person_id__in=seen).values_list(
        "person_id", "language__code"
    ):
        spoken.setdefault(person_id, []).append(code)
    interpreter_codes = dict(
        Language.objects.filter(pk__in={p.interpreter_language_id for p in persons}).values_list(
            "pk", "code"
        )
    )
    convocations = [
        Convocation(
            session=locked,
            person=person,
            letter_language=letter_language_for(
                spoken.get(person.pk, []), interpreter_codes.get(person.interpreter_language_id, "")
            ),
            age_at_event=rules.age_on(person.birth_date, locked.date),
            created_by=actor,
        )
        for person in persons
    ]
    for convocation in convocations:
        convocation.fill_facts()  # bulk_create skips save() (ADR 0007)
    Convocation.objects.bulk_create(convocations)
    # bulk_create sends no signal (core/freshness.py); the convocations are the session's DT's.
    figures_changed(directorates=[locked.directorate_id])
    ConvocationTransition.objects.bulk_create(
        ConvocationTransition(
            convocation=c,
            name="convoke",
            from_status="",
            to_status=TRANSITIONS["convoke"].target,
            actor=actor,
        )
        for c in convocations
    )
    _announce("convoked", [c.pk for c in convocations])
    return convocations


def convoke(session: ReceptionSession, person: Person, *, actor) -> Convocation:
    """Convoke one person (see convoke_many for what is refused)."""
    return convoke_many(session, [person], actor=actor)[0]


def _has_steps(convocation: Convocation) -> bool:
    return any(
        model.objects.filter(convocation=convocation).exists()
        for model in (
            Positioning,
            DiagnosticInterview,
            Contract,
            LanguagePrescription,
            EmploymentCheck,
        )
    )


@transaction.atomic
def record_attendance(
    convocation: Convocation,
    status: str,
    *,
    actor,
    rescheduled_to: ReceptionSession | None = None,
    reason: str = "",
    today: datetime.date | None = None,
) -> Convocation:
    """Move a convocation to another attendance state, logging the transition.

    Present or absent only from the session's day on; leaving "present" is refused once a step
    of the day is recorded; "rescheduled" convokes the person to the chosen session (which must
    be of the same directorate, still to come, with a seat left) and is final.
    """
    today = today or timezone.localdate()
    locked = (
        Convocation.objects.select_for_update()
        .select_related("session", "person")
        .get(pk=convocation.pk)
    )
    # « Session annulée » is the session's cancellation (cancel_session), not a presence.
    if status not in AttendanceStatus.values or status == AttendanceStatus.CANCELLED:
        raise ValidationError({"status": _("Choisissez un état de présence de la liste.")})
    if status == locked.status:
        return locked
    transition = transition_to(locked.status, status)
    if transition is None:
        raise ValidationError(
            _("La convocation est « %(current)s » : elle ne peut plus passer à « %(wanted)s ».")
            % {
                "current": locked.get_status_display(),
                "wanted": AttendanceStatus(status).label,
            },
            code="transition_refused",
        )
    if status in OBSERVED_STATUSES and locked.session.date > today:
        raise ValidationError(
            _(
                "La session du %(date)s n'a pas encore eu lieu : la présence se pointe le jour "
                "même ou après."
            )
            % {"date": _day(locked.session.date)},
            code="not_yet",
        )
    if locked.status == AttendanceStatus.PRESENT and _has_steps(locked):
        raise ValidationError(
            _(
                "Des étapes de la journée sont déjà enregistrées pour %(name)s : sa présence "
                "ne peut plus être retirée."
            )
            % {"name": locked.person.display_name},
            code="steps_recorded",
        )
    if status == AttendanceStatus.RESCHEDULED:
        _reschedule(locked, rescheduled_to, actor=actor, today=today)
    _move(locked, transition.name, actor=actor, reason=reason)
    return locked


@transaction.atomic
def record_roll_call(
    session: ReceptionSession,
    *,
    absent_ids: Iterable[int] = (),
    actor,
    today: datetime.date | None = None,
) -> dict[str, int]:
    """« Tous présents » (issue 16): every person still « convoqué » is marked present, except
    those named, marked absent; all or nothing.

    Each convocation moves through record_attendance, so the same refusals hold (not before
    the session's day) and every move is a logged transition. Persons already pointed keep
    their state. Returns how many were marked present and absent.
    """
    absent = {int(pk) for pk in absent_ids}
    pending = list(
        Convocation.objects.filter(session=session, status=AttendanceStatus.PENDING).order_by("pk")
    )
    unknown = absent - {c.pk for c in pending}
    if unknown:
        raise ValidationError(
            _(
                "Une exception ne fait pas partie des personnes encore à pointer : "
                "rechargez la page."
            ),
            code="unknown_exception",
        )
    done = {AttendanceStatus.PRESENT: 0, AttendanceStatus.ABSENT: 0}
    for convocation in pending:
        status = AttendanceStatus.ABSENT if convocation.pk in absent else AttendanceStatus.PRESENT
        record_attendance(convocation, status, actor=actor, today=today)
        done[status] += 1
    return {"present": done[AttendanceStatus.PRESENT], "absent": done[AttendanceStatus.ABSENT]}


def _reschedule(convocation, target, *, actor, today) -> None:
    if target is None:
        raise ValidationError(
            {"rescheduled_to": _("Choisissez la session à laquelle reporter la convocation.")}
        )
    if target.pk == convocation.session_id or target.directorate_id != (
        convocation.session.directorate_id
    ):
        raise ValidationError({"rescheduled_to": _("Choisissez une autre session de la même DT.")})
    if target.date < today:
        raise ValidationError(
            {"rescheduled_to": _("Cette session est passée : choisissez une session à venir.")}
        )
    try:
        convoke(target, convocation.person, actor=actor)
    except ValidationError as error:
        raise ValidationError({"rescheduled_to": error.messages}) from error
    convocation.rescheduled_to = target


# --------------------------------------------------------------------------------------------
# Steps of the day, for a person present
# --------------------------------------------------------------------------------------------


def _present(convocation: Convocation) -> Convocation:
    """The convocation, locked, if the person is present; a clear refusal otherwise."""
    locked = (
        Convocation.objects.select_for_update()
        .select_related("session", "session__directorate", "person")
        .get(pk=convocation.pk)
    )
    if locked.status == AttendanceStatus.RESCHEDULED:
        raise ValidationError(
            _(
                "%(name)s n'est plus convoqué(e) à cette session : sa convocation a été "
                "reportée au %(date)s."
            )
            % {"name": locked.person.display_name, "date": _day(locked.rescheduled_to.date)},
            code="not_convoked",
        )
    if locked.status != AttendanceStatus.PRESENT:
        raise ValidationError(
            _(
                "%(name)s n'est pas pointé(e) présent(e) à cette session : marquez la présence "
                "avant de saisir cette étape."
            )
            % {"name": locked.person.display_name},
            code="not_present",
        )
    return locked


@transaction.atomic
def record_positioning(
    convocation: Convocation,
    *,
    written_level: str,
    oral_level: str,
    can_read: bool,
    little_schooling: bool = False,
    actor,
) -> Positioning:
    """Record the provider's written and oral results; the level is the lower of the two."""
    locked = _present(convocation)
    if LanguagePrescription.objects.filter(convocation=locked).exists():
        raise ValidationError(
            _(
                "Une décision de formation linguistique a déjà été prise sur ce positionnement : "
                "il ne peut plus être modifié."
            ),
            code="prescription_decided",
        )
    level = rules.resulting_level(written_level, oral_level)
    positioning, _created = Positioning.objects.update_or_create(
        convocation=locked,
        defaults={
            "written_level": written_level,
            "oral_level": oral_level,
            "level": level,
            "can_read": can_read,
            "little_schooling": little_schooling,
            "recorded_by": actor,
        },
    )
    person = locked.person
    if person.language_level_date is None or person.language_level_date <= locked.session.date:
        _update_situation(
            person.pk,
            {"language_level": level, "language_level_date": locked.session.date},
            actor=actor,
            reason=_("Positionnement linguistique du %(date)s")
            % {"date": _day(locked.session.date)},
        )
    return positioning


@transaction.atomic
def record_interview(
    convocation: Convocation,
    *,
    employment_status: str,
    accommodation: str,
    needs: Iterable[str] = (),
    orientations: Iterable[str] = (),
    actor,
) -> DiagnosticInterview:
    """Record the diagnostic interview: situation, needs and the orientations decided.

    Orientations that do not fit the person are refused (rules.orientation_refusal: AGIR for
    beneficiaries of international protection, Epide 17-25, Mission locale 16-25).
    """
    locked = _present(convocation)
    person = locked.person
    needs, orientations = set(needs), set(orientations)
    unknown_needs = needs - set(DiagnosticInterview.NEED_FIELDS)
    if unknown_needs:
        raise ValidationError({"needs": _("Choisissez les besoins dans la liste.")})
    age = rules.age_on(person.birth_date, locked.session.date)
    problems = []
    for target in sorted(orientations):
        refusal = rules.orientation_refusal(
            target, age=age, is_bpi=person.is_international_protection_beneficiary
        )
        if refusal == "agir_needs_bpi":
            problems.append(
                _(
                    "AGIR est réservé aux bénéficiaires de la protection internationale ; "
                    "la catégorie de séjour de %(name)s ne le permet pas."
                )
                % {"name": person.display_name}
            )
        elif refusal == "age":
            low, high = rules.AGE_LIMITED_ORIENTATIONS[target]
            problems.append(
                _(
                    "%(target)s accueille les personnes de %(low)s à %(high)s ans ; "
                    "%(name)s a %(age)s ans."
                )
                % {
                    "target": Orientation(target=target).get_target_display(),
                    "low": low,
                    "high": high,
                    "name": person.display_name,
                    "age": age,
                }
            )
    if problems:
        raise ValidationError({"orientations": problems}, code="orientation_refused")
    interview, _created = DiagnosticInterview.objects.update_or_create(
        convocation=locked,
        defaults={
            "auditor": actor,
            "employment_status": employment_status,
            "accommodation": accommodation,
            **{name: name in needs for name in DiagnosticInterview.NEED_FIELDS},
        },
    )
    existing = set(interview.orientations.values_list("target", flat=True))
    interview.orientations.exclude(target__in=orientations).delete()
    Orientation.objects.bulk_create(
        Orientation(interview=interview, target=target)
        for target in sorted(orientations - existing)
    )
    person_fields = {"employment_status": employment_status}
    if OrientationTarget.AGIR in orientations:
        # The CIP interview of the same day then sees the person as to be followed by AGIR.
        person_fields["agir_followed"] = True
    elif OrientationTarget.AGIR in existing and agir_source(person.pk) is None:
        # A corrected interview takes back the orientation, and nothing else sends them there.
        person_fields["agir_followed"] = False
    _update_situation(
        person.pk,
        person_fields,
        actor=actor,
        reason=_("Entretien de diagnostic du %(date)s") % {"date": _day(locked.session.date)},
    )
    return interview


@transaction.atomic
def sign_contract(
    convocation: Convocation,
    *,
    signed_on: datetime.date,
    civic_training_date: datetime.date | None = None,
    civic_training_place: str = "",
    actor,
) -> Contract:
    """Record the CIR signed at this session, with the first civic training session."""
    locked = _present(convocation)
    day = locked.session.date
    if signed_on != day:
        raise ValidationError(
            {
                "signed_on": _(
                    "Le CIR se signe pendant la session : la date doit être celle de la "
                    "session (%(date)s)."
                )
                % {"date": _day(day)}
            },
            code="outside_session",
        )
    if civic_training_date is not None and civic_training_date <= signed_on:
        raise ValidationError(
            {
                "civic_training_date": _(
                    "La formation civique commence après la signature du CIR (%(date)s)."
                )
                % {"date": _day(signed_on)}
            }
        )
    existing = Contract.objects.filter(person=locked.person).first()
    if existing is not None and existing.convocation_id != locked.pk:
        raise ValidationError(
            _("%(name)s a déjà signé un CIR le %(date)s.")
            % {"name": locked.person.display_name, "date": _day(existing.signed_on)},
            code="already_signed",
        )
    contract, _created = Contract.objects.update_or_create(
        person=locked.person,
        defaults={
            "convocation": locked,
            "signed_on": signed_on,
            "civic_training_date": civic_training_date,
            "civic_training_place": civic_training_place.strip(),
            "signed_by": actor,
            "age_at_event": rules.age_on(locked.person.birth_date, signed_on),
        },
    )
    return contract


def proposed_prescription(convocation: Convocation) -> rules.Prescription | None:
    """What the rule in force on the session's day decides for this positioning, if any."""
    positioning = Positioning.objects.filter(convocation=convocation).first()
    if positioning is None:
        return None
    try:
        return _prescribe(positioning, convocation.session.date)
    except rules.NoRuleInForce:
        return None


def _prescribe(positioning: Positioning, day: datetime.date) -> rules.Prescription:
    return rules.prescribe(
        positioning.written_level,
        positioning.oral_level,
        day,
        can_read=positioning.can_read,
        little_schooling=positioning.little_schooling,
    )


def _modality_label(value: str) -> str:
    return str(Modality(value).label)


@transaction.atomic
def decide_prescription(
    convocation: Convocation,
    *,
    answer: str = "",
    modality: str = "",
    pace: str = "",
    override_reason: str = "",
    actor,
) -> LanguagePrescription:
    """Store the language training decision of the rule in force on the interview day.

    The rule gives the offer and its modality (rules.prescribe); the auditor may choose the
    other modality the version offers, saying why, and chooses the pace of an in-person course
    when the version has paces. The decision keeps the rule version's code, the modality
    proposed and the one decided, so a past decision can be explained after the rules change
    (DESIGN.md, "Rules are dated data").
    """
    locked = _present(convocation)
    positioning = Positioning.objects.filter(convocation=locked).first()
    if positioning is None:
        raise ValidationError(
            _("Saisissez d'abord le positionnement linguistique : la décision en découle."),
            code="no_positioning",
        )
    try:
        decision = _prescribe(positioning, locked.session.date)
    except rules.NoRuleInForce as error:
        raise ValidationError(
            _("Aucune règle de prescription n'était en vigueur le %(date)s.")
            % {"date": _day(locked.session.date)}
        ) from error
    rule = rules.rule_version(decision.rule_version)
    override_reason = override_reason.strip()
    hours = decision.hours
    errors = {}
    if not decision.training:
        answer, modality, pace, override_reason = "", "", "", ""
    else:
        modality = modality or decision.modality
        if modality not in rule.modalities:
            errors["modality"] = _("La règle %(rule)s ne propose que : %(offered)s.") % {
                "rule": rule.code,
                "offered": ", ".join(_modality_label(m) for m in rule.modalities),
            }
        elif modality != decision.modality:
            if not override_reason:
                errors["override_reason"] = _(
                    "La règle propose une formation %(proposed)s : indiquez pourquoi vous "
                    "choisissez une autre modalité."
                ) % {"proposed": _modality_label(decision.modality).lower()}
        else:
            override_reason = ""
        if "modality" not in errors:
            hours = rule.hours_for(modality, score=decision.score, can_read=decision.can_read)
        if modality == rules.Modality.IN_PERSON and rule.paces:
            if pace not in rule.paces:
                errors["pace"] = _("Choisissez le rythme de la formation en présentiel.")
        elif pace:
            errors["pace"] = _("Le rythme ne se choisit que pour une formation en présentiel.")
        if decision.proposed and answer not in PersonAnswer.values:
            errors["answer"] = _("Indiquez si la personne accepte ou refuse la formation proposée.")
        if not decision.proposed:
            answer = ""
    if errors:
        raise ValidationError(errors)
    prescription, _created = LanguagePrescription.objects.update_or_create(
        convocation=locked,
        defaults={
            "person": locked.person,
            "decided_on": locked.session.date,
            "rule_version": decision.rule_version,
            "level": decision.level,
            "target_level": decision.target,
            "hours": hours,
            "kind": decision.kind,
            "proposed_modality": decision.modality,
            "modality": modality,
            "modality_override_reason": override_reason[:200],
            "pace": pace,
            "answer": answer,
            "decided_by": actor,
        },
    )
    return prescription


# --------------------------------------------------------------------------------------------
# The CIP interview (Metz experiment)
# --------------------------------------------------------------------------------------------


def experiment_open(session: ReceptionSession) -> bool:
    """Whether the session's day falls in a CIP experiment of its directorate (seed 001)."""
    periods = CipExperiment.objects.filter(directorate_id=session.directorate_id).values_list(
        "starts_on", "ends_on"
    )
    return rules.experiment_open_on(session.date, periods)


def check_experiment_open(session: ReceptionSession) -> None:
    """Refuse CIP records for a session outside the directorate's experiment periods."""
    if not experiment_open(session):
        raise ValidationError(
            _(
                "Le %(date)s est en dehors de l'expérimentation CIP de %(dt)s : l'entretien "
                "CIP ne peut pas être enregistré pour cette session."
            )
            % {"date": _day(session.date), "dt": session.directorate},
            code="outside_experiment",
        )


@transaction.atomic
def record_cip_presentation(
    session: ReceptionSession,
    *,
    started_at: datetime.time,
    attendees: int,
    duration_minutes: int,
    actor,
) -> CipPresentation:
    """Record the CIP's collective presentation: who, when, how many people, how long."""
    locked = (
        ReceptionSession.objects.select_for_update()
        .select_related("directorate")
        .get(pk=session.pk)
    )
    check_experiment_open(locked)
    errors = {}
    if not 1 <= duration_minutes <= MAX_PRESENTATION_MINUTES:
        errors["duration_minutes"] = _(
            "La présentation collective dure %(max)s minutes au plus (cadre de "
            "l'expérimentation) : saisissez une durée de 1 à %(max)s minutes."
        ) % {"max": MAX_PRESENTATION_MINUTES}
    convoked = locked.convocations.holding_a_seat().count()
    if attendees > convoked:
        errors["attendees"] = _(
            "%(count)s personnes sont convoquées à cette session : il ne peut pas y avoir plus "
            "de participants."
        ) % {"count": convoked}
    if errors:
        raise ValidationError(errors)
    presentation, _created = CipPresentation.objects.update_or_create(
        session=locked,
        defaults={
            "counsellor": actor,
            "started_at": started_at,
            "attendees": attendees,
            "duration_minutes": duration_minutes,
        },
    )
    return presentation


@transaction.atomic
def record_employment_check(
    convocation: Convocation,
    *,
    situation: str,
    already_ft: bool = False,
    rsa_recipient: bool = False,
    agir_followed: bool = False,
    registered_today: bool = False,
    reregistration_reason: str = "",
    ft_identifier: str = "",
    ft_registration_date: datetime.date | None = None,
    first_appointment_date: datetime.date | None = None,
    actor,
) -> EmploymentCheck:
    """Record the CIP interview of a person present and update their situation.

    Scope comes from rules.in_experiment_scope; a registration made during the interview needs
    a well-formed France Travail identifier and is dated the session's day. A person oriented
    to AGIR (agir_source) stays "followed by AGIR" and is not registered on the spot; the AGIR
    flag is refused outside the international-protection categories; registering a person
    already recorded as registered asks for the reason. The person record gets the situation,
    RSA, AGIR and France Travail registration seen by the CIP.
    """
    locked = _present(convocation)
    session = locked.session
    person = locked.person
    check_experiment_open(session)
    errors = {}
    source = agir_source(person.pk)
    if agir_followed or source is not None:
        refusal = agir_refusal(person)
        if refusal:
            errors["agir_followed"] = refusal
    if source is not None and not agir_followed and "agir_followed" not in errors:
        errors["agir_followed"] = _(
            "%(name)s est %(source)s : la case « suivie par un opérateur AGIR » reste cochée "
            "(l'auditeur corrige l'orientation s'il s'agit d'une erreur)."
        ) % {"name": person.display_name, "source": source.describe()}
    previous = EmploymentCheck.objects.filter(convocation=locked).first()
    registered_before = person.ft_registered and not (previous and previous.registered_today)
    identifier = ""
    if ft_identifier:
        try:
            identifier = normalise_ft_identifier(ft_identifier)
        except ValidationError as error:
            errors["ft_identifier"] = error.messages
    if registered_today:
        if source is not None:
            errors["registered_today"] = _(
                "%(name)s est %(source)s : l'opérateur AGIR l'accompagnera, le CIP ne "
                "l'inscrit pas à France Travail pendant l'entretien."
            ) % {"name": person.display_name, "source": source.describe()}
        elif not rules.needs_ft_registration(
            situation,
            already_ft=already_ft,
            rsa_recipient=rsa_recipient,
            agir_followed=agir_followed,
        ):
            errors["registered_today"] = _(
                "Cette personne n'est pas à inscrire pendant l'entretien : elle est déjà "
                "inscrite à France Travail, allocataire du RSA, suivie par AGIR, ou n'est pas "
                "concernée (en emploi, en formation professionnelle, étudiante)."
            )
        if not ft_identifier:
            errors["ft_identifier"] = _(
                "Saisissez l'identifiant France Travail obtenu à l'inscription."
            )
        if registered_before and reregistration_reason not in ReregistrationReason.values:
            errors["reregistration_reason"] = _(
                "%(name)s est déjà enregistré(e) comme inscrit(e) à France Travail%(since)s : "
                "indiquez pourquoi vous l'inscrivez de nouveau (radiation, autre motif)."
            ) % {
                "name": person.display_name,
                "since": _(" depuis le %(date)s") % {"date": _day(person.ft_registration_date)}
                if person.ft_registration_date
                else "",
            }
        if ft_registration_date is None:
            ft_registration_date = session.date
        elif ft_registration_date != session.date:
            errors["ft_registration_date"] = _(
                "Une inscription faite pendant l'entretien date du jour de la session (%(date)s)."
            ) % {"date": _day(session.date)}
    else:
        if reregistration_reason:
            errors["reregistration_reason"] = _(
                "Le motif d'une nouvelle inscription ne se saisit que pour une inscription "
                "faite pendant l'entretien."
            )
        if ft_registration_date is not None:
            errors["ft_registration_date"] = _(
                "La date d'inscription ne se saisit que pour une inscription faite pendant "
                "l'entretien."
            )
        if ft_identifier and not already_ft:
            errors["ft_identifier"] = _(
                "Cochez « déjà inscrit » ou « inscrit pendant l'entretien » pour saisir un "
                "identifiant France Travail."
            )
    if first_appointment_date is not None and first_appointment_date < session.date:
        errors["first_appointment_date"] = _(
            "Le premier rendez-vous France Travail ne peut pas précéder la session (%(date)s)."
        ) % {"date": _day(session.date)}
    if errors:
        raise ValidationError(errors)
    check, _created = EmploymentCheck.objects.update_or_create(
        convocation=locked,
        defaults={
            "counsellor": actor,
            "situation": situation,
            "in_scope": rules.in_experiment_scope(situation),
            "already_ft": already_ft,
            "rsa_recipient": rsa_recipient,
            "agir_followed": agir_followed,
            "registered_today": registered_today,
            "reregistration_reason": reregistration_reason if registered_before else "",
            "ft_identifier": identifier,
            "ft_registration_date": ft_registration_date if registered_today else None,
            "first_appointment_date": first_appointment_date,
            "age_at_event": rules.age_on(locked.person.birth_date, session.date),
        },
    )
    person_fields = {
        "employment_status": situation,
        "rsa_recipient": rsa_recipient,
        "agir_followed": agir_followed,
    }
    if registered_today:
        person_fields.update(
            ft_registered=True, ft_identifier=identifier, ft_registration_date=session.date
        )
    elif already_ft:
        person_fields["ft_registered"] = True
        if identifier:
            person_fields["ft_identifier"] = identifier
    _update_situation(
        locked.person_id,
        person_fields,
        actor=actor,
        reason=_("Entretien CIP du %(date)s") % {"date": _day(session.date)},
    )
    return check


@transaction.atomic
def record_ft_follow_up(
    check: EmploymentCheck,
    *,
    first_appointment_date: datetime.date | None,
    accompaniment: str,
    accompaniment_date: datetime.date | None = None,
    today: datetime.date | None = None,
) -> EmploymentCheck:
    """Record the first France Travail appointment and whether the CIP accompanied the person."""
    today = today or timezone.localdate()
    locked = (
        EmploymentCheck.objects.select_for_update()
        .select_related("convocation__session", "person")
        .get(pk=check.pk)
    )
    session_day = locked.convocation.session.date
    errors = {}
    if first_appointment_date is not None and first_appointment_date < session_day:
        errors["first_appointment_date"] = _(
            "Le premier rendez-vous France Travail ne peut pas précéder la session (%(date)s)."
        ) % {"date": _day(session_day)}
    if accompaniment not in Accompaniment.values:
        errors["accompaniment"] = _("Choisissez une réponse de la liste.")
    elif accompaniment != Accompaniment.UNKNOWN and first_appointment_date is None:
        errors["first_appointment_date"] = _(
            "Indiquez la date du premier rendez-vous avant son accompagnement."
        )
    if accompaniment == Accompaniment.DONE:
        if accompaniment_date is None:
            errors["accompaniment_date"] = _("Indiquez la date de l'accompagnement réalisé.")
        elif not session_day <= accompaniment_date <= today:
            errors["accompaniment_date"] = _(
                "L'accompagnement a lieu entre la session (%(date)s) et aujourd'hui."
            ) % {"date": _day(session_day)}
    elif accompaniment_date is not None:
        errors["accompaniment_date"] = _("La date ne se saisit que pour un accompagnement réalisé.")
    if errors:
        raise ValidationError(errors)
    locked.first_appointment_date = first_appointment_date
    locked.accompaniment = accompaniment
    locked.accompaniment_date = accompaniment_date
    # Frozen at the accompaniment (issue 13): the figures read this age, never the birth date.
    locked.age_at_accompaniment = (
        rules.age_on(locked.person.birth_date, accompaniment_date) if accompaniment_date else None
    )
    locked.save(
        update_fields=[
            "first_appointment_date",
            "accompaniment",
            "accompaniment_date",
            "age_at_accompaniment",
            "recorded_at",
        ]
    )
    return locked


# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------


@transaction.atomic
def set_ft_registration_delay(directorate_id, days: int) -> ReceptionSettings:
    """Set the number of days after the CIR beyond which a missing FT registration is listed."""
    if not 1 <= days <= 365:
        raise ValidationError(
            {"ft_registration_delay_days": _("Choisissez un délai de 1 à 365 jours.")}
        )
    settings, _created = ReceptionSettings.objects.update_or_create(
        directorate_id=directorate_id, defaults={"ft_registration_delay_days": days}
    )
    return settings
