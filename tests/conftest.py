"""Shared fixtures: signed-in clients per role, built on the factories."""

import contextlib
import sqlite3

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.db.utils import load_backend
from django.test import Client

from parcours.organisations.roles import Role
from tests.factories import membership_for

TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server"}


def pytest_collection_modifyitems(items):
    """Tests on committed data may use the read replica too: the same database here.

    The "replica" alias is a test mirror of "default" (tests/settings.py) and Django refuses
    queries to an alias a test did not declare. Only tests outside a transaction need it: inside
    one the router reads the primary (parcours.core.replica), and declaring the mirror there
    would open a second transaction on it.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        args, kwargs = (marker.args, dict(marker.kwargs)) if marker else ((), {})
        transactional = kwargs.get("transaction", args[0] if args else False)
        if not (transactional or TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ()))):
            continue
        if "databases" in kwargs or len(args) > 2:
            continue  # the test chose its databases
        kwargs["databases"] = ["default", "replica"]
        item.add_marker(pytest.mark.django_db(*args, **kwargs), append=False)


@pytest.fixture
def client_for(db):
    """Return a function giving a signed-in test client for a role (and its membership)."""

    def make(role: str = Role.INTEGRATION_AUDITOR, *, directorate_code: str = "metz"):
        membership = membership_for(role, directorate_code=directorate_code)
        client = Client()
        client.force_login(membership.user)
        client.membership = membership
        return client

    return make


@pytest.fixture(autouse=True)
def french_by_default():
    """Each test starts in French: a request made in English leaves its language active in the
    thread (LocaleMiddleware does not reset it), which must not leak into the next test."""
    from django.utils import translation

    translation.activate("fr")
    yield
    translation.activate("fr")


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory, django_db_blocker):
    """A SQLite file database migrated once for the session (reference data included), that
    `sqlite_file_database` copies for each test instead of migrating again (half a minute)."""
    path = tmp_path_factory.mktemp("migrated") / "migrated.sqlite3"
    with django_db_blocker.unblock(), sqlite_file_database(path):
        call_command("migrate", verbosity=0, skip_checks=True)  # loads reference data too
    return path


@contextlib.contextmanager
def sqlite_file_database(path, template=None):
    """Serve the "default" alias from the SQLite file `path` (a copy of `template` if given),
    then put the suite's database back.

    New connections (the threads' own) read connections.settings, so it is swapped too. A
    copy is byte for byte the migrated database, so the content types cached in this process
    are dropped: they are read again from the file, as a fresh migrate would have them.
    """
    from django.contrib.contenttypes.models import ContentType

    if template is not None:
        source, target = sqlite3.connect(template), sqlite3.connect(path)
        try:
            source.backup(target)  # what the WAL holds included, unlike a file copy
        finally:
            source.close()
            target.close()
    original_settings = connections.settings["default"]
    original_wrapper = connections["default"]
    file_settings = {**original_settings, "NAME": str(path)}
    backend = load_backend(file_settings["ENGINE"])
    connections.settings["default"] = file_settings  # read by the threads' new connections
    connections["default"] = backend.DatabaseWrapper(file_settings, "default")
    ContentType.objects.clear_cache()
    try:
        yield
    finally:
        connections["default"].close()
        connections["default"] = original_wrapper
        connections.settings["default"] = original_settings
        ContentType.objects.clear_cache()


@pytest.fixture
def threaded_db(transactional_db, request, tmp_path):
    """A committed database that threads can each open their own connection to.

    PostgreSQL (and a file-based SQLite test database, SQLITE_TEST_NAME) serve as they are.
    The default in-memory SQLite test database cannot: its shared-cache locks are table locks
    that ignore the busy timeout, so concurrent writers fail instead of waiting. There the test
    runs on a freshly migrated file database, as production SQLite would (WAL, IMMEDIATE
    transactions, 20 s timeout from settings), and puts the in-memory one back afterwards.
    The file is a copy of one migrated once for the session (`migrated_sqlite_file`).
    """
    from parcours.employment.loaders import load_rome
    from parcours.people.loaders import load_languages
    from parcours.territories.loaders import load_territories

    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        load_territories()
        load_languages()
        load_rome()
        yield
        return
    template = request.getfixturevalue("migrated_sqlite_file")
    with sqlite_file_database(tmp_path / "concurrency.sqlite3", template):
        yield
