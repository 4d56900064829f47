"""The one writer of person records: creation, edits, situation, identity, département moves.

Issue 13: every write of a person goes through here, in a transaction. Each write
- compares the row as stored with what is asked and saves only the fields that change;
- sends `person_changed` with one `Change` per field, the actor and the reason: the privacy
  module writes them as the file's history (one row per changed field);
- runs the followers other apps register (`register_follower`): the reception day copies a
  corrected sex or birth date onto the events of open months, the CIR copies the France
  Travail registration; events of months already approved (`register_frozen_months`) keep
  what was approved, and the outcome counts them so the caller can say so;
- returns an `Outcome` saying what changed and what followed.

Bulk writes of persons (`QuerySet.update`, `bulk_update`) are refused anywhere else
(`people.models.person_bulk_writes`); this module opens them for its own operations only.
Bad input raises ValidationError with a French message and writes nothing.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.core import bulk_sql
from parcours.core.freshness import figures_changed, remember_loaded
from parcours.people.models import (
    DuplicatePair,
    DuplicateStatus,
    Language,
    Person,
    PersonMerge,
    PersonWriteOutsideServices,
    person_bulk_writes,
)
from parcours.territories.models import Department, Directorate

__all__ = [
    "Change",
    "Outcome",
    "PersonWriteOutsideServices",
    "change_department",
    "correct_identity",
    "create_person",
    "create_persons_bulk",
    "edit_person",
    "mark_distinct",
    "merge_persons",
    "move_department",
    "set_messages_consent",
    "record_duplicates",
    "record_situation",
    "record_duplicates_bulk",
    "update_situation",
    "update_persons_bulk",
]

# Sent after every write that changed something: sender=Person, person, changes (list of
# Change), actor (a user or None for the system), reason (text).
person_changed = Signal()
# Sent once per chunk by the bulk writes (update_persons_bulk): sender=Person, items (list of
# (person, changes)), actor, reason; the privacy module writes the history in one INSERT.
persons_changed = Signal()

# What an identity correction is (issue 13): it moves the person's events between cells.
IDENTITY_FIELDS = frozenset({"sex", "birth_date"})
# What the CIP interview and the France Travail follow-up update (reception.services).
SITUATION_FIELDS = frozenset(
    {
        "employment_status",
        "rsa_recipient",
        "agir_followed",
        "ft_registered",
        "ft_identifier",
        "ft_registration_date",
        "language_level",
        "language_level_date",
        "accommodation",
    }
)
# Bookkeeping of the record: never set through an edit.
_NOT_EDITABLE = frozenset(
    {
        "id",
        "created_at",
        "updated_at",
        "created_by",
        "anonymised_at",
        "anonymisation_reason",
        "retention_notice_at",
        "languages",
    }
)
REASON_MAX_LENGTH = 300


@dataclass(frozen=True)
class Change:
    field: str
    before: object
    after: object


@dataclass
class Outcome:
    """What a write changed on the person, and what followed on other records."""

    person: Person
    changes: list[Change] = field(default_factory=list)
    # Rows of other records brought in line, by kind ("convocations": 2, …).
    followed: dict[str, int] = field(default_factory=dict)
    # Events of approved months left as approved (the correction is flagged on the month).
    kept_as_approved: int = 0
    # The row a write added to another record of the person (a situation update), if any.
    record: object = None
    # True when the write was a repeat of one already recorded (same idempotency key).
    replayed: bool = False

    @property
    def changed_fields(self) -> set[str]:
        return {change.field for change in self.changes}


@dataclass(frozen=True)
class FollowContext:
    """Handed to followers: who, why, and which (directorate, month) are approved."""

    actor: object
    reason: str
    frozen: frozenset[tuple[int, datetime.date]]

    def is_frozen(self, directorate_id, day: datetime.date | None) -> bool:
        return day is not None and (directorate_id, day.replace(day=1)) in self.frozen


Follower = Callable[[Person, dict[str, Change], FollowContext], Mapping[str, int] | None]
_followers: list[Follower] = []
_frozen_sources: list[Callable[[Iterable[int]], Iterable[tuple[int, datetime.date]]]] = []


def register_follower(follower: Follower) -> Follower:
    """Decorator: `follower(person, changes, context)` brings another record in line after a
    write; returns counts by kind, and counts events of frozen months in "kept_as_approved"."""
    if follower not in _followers:
        _followers.append(follower)
    return follower


def register_frozen_months(source):
    """Decorator: `source(directorate_ids)` gives the (directorate id, first day of month)
    whose figures are approved and must not move (indicators.approvals)."""
    if source not in _frozen_sources:
        _frozen_sources.append(source)
    return source


def frozen_months(directorate_ids: Iterable[int]) -> frozenset[tuple[int, datetime.date]]:
    ids = sorted({pk for pk in directorate_ids if pk is not None})
    found: set[tuple[int, datetime.date]] = set()
    for source in _frozen_sources:
        found.update(source(ids))
    return frozenset(found)


# ---------------------------------------------------------------------------------------------
# The write itself
# ---------------------------------------------------------------------------------------------


def _clean_reason(reason: str) -> str:
    return " ".join((reason or "").split())[:REASON_MAX_LENGTH]


def _field_value(person: Person, name: str):
    model_field = Person._meta.get_field(name)
    return getattr(person, model_field.attname)


def _normalise(name: str, value):
    """A value as stored: a related row becomes its id."""
    model_field = Person._meta.get_field(name)
    if model_field.is_relation and isinstance(value, models.Model):
        return value.pk
    return value


def _check_fields(values: Mapping) -> None:
    names = {f.name for f in Person._meta.get_fields() if f.concrete}
    unknown = set(values) - names
    blocked = set(values) & _NOT_EDITABLE
    if unknown or blocked:
        raise ValueError(f"not editable person fields: {sorted(unknown | blocked)}")


def _apply(person: Person, values: Mapping) -> list[Change]:
    """Set the normalised values on the row; the changes it made (one and bulk writes)."""
    changes = []
    for name, value in values.items():
        value = _normalise(name, value)
        before = _field_value(person, name)
        if before != value:
            changes.append(Change(name, before, value))
            setattr(person, Person._meta.get_field(name).attname, value)
    return changes


def _languages_label(ids) -> str:
    return ", ".join(sorted(str(lang) for lang in Language.objects.filter(pk__in=list(ids))))


def _write(
    person: Person,
    values: Mapping,
    *,
    actor,
    reason: str,
    languages: Iterable | None = None,
) -> Outcome:
    """Apply `values` to the stored row `person` (locked by the caller) and tell everyone."""
    _check_fields(values)
    changes = _apply(person, values)
    if "department_id" in {Person._meta.get_field(c.field).attname for c in changes} and (
        "directorate" not in values
    ):
        # The DT follows the département, unless the write names it (DOMAIN.md: the DT of
        # the département of residence by default).
        directorate_id = (
            Department.objects.filter(pk=person.department_id)
            .values_list("directorate_id", flat=True)
            .first()
        )
        if directorate_id != person.directorate_id:
            changes.append(Change("directorate", person.directorate_id, directorate_id))
            person.directorate_id = directorate_id
    changed = {c.field for c in changes}
    # Only what changes is validated: a file saved long ago under older rules stays writable.
    person.full_clean(
        exclude=[f.name for f in Person._meta.concrete_fields if f.name not in changed]
    )
    language_change = None
    if languages is not None:
        wanted = {lang.pk if isinstance(lang, models.Model) else lang for lang in languages}
        current = set(person.languages.values_list("pk", flat=True))
        if wanted != current:
            language_change = (current, wanted)
    if changes:
        person.save(update_fields=[c.field for c in changes] + ["updated_at"])
    if language_change is not None:
        person.languages.set(sorted(language_change[1]))
        changes.append(
            Change(
                "languages",
                _languages_label(language_change[0]),
                _languages_label(language_change[1]),
            )
        )
        if not any(c.field != "languages" for c in changes):
            person.save(update_fields=["updated_at"])
    outcome = Outcome(person, changes)
    if not changes:
        return outcome
    reason = _clean_reason(reason)
    person_changed.send(sender=Person, person=person, changes=changes, actor=actor, reason=reason)
    by_field = {c.field: c for c in changes}
    directorates = {person.directorate_id}
    if "directorate" in by_field:
        directorates.add(by_field["directorate"].before)
    context = FollowContext(actor, reason, frozen_months(directorates))
    for follower in _followers:
        for kind, count in (follower(person, by_field, context) or {}).items():
            if kind == "kept_as_approved":
                outcome.kept_as_approved += count
            elif count:
                outcome.followed[kind] = outcome.followed.get(kind, 0) + count
    return outcome


def _locked(person_or_id) -> Person:
    pk = person_or_id.pk if isinstance(person_or_id, Person) else person_or_id
    return Person.objects.select_for_update().get(pk=pk)


def _refuse_anonymised(person: Person) -> None:
    if person.anonymised_at is not None:
        raise ValidationError(
            _("Ce dossier est anonymisé : il ne peut plus être modifié."), code="anonymised"
        )


# ---------------------------------------------------------------------------------------------
# Operations
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def create_person(values: Mapping, *, actor, languages: Iterable = ()) -> Person:
    """Create a person file; the DT is the département's unless given. No history row: the
    timeline shows the creation."""
    _check_fields(values)
    person = Person(created_by=actor if getattr(actor, "pk", None) else None)
    for name, value in values.items():
        setattr(person, Person._meta.get_field(name).attname, _normalise(name, value))
    if person.directorate_id is None and person.department_id is not None:
        # DOMAIN.md: the DT of the département of residence by default.
        person.directorate_id = (
            Department.objects.filter(pk=person.department_id)
            .values_list("directorate_id", flat=True)
            .first()
        )
    person.full_clean(exclude=["created_by", "languages"])
    person.save()
    languages = [lang.pk if isinstance(lang, models.Model) else lang for lang in languages]
    if languages:
        person.languages.set(languages)
    return person


@transaction.atomic
def edit_person(
    person, values: Mapping, *, actor, reason: str = "", languages: Iterable | None = None
) -> Outcome:
    """Change any editable fields of a person file (the person page, imports, the API).

    A change of sex or birth date is an identity correction: it needs a reason (see
    correct_identity).
    """
    locked = _locked(person)
    _refuse_anonymised(locked)
    if not (reason or "").strip():
        changing_identity = any(
            _normalise(name, value) != _field_value(locked, name)
            for name, value in values.items()
            if name in IDENTITY_FIELDS
        )
        if changing_identity:
            raise ValidationError(
                {
                    "change_reason": _(
                        "Indiquez le motif de la correction du sexe ou de la date de naissance."
                    )
                },
                code="reason_required",
            )
        reason = _("Modification du dossier")
    return _write(locked, values, actor=actor, reason=reason, languages=languages)


@transaction.atomic
def update_situation(person, values: Mapping, *, actor, reason: str) -> Outcome:
    """The situation seen at a step of the pathway (CIP interview, language positioning…)."""
    unexpected = set(values) - SITUATION_FIELDS
    if unexpected:
        raise ValueError(f"not situation fields: {sorted(unexpected)}")
    locked = _locked(person)
    _refuse_anonymised(locked)
    return _write(locked, values, actor=actor, reason=reason)


@transaction.atomic
def correct_identity(
    person,
    *,
    actor,
    reason: str,
    sex: str | None = None,
    birth_date: datetime.date | None = None,
) -> Outcome:
    """Correct the sex or birth date (a document was misread); a reason is required.

    The copies on the person's events and their ages at events follow for open months; events
    of approved months keep what was approved, and the month shows « modifié depuis la
    validation » with this reason.
    """
    if not (reason or "").strip():
        raise ValidationError(
            {"reason": _("Indiquez le motif de la correction.")}, code="reason_required"
        )
    values = {}
    if sex is not None:
        values["sex"] = sex
    if birth_date is not None:
        values["birth_date"] = birth_date
    locked = _locked(person)
    _refuse_anonymised(locked)
    return _write(locked, values, actor=actor, reason=reason)


@transaction.atomic
def change_department(person, department: Department, *, actor, reason: str) -> Outcome:
    """The person moved to another département: their current DT becomes that département's.

    Past events stay in the DT where they happened (their copies, ADR 0007).
    """
    if department.directorate_id is None:
        raise ValidationError(
            {"department": _("Ce département n'est rattaché à aucune DT de l'OFII.")}
        )
    locked = _locked(person)
    _refuse_anonymised(locked)
    return _write(
        locked,
        {"department": department, "directorate": department.directorate_id},
        actor=actor,
        reason=reason or _("Changement de département"),
    )


@dataclass
class DepartmentMove:
    department: Department
    from_directorate: Directorate | None
    to_directorate: Directorate
    persons_moved: int


@transaction.atomic
def move_department(
    department: Department, directorate: Directorate, *, actor, reason: str
) -> DepartmentMove:
    """The reference data attach a département to another DT (or a DT is split).

    An explicit, logged operation: the département changes DT, and so does the current DT of
    the persons living there who were followed by the old one (one history row each, with the
    reason). Past events keep the DT where they happened, so past reports do not change
    (issue 13, ADR 0013).
    """
    from parcours.people.models import DepartmentTransfer

    if not (reason or "").strip():
        raise ValidationError({"reason": _("Indiquez le motif du rattachement.")})
    locked = Department.objects.select_for_update().get(pk=department.pk)
    previous_id = locked.directorate_id
    if previous_id == directorate.pk:
        raise ValidationError(
            _("Le département %(department)s relève déjà de %(dt)s.")
            % {"department": locked, "dt": directorate}
        )
    locked.directorate = directorate
    locked.save(update_fields=["directorate"])
    moved = 0
    persons = Person.objects.select_for_update().filter(department=locked)
    if previous_id is not None:
        persons = persons.filter(directorate_id=previous_id)
    for person in persons.order_by("pk"):
        _write(person, {"directorate": directorate.pk}, actor=actor, reason=reason)
        moved += 1
    DepartmentTransfer.objects.create(
        department=locked,
        from_directorate_id=previous_id,
        to_directorate=directorate,
        actor=actor if getattr(actor, "pk", None) else None,
        reason=_clean_reason(reason),
        persons_moved=moved,
    )
    return DepartmentMove(
        locked, Directorate.objects.filter(pk=previous_id).first(), directorate, moved
    )


# ---------------------------------------------------------------------------------------------
# Duplicates: the review list, « distinctes », the merge (issue 17, point 5)
# ---------------------------------------------------------------------------------------------


def record_duplicates(person, candidates, *, actor) -> int:
    """Put the pairs (person, candidate) on the review list; pairs already known are left as
    they are (a pair marked distinct stays distinct). Returns how many pairs are new."""
    created = 0
    for candidate in candidates:
        if candidate.person.pk == person.pk:
            continue
        low, high = DuplicatePair.ordered(person.pk, candidate.person.pk)
        _pair, was_created = DuplicatePair.objects.get_or_create(
            low_id=low,
            high_id=high,
            defaults={
                "score": candidate.score,
                "reasons": [str(reason) for reason in candidate.reasons],
                "found_by": actor if getattr(actor, "pk", None) else None,
            },
        )
        created += was_created
    return created


@transaction.atomic
def mark_distinct(first, second, *, actor) -> DuplicatePair:
    """Two files an agent says are two persons: the finder will not propose them again."""
    if first.pk == second.pk:
        raise ValidationError(_("Un dossier ne peut pas être distinct de lui-même."))
    low, high = DuplicatePair.ordered(first.pk, second.pk)
    pair, _created = DuplicatePair.objects.select_for_update().get_or_create(
        low_id=low, high_id=high, defaults={"score": 0.0}
    )
    pair.status = DuplicateStatus.DISTINCT
    pair.decided_at = timezone.now()
    pair.decided_by = actor if getattr(actor, "pk", None) else None
    pair.save(update_fields=["status", "decided_at", "decided_by"])
    return pair


# The identity fields whose absorbed value is written in the kept file's history at a merge.
_MERGE_HISTORY_FIELDS = ("last_name", "usual_name", "first_names", "birth_date", "agdref_number")


def _person_relations():
    """The foreign keys of other records to Person, except the duplicate bookkeeping and
    the references that outlive the person row (no database constraint: the access log)."""
    for relation in Person._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete):
            continue
        if relation.many_to_many or not getattr(relation, "field", None):
            continue
        model = relation.related_model
        if model in (DuplicatePair, PersonMerge) or model._meta.auto_created:
            # The languages' link table is merged as a set (below), not repointed.
            continue
        if not relation.field.db_constraint:
            continue
        yield model, relation.field


@transaction.atomic
def merge_persons(kept, absorbed, *, actor, reason: str) -> PersonMerge:
    """Merge `absorbed` into `kept`: one file, with every record of both.

    Every record of other apps pointing at the absorbed file (convocations and their steps,
    the CIR, prescriptions, referrals, the history of changes…) is repointed to the kept file;
    the kept file takes the absorbed file's values where it has none and every language of
    both; the absorbed file's identity goes into the kept file's history with the reason; the
    absorbed row is deleted and `PersonMerge` logs the merge. The access log is left as it is
    (it names the absorbed id; `PersonMerge` leads from it to the kept file).

    Refused, with nothing written, when a record can exist only once per person and both
    files have one (two CIR, two convocations to the same session, two open referrals to one
    scheme): the agent settles that record first (docs/duplicates.md).
    """
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Indiquez le motif de la fusion.")})
    if kept.pk == absorbed.pk:
        raise ValidationError(_("Un dossier ne peut pas être fusionné avec lui-même."))
    locked = {
        person.pk: person
        for person in Person.objects.select_for_update().filter(pk__in=[kept.pk, absorbed.pk])
    }
    if len(locked) != 2:
        raise ValidationError(_("L'un des deux dossiers n'existe plus."))
    kept, absorbed = locked[kept.pk], locked[absorbed.pk]
    for person in (kept, absorbed):
        _refuse_anonymised(person)
    if (
        kept.agdref_number
        and absorbed.agdref_number
        and (kept.agdref_number != absorbed.agdref_number)
    ):
        raise ValidationError(
            _(
                "Les deux dossiers ont des numéros AGDREF différents (%(a)s et %(b)s) : ce sont "
                "deux personnes, ou l'un des numéros est à corriger avant la fusion."
            )
            % {"a": kept.agdref_number, "b": absorbed.agdref_number}
        )
    moved: dict[str, int] = {}
    for model, fk in _person_relations():
        try:
            with transaction.atomic():
                count = model._base_manager.filter(**{fk.name: absorbed.pk}).update(
                    **{fk.name: kept.pk}
                )
        except IntegrityError as error:
            raise ValidationError(
                _(
                    "Fusion impossible : les deux dossiers ont chacun un enregistrement « "
                    "%(record)s » qui ne peut exister qu'une fois par personne. Réglez-le dans "
                    "l'un des dossiers (annulation, clôture), puis fusionnez."
                )
                % {"record": model._meta.verbose_name},
                code="merge_conflict",
            ) from error
        if count:
            moved[model._meta.label_lower] = moved.get(model._meta.label_lower, 0) + count
    # What the kept file lacks, the absorbed file gives.
    values = {}
    for model_field in Person._meta.concrete_fields:
        name = model_field.name
        if not model_field.editable or name in _NOT_EDITABLE or model_field.primary_key:
            continue
        mine, theirs = _field_value(kept, name), _field_value(absorbed, name)
        if mine in (None, "") and theirs not in (None, ""):
            values[name] = theirs
    languages = set(kept.languages.values_list("pk", flat=True)) | set(
        absorbed.languages.values_list("pk", flat=True)
    )
    history = [
        Change(name, _field_value(absorbed, name), _field_value(kept, name))
        for name in _MERGE_HISTORY_FIELDS
        if _field_value(absorbed, name) != _field_value(kept, name)
    ]
    absorbed_pk = absorbed.pk
    absorbed.delete()
    reason = _clean_reason(
        _("Fusion du dossier n° %(pk)s dans ce dossier : %(reason)s")
        % {"pk": absorbed_pk, "reason": reason}
    )
    if history:
        # The absorbed file's identity, kept in this file's history (deleted with it).
        person_changed.send(sender=Person, person=kept, changes=history, actor=actor, reason=reason)
    _write(kept, values, actor=actor, reason=reason, languages=languages)
    return PersonMerge.objects.create(
        kept=kept,
        absorbed_id=absorbed_pk,
        actor=actor if getattr(actor, "pk", None) else None,
        reason=reason,
        moved=moved,
    )


# ---------------------------------------------------------------------------------------------
# Bookkeeping and anonymisation (no history: they are not changes of the person's data)
# ---------------------------------------------------------------------------------------------


def set_bookkeeping(person_ids: Iterable[int], **values) -> int:
    """Set bookkeeping fields (updated_at, retention_notice_at) on many files at once."""
    allowed = {"updated_at", "retention_notice_at"}
    if set(values) - allowed:
        raise ValueError(f"not bookkeeping fields: {sorted(set(values) - allowed)}")
    with person_bulk_writes():
        return Person.objects.filter(pk__in=list(person_ids)).update(**values)


def anonymise(person_ids: Iterable[int], values: Mapping) -> int:
    """Blank or coarsen identity fields of many files (privacy.retention decides which).

    The facts stored on events (DT, date, sex, ages) are left alone: past figures stay
    identical (issue 13). No follower runs. The name keys go with the names.
    """
    if set(values) & set(Person.NAME_FIELDS):
        values = {**values, **dict.fromkeys(Person.NAME_KEY_FIELDS, "")}
    with person_bulk_writes():
        return Person.objects.filter(pk__in=list(person_ids)).update(**values)


def bulk_write(queryset, **values) -> int:
    """Bulk update for generated data (the benchmark dataset): no history, no follower."""
    with person_bulk_writes():
        return queryset.update(**values)


@transaction.atomic
def set_messages_consent(person, *, wanted: bool, actor, now: datetime.datetime) -> Outcome:
    """Record that the person wants messages (e-mail, SMS) again, or no more (issue 18)."""
    locked = _locked(person)
    _refuse_anonymised(locked)
    if wanted:
        values, reason = {"messages_stopped_at": None}, _("La personne accepte les messages")
    elif locked.messages_stopped_at is None:
        values, reason = {"messages_stopped_at": now}, _("La personne refuse les messages")
    else:
        values, reason = {}, ""
    return _write(locked, values, actor=actor, reason=reason)


# ---------------------------------------------------------------------------------------------
# Situation updates (issue 20 part 4)
# ---------------------------------------------------------------------------------------------

SITUATION_VALUE_FIELDS = frozenset(
    {"kind", "occurred_on", "contract_type", "rome_code", "employer_name", "training_kind"}
    | {"hours", "detail"}
)


@transaction.atomic
def record_situation(
    person,
    values: Mapping,
    *,
    actor,
    organisation,
    source: str = "page",
    idempotency_key: str = "",
    today: datetime.date | None = None,
) -> Outcome:
    """Add a dated change of situation to the person's history (append-only).

    The caller has checked that `organisation` may record for this person (a DT for the
    persons it follows, a partner for the persons referred to it). A registration at France
    Travail also marks the file registered (its date when it had none), through `_write`, so
    the history shows it with the actor. The same `idempotency_key` from one organisation
    records once: a repeat returns the first row (`replayed`), for another person it is
    refused. Bad input raises ValidationError in French and writes nothing.
    """
    from parcours.core.bounds import date_in_range
    from parcours.people.situations import (
        SituationKind,
        SituationUpdate,
        situation_writes,
    )

    unexpected = set(values) - SITUATION_VALUE_FIELDS
    if unexpected:
        raise ValueError(f"not situation update fields: {sorted(unexpected)}")
    idempotency_key = (idempotency_key or "").strip()[:100]
    locked = _locked(person)
    _refuse_anonymised(locked)
    if idempotency_key:
        earlier = SituationUpdate.objects.filter(
            organisation=organisation, idempotency_key=idempotency_key
        ).first()
        if earlier is not None:
            if earlier.person_id != locked.pk:
                raise ValidationError(
                    {
                        "idempotency_key": _(
                            "Cette clé d'idempotence a déjà servi pour une autre personne."
                        )
                    },
                    code="idempotency_conflict",
                )
            return Outcome(locked, record=earlier, replayed=True)
    today = today or timezone.localdate()
    clean_values = {
        name: (" ".join(value.split()) if isinstance(value, str) else value)
        for name, value in values.items()
        if value is not None
    }
    if isinstance(clean_values.get("rome_code"), str):
        clean_values["rome_code"] = clean_values["rome_code"].upper()
    update = SituationUpdate(
        person=locked,
        organisation=organisation,
        recorded_by=actor if getattr(actor, "pk", None) else None,
        source=source,
        idempotency_key=idempotency_key,
        **clean_values,
    )
    update.full_clean(exclude=["person", "organisation", "recorded_by"])
    day = update.occurred_on
    if not date_in_range(day) or day > today:
        raise ValidationError(
            {"occurred_on": _("La date du changement ne peut pas être dans le futur.")},
            code="future_date",
        )
    if locked.birth_date and day < locked.birth_date:
        raise ValidationError(
            {"occurred_on": _("La date du changement est antérieure à la date de naissance.")},
            code="before_birth",
        )
    with situation_writes():
        update.save()
    outcome = Outcome(locked, record=update)
    if update.kind == SituationKind.FT_REGISTRATION and not locked.ft_registered:
        follow = _write(
            locked,
            {
                "ft_registered": True,
                "ft_registration_date": locked.ft_registration_date or day,
            },
            actor=actor,
            reason=_("Changement de situation : inscription à France Travail"),
        )
        outcome.changes, outcome.followed = follow.changes, follow.followed
        outcome.kept_as_approved = follow.kept_as_approved
    outcome.followed["situation_updates"] = outcome.followed.get("situation_updates", 0) + 1
    return outcome


# ---------------------------------------------------------------------------------------------
# Bulk writes for imports (issue 17, point 4): the semantics of create_person / edit_person,
# batched queries
# ---------------------------------------------------------------------------------------------

# Rows written per statement: about 1,000 persons is well inside SQLite's 32,766 variables
# and keeps one chunk's objects small.
BULK_CHUNK = 1000


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _foreign_keys(values_list: Iterable[Mapping]) -> dict[str, set]:
    """Per foreign key named in the values, the ids asked (checked in one query each)."""
    asked: dict[str, set] = {}
    for values in values_list:
        for name, value in values.items():
            model_field = Person._meta.get_field(name)
            if model_field.is_relation and not model_field.many_to_many:
                value = _normalise(name, value)
                if value is not None:
                    asked.setdefault(name, set()).add(value)
    return asked


def _check_foreign_keys(asked: dict[str, set]) -> None:
    """What `full_clean` checks per row and per foreign key (one query each), per chunk."""
    for name, ids in asked.items():
        model = Person._meta.get_field(name).related_model
        found = set(model._base_manager.filter(pk__in=sorted(ids)).values_list("pk", flat=True))
        if ids - found:
            raise ValidationError(
                {name: _("Valeur inconnue : %(values)s.") % {"values": sorted(ids - found)}},
                code="invalid_choice",
            )


def _check_agdref_unique(persons: list[Person], numbers_before: dict[int, str | None]) -> None:
    """The uniqueness `full_clean` checks per row (one query each), for a chunk: the AGDREF
    numbers given must be neither twice in the chunk nor on another file."""
    given = {}
    for person in persons:
        number = person.agdref_number
        if not number or numbers_before.get(person.pk) == number:
            continue
        if number in given:
            raise ValidationError(
                {
                    "agdref_number": _("Le numéro AGDREF %(number)s est donné deux fois.")
                    % {"number": number}
                },
                code="unique",
            )
        given[number] = person.pk
    if not given:
        return
    taken = Person.objects.filter(agdref_number__in=sorted(given)).values_list(
        "agdref_number", "pk"
    )
    for number, pk in taken:
        if given[number] != pk:
            raise ValidationError(
                {
                    "agdref_number": _("Un dossier porte déjà le numéro AGDREF %(number)s.")
                    % {"number": number}
                },
                code="unique",
            )


def _clean_in_bulk(person: Person, changed: set[str] | None) -> None:
    """`full_clean` without its per-row queries (foreign keys, uniqueness, constraints): the
    bulk callers check those per chunk (_check_foreign_keys, _check_agdref_unique) and the
    database holds the constraints. `changed` None: every field (a creation)."""
    exclude = _excluded(None if changed is None else frozenset(changed))
    person.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


@functools.lru_cache(maxsize=64)
def _excluded(changed: frozenset[str] | None) -> frozenset[str]:
    """The fields `_clean_in_bulk` leaves out for a set of changed fields: an import's rows
    share a few such sets, so the list is made once per set, not once per row."""
    excluded = set(_relation_fields())
    if changed is not None:
        excluded |= {f.name for f in Person._meta.concrete_fields if f.name not in changed}
    return frozenset(excluded)


@functools.cache
def _relation_fields() -> list[str]:
    """The fields `_clean_in_bulk` leaves to the chunk's checks (read once, not per row)."""
    return [f.name for f in Person._meta.concrete_fields if f.is_relation] + ["languages"]


