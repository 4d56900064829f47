"""The one writer of professional profiles, employers and positions (issue 20, ADR 0019).

A profile is written whole (fields, occupations, qualifications) in one transaction, and each
change is a history row with its actor and reason, as the person services do (ADR 0013). A
position is created with its referral target: a Scheme of kind « poste » carried by the
partner that follows the employer, so that referrals, consent and seats are the referral
workflow's (referrals.services), unchanged.
"""

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.employment.models import (
    Employer,
    Occupation,
    OccupationKind,
    Position,
    ProfessionalProfile,
    ProfileOccupation,
    Qualification,
)
from parcours.people.models import Person
from parcours.privacy.models import FieldChange
from parcours.referrals import services as referral_services
from parcours.referrals.models import Scheme, SchemeKind
from parcours.referrals.states import Origin

PROFILE_FIELDS = ("driving_licence", "available_from", "french_level_for_work")
MAX_OCCUPATIONS = 10
MAX_QUALIFICATIONS = 10


@dataclass(frozen=True)
class OccupationLine:
    kind: str
    occupation_code: str
    job_title_id: int | None = None
    years_of_experience: int | None = None


@dataclass(frozen=True)
class QualificationLine:
    label: str
    country_id: int | None = None
    recognition: str = "unknown"


def _occupations_summary(lines, kind) -> str:
    parts = []
    for line in sorted(lines, key=lambda line: line.occupation_code):
        if line.kind != kind:
            continue
        text = line.occupation_code
        if line.years_of_experience is not None:
            text += f" ({line.years_of_experience})"
        parts.append(text)
    return ", ".join(parts)


def _qualifications_summary(lines) -> str:
    return "; ".join(f"{line.label} [{line.recognition}]" for line in lines)


def _current_lines(profile):
    occupations = [
        OccupationLine(o.kind, o.occupation_id, o.job_title_id, o.years_of_experience)
        for o in profile.occupations.all()
    ]
    qualifications = [
        QualificationLine(q.label, q.country_id, q.recognition)
        for q in profile.qualifications.all()
    ]
    return occupations, qualifications


