"""Factories of the reception day: sessions, convocations with traits, the CIP experiment."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from parcours.people.ages import age_on
from parcours.reception.models import (
    AttendanceStatus,
    CipExperiment,
    Convocation,
    HalfDay,
    ReceptionSession,
)
from tests.factories import PersonFactory, directorate

METZ_EXPERIMENT = (datetime.date(2025, 12, 8), datetime.date(2026, 11, 30))
# A day inside the Metz experiment (seed 001), in the past whatever the machine's date.
IN_EXPERIMENT = datetime.date(2026, 1, 27)


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = ReceptionSession

    directorate = factory.LazyFunction(lambda: directorate("metz"))
    date = factory.LazyFunction(timezone.localdate)
    half_day = HalfDay.MORNING
    start_time = datetime.time(8, 30)
    place = factory.Sequence(lambda n: f"Salle {n}")
    address = "2, rue Lafayette, 57000 Metz"
    capacity = 12


class ConvocationFactory(DjangoModelFactory):
    class Meta:
        model = Convocation

    session = factory.SubFactory(SessionFactory)
    person = factory.SubFactory(PersonFactory)
    status = AttendanceStatus.PENDING
    # As services.convoke stores it (the daily copy check compares it with the birth date).
    age_at_event = factory.LazyAttribute(lambda o: age_on(o.person.birth_date, o.session.date))

    class Params:
        present = factory.Trait(status=AttendanceStatus.PRESENT)
        absent = factory.Trait(status=AttendanceStatus.ABSENT)
        excused = factory.Trait(status=AttendanceStatus.EXCUSED)


def metz_experiment(**overrides) -> CipExperiment:
    """The Metz CIP experiment (seed 001), whether or not the data migration ran."""
    experiment, _ = CipExperiment.objects.update_or_create(
        directorate=directorate("metz"),
        starts_on=overrides.pop("starts_on", METZ_EXPERIMENT[0]),
        defaults={"name": "Expérimentation CIP Metz", "ends_on": METZ_EXPERIMENT[1], **overrides},
    )
    return experiment