@functools.cache
def _required_without_value() -> frozenset[str]:
    """Fields a new file must be given (not blank, and empty by default): full_clean refuses
    them when left out, so a creation checks them even when its values do not name them."""
    return frozenset(
        f.name
        for f in Person._meta.concrete_fields
        if not f.is_relation and not f.blank and f.get_default() in f.empty_values
    )


@functools.cache
def _defaults() -> tuple[dict, tuple]:
    """Every column's default, as Model.__init__ would set it: the constant ones once, the
    callable ones (called for each file) apart."""
    constant, called = {}, []
    for f in Person._meta.concrete_fields:
        if f.generated:
            continue
        if callable(f.default):
            called.append(f)
        else:
            constant[f.attname] = f.get_default()
    return constant, tuple(called)


def _new_person(attributes: dict) -> Person:
    """A new Person from column values (attnames), as `Person(**attributes)` builds it but
    without walking the 39 fields and sending post_init for each of an import's 50,000 files
    (31 µs a file, the commit's largest Python cost: issue 17 profile). The attributes are
    plain column values (no related object), set on a fresh instance, as __init__ does for a
    field given by its attname; what post_init's receiver notes is noted."""
    constant, called = _defaults()
    person = Person.__new__(Person)
    person._state = models.base.ModelState()
    state = person.__dict__
    state.update(constant)
    for f in called:
        state[f.attname] = f.get_default()
    state.update(attributes)
    remember_loaded(person)
    return person


