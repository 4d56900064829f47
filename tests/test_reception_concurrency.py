"""Agents racing for the last seats of a session: never more convocations than seats."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from parcours.reception import services
from parcours.reception.models import Convocation
from tests.factories import PersonFactory
from tests.factories_reception import SessionFactory

pytestmark = [pytest.mark.transactional, pytest.mark.django_db(transaction=True)]

AGENTS = 20
CAPACITY = 12


def test_twenty_agents_filling_a_12_seat_session_convoke_exactly_12(threaded_db):
    session = SessionFactory(capacity=CAPACITY)
    people = PersonFactory.create_batch(AGENTS)
    start = threading.Barrier(AGENTS)
    refused = []

    def convoke(person):
        try:
            start.wait()
            services.convoke(session, person, actor=None)
        except ValidationError as error:
            refused.append(error.messages)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=convoke, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Convocation.objects.filter(session=session).count() == CAPACITY
    assert len(refused) == AGENTS - CAPACITY
    assert all("La session est complète" in " ".join(messages) for messages in refused)
