"""Shared fixtures: signed-in clients per role, built on the factories."""

import pytest
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
