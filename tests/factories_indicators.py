"""Factories for the indicator tests: pathway records built directly, ages computed as stored.

The records are created without the reception services on purpose: indicator tests need
people at exact ages, in any month, with any answers, whatever the services would allow on
the day the test runs. The one test that enters the seed's day goes through the services.
"""

import datetime

import factory
from factory.django import DjangoModelFactory

from parcours.indicators.bands import age_on
from parcours.reception.models import (
    Accompaniment,
    AttendanceStatus,
    Contract,
    Convocation,
    EmploymentCheck,
    HalfDay,
    ReceptionSession,
)
from parcours.reception.rules import OUT_OF_SCOPE_SITUATIONS
from tests.factories import PersonFactory, UserFactory, directorate


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = ReceptionSession

    directorate = factory.LazyFunction(lambda: directorate("metz"))
    date = datetime.date(2026, 1, 27)
    half_day = HalfDay.MORNING
    start_time = datetime.time(8, 30)
    place = factory.Sequence(lambda n: f"Salle {n}")
    address = "2, rue Lafayette, 57000 Metz"


class ConvocationFactory(DjangoModelFactory):
    class Meta:
        model = Convocation

    session = factory.SubFactory(SessionFactory)
    person = factory.SubFactory(PersonFactory)
    status = AttendanceStatus.PRESENT
    age_at_event = factory.LazyAttribute(lambda o: age_on(o.person.birth_date, o.session.date))


class EmploymentCheckFactory(DjangoModelFactory):
    class Meta:
        model = EmploymentCheck

    convocation = factory.SubFactory(ConvocationFactory)
    counsellor = factory.SubFactory(UserFactory)
    situation = "job_seeker"
    in_scope = factory.LazyAttribute(lambda o: o.situation not in OUT_OF_SCOPE_SITUATIONS)
    age_at_event = factory.LazyAttribute(
        lambda o: age_on(o.convocation.person.birth_date, o.convocation.session.date)
    )

    class Params:
        registered = factory.Trait(
            registered_today=True,
            ft_identifier="1234567A",
            ft_registration_date=factory.LazyAttribute(lambda o: o.convocation.session.date),
        )


class ContractFactory(DjangoModelFactory):
    class Meta:
        model = Contract

    person = factory.SubFactory(PersonFactory)
    signed_on = datetime.date(2026, 1, 27)
    signed_by = factory.SubFactory(UserFactory)
    age_at_event = factory.LazyAttribute(lambda o: age_on(o.person.birth_date, o.signed_on))


def born(age: int, on: datetime.date) -> datetime.date:
    """A birth date giving exactly `age` on `on` (birthday that very day)."""
    return on.replace(year=on.year - age)


def check_on(day: datetime.date, *, person=None, dt="metz", **fields) -> EmploymentCheck:
    """A CIP interview at a session of `dt` on `day` (one session per DT and day)."""
    session = ReceptionSession.objects.filter(directorate__code=dt, date=day).first()
    if session is None:
        session = SessionFactory(directorate=directorate(dt), date=day)
    person = person or PersonFactory()
    convocation = ConvocationFactory(session=session, person=person)
    return EmploymentCheckFactory(convocation=convocation, **fields)


def accompanied(check: EmploymentCheck, day: datetime.date) -> EmploymentCheck:
    check.first_appointment_date = day
    check.accompaniment = Accompaniment.DONE
    check.accompaniment_date = day
    check.age_at_accompaniment = age_on(check.person.birth_date, day)
    check.save()
    return check
