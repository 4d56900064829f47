"""Agents racing for the last seats of a session: never more convocations than seats."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, connections
from django.db.utils import load_backend

from parcours.reception import services
from parcours.reception.models import Convocation
from tests.factories import PersonFactory
from tests.factories_reception import SessionFactory

pytestmark = [pytest.mark.transactional, pytest.mark.django_db(transaction=True)]

AGENTS = 20
CAPACITY = 12


@pytest.fixture
def threaded_db(transactional_db, tmp_path):
    """A committed database each thread opens its own connection to.

    PostgreSQL serves as it is. The in-memory SQLite test database cannot (its shared-cache
    table locks ignore the busy timeout), so on SQLite the test runs on a migrated file
    database, as production SQLite would (WAL, IMMEDIATE transactions, busy timeout).
    """
    from parcours.people.loaders import load_languages
    from parcours.territories.loaders import load_territories

    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        load_territories()
        load_languages()
        yield
        return
    original_settings, original_wrapper = connections.settings["default"], connections["default"]
    file_settings = {**original_settings, "NAME": str(tmp_path / "reception.sqlite3")}
    connections.settings["default"] = file_settings
    connections["default"] = load_backend(file_settings["ENGINE"]).DatabaseWrapper(
        file_settings, "default"
    )
    try:
        call_command("migrate", verbosity=0, skip_checks=True)
        yield
    finally:
        connections["default"].close()
        connections["default"] = original_wrapper
        connections.settings["default"] = original_settings


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
