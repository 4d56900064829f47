"""The read replica: figures and exports read from it, writes and other pages stay on the primary.

In the suite the "replica" alias is a test mirror of the default database (tests/settings.py),
so what the router sends there reads the same rows; a separate connection all the same, whose
statements are counted apart.
"""

import datetime

import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from parcours.core.replica import REPLICA, ReplicaRouter, read_alias, reading_replica
from parcours.organisations.roles import Role
from parcours.people.models import Person
from tests.factories import PersonFactory, membership_for
from tests.factories_indicators import born, check_on

DAY = datetime.date(2026, 1, 27)
JANUARY = "?start=2026-01&end=2026-01"


@pytest.fixture(autouse=True)
def reference_data(request):
    """Tests on committed data start from an emptied database: reload the reference tables."""
    if not request.node.get_closest_marker("django_db").kwargs.get("transaction"):
        return
    from parcours.people.loaders import load_languages
    from parcours.territories.loaders import load_territories

    request.getfixturevalue("transactional_db")
    load_territories()
    load_languages()


def _signed_in(role):
    client = Client()
    client.force_login(membership_for(role).user)
    return client


def _report_selects(queries) -> list[str]:
    return [q["sql"] for q in queries if "reception_employmentcheck" in q["sql"]]


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_figures_are_read_from_the_replica():
    for _ in range(3):
        check_on(DAY, person=PersonFactory(sex="F", birth_date=born(30, DAY)))
    client = _signed_in(Role.DT_DIRECTOR)
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = client.get("/chiffres/" + JANUARY)
    assert response.status_code == 200
    # The replica holds the same rows: the page shows the three interviews of the month.
    table = response.context["board"].document.sections[0].blocks[0].published
    assert table.value("F", "26-45") == 3
    assert _report_selects(replica.captured_queries)
    assert not _report_selects(primary.captured_queries)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_exports_are_read_from_the_replica():
    client = _signed_in(Role.DT_DIRECTOR)
    with CaptureQueriesContext(connections[REPLICA]) as replica:
        response = client.get("/chiffres/export.csv" + JANUARY)
    assert response.status_code == 200
    assert _report_selects(replica.captured_queries)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_other_pages_read_the_primary():
    client = _signed_in(Role.RECEPTION_AGENT)
    with CaptureQueriesContext(connections[REPLICA]) as replica:
        response = client.get("/personnes/")
    assert response.status_code == 200
    assert replica.captured_queries == []


@pytest.mark.django_db
def test_inside_a_transaction_the_figures_read_the_primary(client_for):
    """A request that wrote in a transaction reads its own writes (and tests stay exact)."""
    check_on(DAY, person=PersonFactory(sex="F", birth_date=born(30, DAY)))
    # Any query sent to the replica would fail here: the test declares the primary only.
    response = client_for(Role.DT_DIRECTOR).get("/chiffres/" + JANUARY)
    table = response.context["board"].document.sections[0].blocks[0].published
    assert table.value("F", "26-45") == 1
    with reading_replica():
        assert read_alias() == "default"


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_writes_and_migrations_always_go_to_the_primary():
    router = ReplicaRouter()
    with reading_replica():
        assert read_alias() == REPLICA
        assert router.db_for_read(Person) == REPLICA
        assert router.db_for_write(Person) == "default"
    assert read_alias() == "default"
    assert router.allow_migrate("default", "people")
    assert not router.allow_migrate(REPLICA, "people")