def _directorates_of(department_ids: Iterable) -> dict[int, int | None]:
    ids = sorted({pk for pk in department_ids if pk is not None})
    return dict(Department.objects.filter(pk__in=ids).values_list("pk", "directorate_id"))


def create_persons_bulk(values_list: list[Mapping], *, actor, chunk: int = BULK_CHUNK) -> list:
    """Create many person files, as `create_person` would one by one (no history row, the DT
    of the département unless given), with batched queries: per chunk, one query per foreign
    key checked, one for the AGDREF numbers, one INSERT. The name keys are computed in Python
    (`fill_name_keys`, which bulk_create does not call). All or nothing: the first invalid
    row raises ValidationError and, inside the caller's transaction, nothing is kept.

    Languages are not taken (the person form sets them; imports have no such column).
    """
    created: list[Person] = []
    by_user = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        for part in _chunks(list(values_list), chunk):
            for keys in {frozenset(values) for values in part}:
                _check_fields(dict.fromkeys(keys))
            asked = _foreign_keys(part)
            _check_foreign_keys(asked)
            directorates = _directorates_of(asked.get("department", ()))
            persons = []
            attnames = {name: Person._meta.get_field(name).attname for v in part for name in v}
            created_by = {"created_by_id": by_user.pk} if by_user is not None else {}
            for values in part:
                person = _new_person(
                    {attnames[name]: _normalise(name, value) for name, value in values.items()}
                    | created_by
                )
                if person.directorate_id is None and person.department_id is not None:
                    # DOMAIN.md: the DT of the département of residence by default.
                    person.directorate_id = directorates.get(person.department_id)
                # The fields given, and those a file cannot lack: the defaults of the others
                # are the model's own, valid by construction.
                _clean_in_bulk(person, set(values) | _required_without_value())
                person.fill_name_keys()
                persons.append(person)
            _check_agdref_unique(persons, {})
            # One INSERT per batch without the ORM's per-cell compiling (core.bulk_sql).
            created.extend(bulk_sql.insert_rows(Person, persons))
            # A bulk INSERT sends no post_save (core/freshness.py): the DTs' figures move.
            figures_changed(directorates={p.directorate_id for p in persons})
    return created


