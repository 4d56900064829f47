"""Shared fixtures: signed-in clients per role, built on the factories."""

import pytest
from django.test import Client

from parcours.organisations.roles import Role
from tests.factories import membership_for


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
