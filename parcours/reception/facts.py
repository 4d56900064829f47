"""Keeping the facts copied on events (DT, date, sex, ages) right, and checking they are.

The figures read the directorate, session date, sex and ages stored on each event (ADR 0007,
ADR 0013). They are written when the row is created (`fill_facts`); this module
- moves them along when their source changes through the services: a session's new date
  (`follow_session_date`), a person's corrected sex or birth date and France Travail
  registration (`follow_person`, a follower of `people.services`);
- finds any row where they no longer agree with their source (`stale_copies`), so a data fix
  made outside the services (a shell, SQL) is detected, every day and before a month is
  approved or sent, and repaired (`repair_copies`).

Events of approved months keep what was approved: a later correction of the person leaves
them alone (the month shows it), and the check does not count them as stale.
Run-time code only: the migration that first filled the copies has its own statements.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q

from parcours.core.freshness import figures_changed
from parcours.people import services as people_services
from parcours.people.ages import age_on
from parcours.people.models import Person
from parcours.reception.models import Contract, Convocation, EmploymentCheck

logger = logging.getLogger(__name__)


def follow_session_date(session_id: int, date: datetime.date) -> None:
    """A session moved to another day: its events' copies follow (ages are the caller's)."""
    Convocation.objects.filter(session_id=session_id).update(session_date=date)
    EmploymentCheck.objects.filter(convocation__session_id=session_id).update(session_date=date)
    figures_changed()  # QuerySet.update sends no signal (core/freshness.py)


# ---------------------------------------------------------------------------------------------
# Following the person (people.services follower)
# ---------------------------------------------------------------------------------------------


def _expected(row, person: Person) -> dict:
    """The values a row's person-derived copies should hold, from the person as they are."""
    if isinstance(row, Contract):
        return {"age_at_event": age_on(person.birth_date, row.signed_on)}
    values = {"sex": person.sex, "age_at_event": age_on(person.birth_date, row.session_date)}
    if isinstance(row, EmploymentCheck) and row.accompaniment_date is not None:
        values["age_at_accompaniment"] = age_on(person.birth_date, row.accompaniment_date)
    return values


def _day_of(row) -> datetime.date:
    return row.signed_on if isinstance(row, Contract) else row.session_date


def _person_events(person_id):
    return (
        (Convocation, Convocation.objects.filter(person_id=person_id)),
        (EmploymentCheck, EmploymentCheck.objects.filter(person_id=person_id)),
        (Contract, Contract.objects.filter(person_id=person_id)),
    )


def _bring_in_line(person: Person, frozen) -> tuple[dict[str, int], int]:
    """Set the person-derived copies of the person's events of open months; count the others.

    A blanked or truncated birth date (anonymised file) never recomputes an age.
    """
    counts: dict[str, int] = {}
    kept = 0
    ages_known = person.birth_date is not None and person.anonymised_at is None
    for model, rows in _person_events(person.pk):
        stale = []
        fields: set[str] = set()
        for row in rows:
            wanted = _expected(row, person)
            if not ages_known:
                wanted = {k: v for k, v in wanted.items() if not k.startswith("age_")}
            differing = {k: v for k, v in wanted.items() if getattr(row, k) != v}
            if not differing:
                continue
            if (row.directorate_id, _day_of(row).replace(day=1)) in frozen:
                kept += 1
                continue
            for name, value in differing.items():
                setattr(row, name, value)
            fields.update(differing)
            stale.append(row)
        if stale:
            model.objects.bulk_update(stale, sorted(fields))
            # bulk_update sends no signal (core/freshness.py): the DTs of the rows changed.
            figures_changed(directorates={row.directorate_id for row in stale})
            counts[model._meta.model_name] = len(stale)
    return counts, kept