def update_persons_bulk(
    updates: list[tuple[int, Mapping]], *, actor, reason: str, chunk: int = BULK_CHUNK
) -> list[Outcome]:
    """Apply `values` to many person files, as `edit_person` with a reason would one by one:
    only what changes is validated and saved, the history gets one row per changed field
    (`person_changed`, with the actor and the reason), the DT follows a new département and
    the followers run for each file that changed (an identity correction moves the copies on
    events of open months). Batched: per chunk, one SELECT … FOR UPDATE of the files, one
    query per foreign key and for the AGDREF numbers, one bulk UPDATE.

    An anonymised file is refused (ValidationError), as by edit_person.
    """
    if not (reason or "").strip():
        raise ValidationError(
            {"change_reason": _("Indiquez le motif de la modification.")}, code="reason_required"
        )
    reason = _clean_reason(reason)
    outcomes: list[Outcome] = []
    with transaction.atomic():
        for part in _chunks(list(updates), chunk):
            for keys in {frozenset(values) for _pk, values in part}:
                _check_fields(dict.fromkeys(keys))
            locked = Person.objects.select_for_update().in_bulk([pk for pk, _values in part])
            asked = _foreign_keys(values for _pk, values in part)
            _check_foreign_keys(asked)
            directorates = _directorates_of(asked.get("department", ()))
            changed_persons: list[tuple[Person, list[Change]]] = []
            done: dict[int, Outcome] = {}
            numbers_before = {}
            for pk, values in part:
                person = locked.get(pk)
                if person is None:
                    raise ValidationError(_("L'un des dossiers n'existe plus."))
                _refuse_anonymised(person)
                numbers_before[pk] = person.agdref_number
                changes = _apply(person, values)
                if any(c.field == "department" for c in changes) and "directorate" not in values:
                    directorate_id = directorates.get(person.department_id)
                    if directorate_id != person.directorate_id:
                        changes.append(Change("directorate", person.directorate_id, directorate_id))
                        person.directorate_id = directorate_id
                if not changes:
                    done[pk] = Outcome(person)
                    continue
                _clean_in_bulk(person, {c.field for c in changes})
                changed_persons.append((person, changes))
            if not changed_persons:
                outcomes.extend(done[pk] for pk, _values in part)
                continue
            _check_agdref_unique([p for p, _c in changed_persons], numbers_before)
            now = timezone.now()
            for person, changes in changed_persons:
                person.updated_at = now
                if {c.field for c in changes} & set(Person.NAME_FIELDS):
                    person.fill_name_keys()
            _update_rows(changed_persons)
            directorate_ids = {p.directorate_id for p, _c in changed_persons}
            directorate_ids |= {
                c.before
                for _p, changes in changed_persons
                for c in changes
                if c.field == "directorate"
            }
            # The bulk UPDATE sends no post_save (core/freshness.py): the DTs' figures move.
            figures_changed(directorates=directorate_ids)
            context = FollowContext(actor, reason, frozen_months(directorate_ids))
            # The history of the whole chunk in one INSERT (privacy.history).
            persons_changed.send(sender=Person, items=changed_persons, actor=actor, reason=reason)
            for person, changes in changed_persons:
                outcome = Outcome(person, changes)
                by_field = {c.field: c for c in changes}
                for follower in _followers:
                    for kind, count in (follower(person, by_field, context) or {}).items():
                        if kind == "kept_as_approved":
                            outcome.kept_as_approved += count
                        elif count:
                            outcome.followed[kind] = outcome.followed.get(kind, 0) + count
                done[person.pk] = outcome
            outcomes.extend(done[pk] for pk, _values in part)
    return outcomes


