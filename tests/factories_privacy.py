"""Factories of the data-protection tests: access-log rows, persons with a given last step."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from parcours.people import services as people_services
from parcours.people.models import Person
from parcours.privacy.models import AccessLog, AccessLogPerson


class AccessLogFactory(DjangoModelFactory):
    class Meta:
        model = AccessLog
        skip_postgeneration_save = True

    at = factory.LazyFunction(timezone.now)
    operation = "person_read"
    path_name = "person_detail"
    role = "integration_auditor"

    @factory.post_generation
    def person_list(obj, create, extracted, **kwargs):
        if create and extracted:
            AccessLogPerson.objects.bulk_create(
                [AccessLogPerson(log=obj, person=person) for person in extracted]
            )


def months_ago(months: int, now=None) -> datetime.datetime:
    from parcours.privacy.rules import subtract_months

    return subtract_months(now or timezone.now(), months)


def set_last_step(person, when) -> Person:
    """Pretend the file was last changed at `when` (update() leaves auto_now alone)."""
    people_services.set_bookkeeping([person.pk], updated_at=when)
    person.refresh_from_db()
    return person