def _serialise(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _check_lines(occupations, qualifications) -> None:
    if len(occupations) > MAX_OCCUPATIONS or len(qualifications) > MAX_QUALIFICATIONS:
        raise ValidationError(_("Trop de lignes : dix métiers et dix qualifications au plus."))
    known = set(
        Occupation.objects.filter(
            code__in=[line.occupation_code for line in occupations]
        ).values_list("code", flat=True)
    )
    for line in occupations:
        if line.kind not in OccupationKind.values:
            raise ValidationError(_("Type de métier inconnu."), code="kind")
        if line.occupation_code not in known:
            raise ValidationError(
                _("Le code ROME « %(code)s » n'existe pas.") % {"code": line.occupation_code},
                code="unknown_rome",
            )
        if line.years_of_experience is not None and not 0 <= line.years_of_experience <= 60:
            raise ValidationError(
                _("Les années d'expérience vont de 0 à 60."), code="years_of_experience"
            )
    seen = set()
    for line in occupations:
        if (line.kind, line.occupation_code) in seen:
            raise ValidationError(
                _("Le métier %(code)s est indiqué deux fois.") % {"code": line.occupation_code},
                code="duplicate_occupation",
            )
        seen.add((line.kind, line.occupation_code))
    for line in qualifications:
        if not line.label.strip():
            raise ValidationError(_("Indiquez l'intitulé de chaque qualification."))


@transaction.atomic
def save_profile(
    person: Person,
    values: dict,
    *,
    occupations: list[OccupationLine],
    qualifications: list[QualificationLine],
    actor,
    reason: str = "",
) -> tuple[ProfessionalProfile, list[str]]:
    """Write the person's whole profile; returns it with the names of the changed fields."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.anonymised_at is not None:
        raise ValidationError(
            _("Ce dossier est anonymisé : il ne peut plus être modifié."), code="anonymised"
        )
    unexpected = set(values) - set(PROFILE_FIELDS)
    if unexpected:
        raise ValueError(f"not profile fields: {sorted(unexpected)}")
    _check_lines(occupations, qualifications)
    profile, _created = ProfessionalProfile.objects.get_or_create(person=person)
    changes: list[tuple[str, str, str]] = []
    for name, value in values.items():
        before = getattr(profile, name)
        if before != value:
            changes.append((name, _serialise(before), _serialise(value)))
            setattr(profile, name, value)
    profile.full_clean(exclude=["person"])
    profile.save()
    old_occupations, old_qualifications = _current_lines(profile)
    for kind, field in (
        (OccupationKind.HELD, "occupations_held"),
        (OccupationKind.SOUGHT, "occupations_sought"),
    ):
        old = {line for line in old_occupations if line.kind == kind}
        new = {line for line in occupations if line.kind == kind}
        if old != new:
            changes.append(
                (field, _occupations_summary(old, kind), _occupations_summary(new, kind))
            )
    if set(old_occupations) != set(occupations):
        profile.occupations.all().delete()
        ProfileOccupation.objects.bulk_create(
            [
                ProfileOccupation(
                    profile=profile,
                    kind=line.kind,
                    occupation_id=line.occupation_code,
                    job_title_id=line.job_title_id,
                    years_of_experience=line.years_of_experience,
                )
                for line in occupations
            ]
        )
    if old_qualifications != qualifications:
        changes.append(
            (
                "qualifications",
                _qualifications_summary(old_qualifications),
                _qualifications_summary(qualifications),
            )
        )
        profile.qualifications.all().delete()
        Qualification.objects.bulk_create(
            [
                Qualification(
                    profile=profile,
                    label=line.label.strip()[:200],
                    country_id=line.country_id,
                    recognition=line.recognition,
                )
                for line in qualifications
            ]
        )
    if changes:
        content_type = ContentType.objects.get_for_model(ProfessionalProfile)
        reason = " ".join((reason or "").split())[:300] or _("Modification du profil professionnel")
        FieldChange.objects.bulk_create(
            [
                FieldChange(
                    content_type=content_type,
                    object_id=profile.pk,
                    person_id=person.pk,
                    field=name,
                    before=before,
                    after=after,
                    user_id=getattr(actor, "pk", None),
                    reason=reason,
                )
                for name, before, after in changes
            ]
        )
    return profile, [name for name, _before, _after in changes]


# Employers and positions --------------------------------------------------------------------


def save_employer(employer: Employer) -> Employer:
    """Create or update an employer after validating it (SIRET checksum, NAF, phone)."""
    employer.siret = "".join(employer.siret.split())
    if employer.department_id and not employer.directorate_id:
        employer.directorate_id = employer.department.directorate_id
    employer.full_clean()
    employer.save()
    return employer


@transaction.atomic
def open_position(
    employer: Employer,
    occupation: Occupation,
    *,
    title: str,
    seats: int | None = None,
    description: str = "",
    opened_on: datetime.date | None = None,
) -> Position:
    """An open position and its referral target, carried by the employer's intermediary."""
    title = " ".join(title.split())[:150]
    if not title:
        raise ValidationError(_("Indiquez l'intitulé du poste."), code="title")
    if seats is not None and seats < 1:
        raise ValidationError(_("Le nombre de places est d'au moins 1."), code="seats")
    if not employer.is_active:
        raise ValidationError(_("Cet employeur n'est plus actif."), code="inactive")
    scheme = Scheme(
        organisation=employer.intermediary,
        name=f"{title} – {employer.name}"[:200],
        kind=SchemeKind.JOB_POSITION,
        description=(description.strip() or f"{occupation.code} – {occupation.label}")[:2000],
        target_public=_("Poste %(code)s chez %(employer)s")
        % {"code": occupation.code, "employer": employer.name},
        contact_name=employer.contact_name,
        contact_email=employer.contact_email,
        capacity=seats,
    )
    try:
        with transaction.atomic():
            referral_services.save_scheme(scheme, fields=[], departments=[employer.department])
    except IntegrityError as error:
        raise ValidationError(
            _("Un poste de ce nom existe déjà chez cet employeur."), code="duplicate_position"
        ) from error
    position = Position(employer=employer, occupation=occupation, title=title, scheme=scheme)
    if opened_on is not None:
        position.opened_on = opened_on
    from parcours.employment.shortage import position_in_shortage

    position.in_shortage = position_in_shortage(position)
    position.save()
    return position


@transaction.atomic
def close_position(position: Position, *, on: datetime.date | None = None) -> bool:
    """Close a position: its scheme takes no new referral; what it received stays as it is
    (an accepted person keeps the seat, nothing is freed nor promoted). False if closed."""
    position = Position.objects.select_for_update().get(pk=position.pk)
    if position.closed_on is not None:
        return False
    # The scheme row is locked too, as referrals.services does before touching seats.
    Scheme.objects.select_for_update().filter(pk=position.scheme_id).update(is_active=False)
    position.closed_on = on or timezone.localdate()
    position.save(update_fields=["closed_on"])
    return True


@transaction.atomic
def deactivate_employer(employer: Employer, *, on: datetime.date | None = None) -> int:
    """Deactivate an employer: kept with its history, its open positions closed. Returns the
    number of positions closed."""
    employer = Employer.objects.select_for_update().get(pk=employer.pk)
    if not employer.is_active:
        raise ValidationError(_("Cet employeur est déjà désactivé."), code="inactive")
    employer.is_active = False
    employer.save(update_fields=["is_active"])
    closed = 0
    for position in employer.positions.filter(closed_on__isnull=True):
        closed += close_position(position, on=on)
    return closed


def refer_to_position(person, position: Position, *, by, organisation, consent: bool, note=""):
    """A referral of the person to the position: the referral workflow, sent at once."""
    return referral_services.create_referral(
        person,
        position.scheme,
        by=by,
        organisation=organisation,
        origin=Origin.PERSON_FILE,
        note=note,
        consent=consent,
        send=True,
    )