@people_services.register_follower
def follow_person(person, changes, context) -> dict[str, int]:
    """After a write of a person: copies of their events follow a corrected sex or birth date
    (open months only), and their CIR follows their France Travail registration and their
    employment situation."""
    counts: dict[str, int] = {}
    if changes.keys() & people_services.IDENTITY_FIELDS:
        counts, kept = _bring_in_line(person, context.frozen)
        counts["kept_as_approved"] = kept
    if changes.keys() & {"ft_registered", "ft_registration_date", "employment_status"}:
        updated = Contract.objects.filter(person_id=person.pk).update(
            ft_registered=person.ft_registered,
            ft_registration_date=person.ft_registration_date,
            employment_status=person.employment_status,
        )
        counts["contract_registration"] = updated
        if updated:
            # QuerySet.update sends no signal (core/freshness.py): the CIR's DT (its copy).
            figures_changed(
                directorates=Contract.objects.filter(person_id=person.pk).values_list(
                    "directorate_id", flat=True
                )
            )
    return counts


# ---------------------------------------------------------------------------------------------
# Checking and repairing
# ---------------------------------------------------------------------------------------------


def _source_mismatch():
    """Per table, rows whose copies of the session (or convocation) disagree with it."""
    return {
        "convocations": Convocation.objects.filter(
            ~Q(directorate=F("session__directorate")) | ~Q(session_date=F("session__date"))
        ),
        "checks": EmploymentCheck.objects.filter(
            ~Q(person=F("convocation__person"))
            | ~Q(directorate=F("convocation__session__directorate"))
            | ~Q(session_date=F("convocation__session__date"))
        ),
        "contracts": Contract.objects.filter(
            Q(convocation__isnull=False) & ~Q(directorate=F("convocation__session__directorate"))
        ),
    }


def _person_mismatch():
    """Rows whose copies of the person disagree with the person (sex, registration,
    employment situation).

    Ages are checked in Python on these candidates and on the files with a birth date: the
    arithmetic is age_on's, the same that wrote them.
    """
    return {
        "convocations": Convocation.objects.filter(~Q(sex=F("person__sex"))),
        "checks": EmploymentCheck.objects.filter(~Q(sex=F("person__sex"))),
        # Both sides are spelt out: a negated comparison of nullable columns would also match
        # the rows where both are empty.
        "contracts": Contract.objects.filter(
            Q(ft_registered=True, person__ft_registered=False)
            | Q(ft_registered=False, person__ft_registered=True)
            | Q(ft_registration_date__isnull=True, person__ft_registration_date__isnull=False)
            | Q(ft_registration_date__isnull=False, person__ft_registration_date__isnull=True)
            | Q(ft_registration_date__lt=F("person__ft_registration_date"))
            | Q(ft_registration_date__gt=F("person__ft_registration_date"))
            | ~Q(employment_status=F("person__employment_status")),
            person__anonymised_at__isnull=True,
        ),
    }


@dataclass(frozen=True)
class StaleRow:
    table: str
    pk: int
    directorate_id: int
    day: datetime.date


def _age_mismatch(frozen, narrow) -> list[StaleRow]:
    """Events whose stored ages disagree with the (living, dated) person's birth date.

    One pass over the events asked (`narrow`: a DT's month before an approval, all daily).
    """
    found = []
    persons = Person.objects.filter(anonymised_at__isnull=True, birth_date__isnull=False)
    for table, model in (
        ("convocations", Convocation),
        ("checks", EmploymentCheck),
        ("contracts", Contract),
    ):
        day_field = "signed_on" if model is Contract else "session_date"
        extra = ["accompaniment_date", "age_at_accompaniment"] if model is EmploymentCheck else []
        rows = (
            narrow(model.objects.filter(person__in=persons), model, values=False)
            .values_list(
                "pk", "directorate_id", day_field, "age_at_event", "person__birth_date", *extra
            )
            .iterator(chunk_size=5000)
        )
        for pk, directorate_id, day, age, birth, *more in rows:
            wrong = age != age_on(birth, day)
            if more and more[0] is not None:
                wrong = wrong or more[1] != age_on(birth, more[0])
            if wrong and (directorate_id, day.replace(day=1)) not in frozen:
                found.append(StaleRow(table, pk, directorate_id, day))
    return found


