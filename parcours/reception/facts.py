"""Keeping the copies of session and person facts on convocations and CIP interviews right.

The figures read the directorate, session date and sex copied on each event (ADR 0007). They
are written when the row is created (`EventFacts.fill_facts`); this module moves them along
when their source changes and finds any row where they no longer agree with it, so a data fix
made outside the services (a shell, a bulk update) can be detected and repaired.
"""

from __future__ import annotations

import datetime

from django.db.models import F, Q

from parcours.reception.models import Convocation, EmploymentCheck


def follow_session_date(session_id: int, date: datetime.date) -> None:
    """A session moved to another day: its events' copies follow (ages are the caller's)."""
    Convocation.objects.filter(session_id=session_id).update(session_date=date)
    EmploymentCheck.objects.filter(convocation__session_id=session_id).update(session_date=date)


def follow_sex(person_id: int, sex: str) -> int:
    """A person's sex was corrected: their events count under the new value. Rows updated."""
    return Convocation.objects.filter(person_id=person_id).exclude(sex=sex).update(
        sex=sex
    ) + EmploymentCheck.objects.filter(person_id=person_id).exclude(sex=sex).update(sex=sex)


def stale_copies() -> dict[str, int]:
    """Rows whose copies disagree with their source, per table (all zero when everything holds)."""
    convocations = Convocation.objects.filter(
        ~Q(directorate=F("session__directorate"))
        | ~Q(session_date=F("session__date"))
        | ~Q(sex=F("person__sex"))
    )
    checks = EmploymentCheck.objects.filter(
        ~Q(person=F("convocation__person"))
        | ~Q(directorate=F("convocation__session__directorate"))
        | ~Q(session_date=F("convocation__session__date"))
        | ~Q(sex=F("convocation__person__sex"))
    )
    return {"convocations": convocations.count(), "checks": checks.count()}


def repair_copies() -> dict[str, int]:
    """Set every copy from its source again; rows that were stale per table (for a data fix).

    Runs the statements of the migration that first filled the copies (one UPDATE per table).
    """
    import importlib
    import types

    from django.apps import apps
    from django.db import connection, transaction

    backfill = importlib.import_module("parcours.reception.migrations.0004_backfill_event_facts")
    before = stale_copies()
    if any(before.values()):
        with transaction.atomic(), connection.cursor() as cursor:
            backfill.fill(
                apps, types.SimpleNamespace(connection=connection, execute=cursor.execute)
            )
    return before
