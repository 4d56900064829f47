"""Schemathesis against the OpenAPI document (issue 14): every operation, every check.

The document is loaded from the application itself (`/api/v1/openapi.json`, in process) and
each operation is called with generated valid and invalid parameters, with a bearer token of
a DT membership whose perimeter holds people (one never positioned, one without
nationality). Every answer must match the document: status codes, content types, bodies,
refused invalid input, accepted valid input, and authentication enforced.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from parcours.api.models import ApiToken
from parcours.organisations.roles import Role
from tests.factories import PersonFactory, membership_for


@pytest.fixture
def keep_connection():
    """The WSGI handler closes the database connection after each request, which would end the
    test's transaction on PostgreSQL; Django's test client unhooks the same signal."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db, keep_connection):
    PersonFactory(language_level="", nationality=None)
    PersonFactory(language_level="a2")
    _, key = ApiToken.issue(membership_for(Role.INTEGRATION_AUDITOR), "SI de test")
    return key


# Schemathesis calls the application as "localhost". The document itself holds no data, so
# it is read once at collection (the lazy loader does not support pytest 9 yet).
with override_settings(ALLOWED_HOSTS=["testserver", "localhost"]):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@schema.parametrize()
@hypothesis_settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_api_operation_keeps_its_documented_promises(case, token, settings):
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