def stale_rows(
    directorate_id: int | None = None, month_start=None, month_end=None
) -> list[StaleRow]:
    """Every stale row (optionally of one DT and date range), approved months left aside for
    the person's facts."""
    frozen = people_services.frozen_months(
        [directorate_id] if directorate_id else _directorate_ids()
    )
    found: dict[tuple[str, int], StaleRow] = {}

    def narrowed(queryset, model, values=True):
        day_field = "signed_on" if model is Contract else "session_date"
        if directorate_id is not None:
            queryset = queryset.filter(directorate_id=directorate_id)
        if month_start is not None:
            queryset = queryset.filter(**{f"{day_field}__gte": month_start})
        if month_end is not None:
            queryset = queryset.filter(**{f"{day_field}__lt": month_end})
        return queryset.values_list("pk", "directorate_id", day_field) if values else queryset

    models_by_table = {
        "convocations": Convocation,
        "checks": EmploymentCheck,
        "contracts": Contract,
    }
    for table, queryset in _source_mismatch().items():
        for pk, dt, day in narrowed(queryset, models_by_table[table]):
            found[(table, pk)] = StaleRow(table, pk, dt, day)
    for table, queryset in _person_mismatch().items():
        for pk, dt, day in narrowed(queryset, models_by_table[table]):
            if table == "contracts" or (dt, day.replace(day=1)) not in frozen:
                found[(table, pk)] = StaleRow(table, pk, dt, day)
    for row in _age_mismatch(frozen, narrowed):
        found.setdefault((row.table, row.pk), row)
    return sorted(found.values(), key=lambda r: (r.table, r.pk))


def _directorate_ids():
    from parcours.territories.models import Directorate

    return Directorate.objects.values_list("pk", flat=True)


def stale_copies() -> dict[str, int]:
    """Stale rows per table (all zero when everything holds)."""
    counts = {"convocations": 0, "checks": 0, "contracts": 0}
    for row in stale_rows():
        counts[row.table] += 1
    return counts


@transaction.atomic
def repair_copies() -> dict[str, int]:
    """Set every stale copy from its source again; rows that were stale per table.

    Events of approved months keep the person's facts as approved (they are not stale).
    """
    rows = stale_rows()
    before = {"convocations": 0, "checks": 0, "contracts": 0}
    by_table: dict[str, list[int]] = {}
    for row in rows:
        before[row.table] += 1
        by_table.setdefault(row.table, []).append(row.pk)
    for convocation in Convocation.objects.filter(
        pk__in=by_table.get("convocations", [])
    ).select_related("session", "person"):
        convocation.fill_facts()
        _set_person_facts(convocation, convocation.person)
        convocation.save(update_fields=["directorate", "session_date", "sex", "age_at_event"])
    for check in EmploymentCheck.objects.filter(pk__in=by_table.get("checks", [])).select_related(
        "convocation", "convocation__person"
    ):
        convocation = check.convocation
        check.person_id = convocation.person_id
        check.directorate_id = convocation.directorate_id
        check.session_date = convocation.session_date
        _set_person_facts(check, convocation.person)
        check.save(
            update_fields=[
                "person",
                "directorate",
                "session_date",
                "sex",
                "age_at_event",
                "age_at_accompaniment",
            ]
        )
    for contract in Contract.objects.filter(pk__in=by_table.get("contracts", [])).select_related(
        "convocation", "person"
    ):
        contract.fill_facts()
        if contract.person.birth_date is not None and contract.person.anonymised_at is None:
            contract.age_at_event = age_on(contract.person.birth_date, contract.signed_on)
        contract.save(
            update_fields=[
                "directorate",
                "ft_registered",
                "ft_registration_date",
                "employment_status",
                "age_at_event",
            ]
        )
    if rows:
        logger.warning("event copies repaired: %s", before)
    return before


def _set_person_facts(row, person: Person) -> None:
    row.sex = person.sex
    if person.birth_date is not None and person.anonymised_at is None:
        row.age_at_event = age_on(person.birth_date, row.session_date)
        if getattr(row, "accompaniment_date", None) is not None:
            row.age_at_accompaniment = age_on(person.birth_date, row.accompaniment_date)