def _update_rows(changed_persons: list[tuple[Person, list[Change]]]) -> None:
    """Save the changed columns of many files (core.bulk_sql.update_rows: one UPDATE … FROM
    VALUES per set of changed columns and batch): each file gets only its own changed
    columns, its name keys when a name changed, and updated_at."""
    groups: dict[tuple[str, ...], list[Person]] = {}
    for person, changes in changed_persons:
        names = {Person._meta.get_field(c.field).name for c in changes} | {"updated_at"}
        if names & set(Person.NAME_FIELDS):
            names |= set(Person.NAME_KEY_FIELDS)
        groups.setdefault(tuple(sorted(names)), []).append(person)
    for names, persons in groups.items():
        bulk_sql.update_rows(Person, persons, names)


def record_duplicates_bulk(pairs: Iterable[tuple[Person, list]], *, actor) -> int:
    """`record_duplicates` for many persons at once: one INSERT per chunk; pairs already
    known are left as they are (a pair marked distinct stays distinct)."""
    by_user = actor if getattr(actor, "pk", None) else None
    rows = {}
    for person, candidates in pairs:
        for candidate in candidates:
            if candidate.person.pk == person.pk:
                continue
            low, high = DuplicatePair.ordered(person.pk, candidate.person.pk)
            rows.setdefault(
                (low, high),
                DuplicatePair(
                    low_id=low,
                    high_id=high,
                    score=candidate.score,
                    reasons=[str(reason) for reason in candidate.reasons],
                    found_by=by_user,
                ),
            )
    if not rows:
        return 0
    known = set()
    for part in _chunks(sorted(rows), BULK_CHUNK):
        lows = {low for low, _high in part}
        known |= set(
            DuplicatePair.objects.filter(
                low_id__in=lows, high_id__in={h for _l, h in part}
            ).values_list("low_id", "high_id")
        )
    new = [row for key, row in rows.items() if key not in known]
    DuplicatePair.objects.bulk_create(new, batch_size=BULK_CHUNK)
    return len(new)
