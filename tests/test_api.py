"""API v1: token bound to a membership, same perimeter and matrix as the pages, OpenAPI."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from parcours.api.models import ApiToken
from parcours.organisations.roles import Role
from parcours.territories.models import Department
from tests.factories import PersonFactory, membership_for

pytestmark = pytest.mark.django_db


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_a_token_sees_the_persons_of_its_membership_perimeter_only():
    token, key = ApiToken.issue(membership_for(Role.INTEGRATION_AUDITOR), "SI de test")
    mine = PersonFactory(last_name="MOSELLE")
    PersonFactory(last_name="ALSACE", department=Department.objects.get(code="67"))
    response = Client().get("/api/v1/persons/", **bearer(key))
    assert response.status_code == 200
    names = [row["last_name"] for row in response.json()["results"]]
    assert names == ["MOSELLE"]
    assert Client().get(f"/api/v1/persons/{mine.pk}/", **bearer(key)).json()["id"] == mine.pk
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_person_outside_the_perimeter_is_a_404():
    _, key = ApiToken.issue(membership_for(Role.INTEGRATION_AUDITOR), "SI")
    other = PersonFactory(department=Department.objects.get(code="67"))
    assert Client().get(f"/api/v1/persons/{other.pk}/", **bearer(key)).status_code == 404


def test_aggregate_only_roles_get_403_from_person_endpoints():
    _, key = ApiToken.issue(membership_for(Role.REGIONAL_VIEWER), "SI DREETS")
    PersonFactory()
    response = Client().get("/api/v1/persons/", **bearer(key))
    assert response.status_code == 403
    assert "last_name" not in response.content.decode()


def test_a_partner_token_lists_nobody_never_referred_to_it():
    _, key = ApiToken.issue(membership_for(Role.PARTNER_COUNSELLOR), "SI partenaire")
    person = PersonFactory()
    assert Client().get("/api/v1/persons/", **bearer(key)).json()["results"] == []
    assert Client().get(f"/api/v1/persons/{person.pk}/", **bearer(key)).status_code == 404


@pytest.mark.parametrize(
    "spoil",
    [
        lambda t: setattr(t, "revoked_at", timezone.now()),
        lambda t: setattr(t, "expires_at", timezone.now() - datetime.timedelta(days=1)),
    ],
    ids=["revoked", "expired"],
)
def test_revoked_or_expired_tokens_are_refused(spoil):
    token, key = ApiToken.issue(membership_for(Role.INTEGRATION_AUDITOR), "SI")
    spoil(token)
    token.save()
    response = Client().get("/api/v1/persons/", **bearer(key))
    assert response.status_code == 401
    assert "expiré ou révoqué" in response.json()["detail"]


def test_a_deactivated_membership_disables_its_tokens():
    membership = membership_for(Role.INTEGRATION_AUDITOR)
    _, key = ApiToken.issue(membership, "SI")
    membership.is_active = False
    membership.save()
    assert Client().get("/api/v1/persons/", **bearer(key)).status_code == 401


def test_only_the_hash_of_the_key_is_stored():
    token, key = ApiToken.issue(membership_for(Role.INTEGRATION_AUDITOR), "SI")
    assert key.startswith("prc_")
    assert key not in {token.key_hash, token.prefix}
    assert ApiToken.objects.filter(key_hash__contains=key).count() == 0


def test_the_signed_in_browser_session_works_with_the_current_membership(client_for):
    client = client_for(Role.RECEPTION_AGENT)
    PersonFactory(last_name="MOSELLE")
    assert client.get("/api/v1/persons/?q=moselle").json()["count"] == 1


def test_person_list_runs_a_fixed_number_of_queries(django_assert_max_num_queries):
    _, key = ApiToken.issue(membership_for(Role.INTEGRATION_AUDITOR), "SI")
    PersonFactory.create_batch(40)
    client = Client()
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/persons/", **bearer(key)).json()["count"] == 40


def test_openapi_document_describes_the_endpoints():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Parcours API"
    assert "/api/v1/persons/" in schema["paths"]
    assert "/api/v1/persons/{id}/" in schema["paths"]


def test_swagger_ui_is_served_from_the_application():
    response = Client().get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()


def test_every_person_returned_by_the_api_is_access_logged():
    from parcours.privacy.models import AccessLog

    membership = membership_for(Role.INTEGRATION_AUDITOR)
    _, key = ApiToken.issue(membership, "SI")
    people = PersonFactory.create_batch(3)
    Client().get("/api/v1/persons/", **bearer(key))
    Client().get(f"/api/v1/persons/{people[0].pk}/", **bearer(key))
    logs = list(AccessLog.objects.order_by("pk"))
    assert [log.operation for log in logs] == ["api_read", "api_read"]
    assert [log.person_count for log in logs] == [3, 1]
    assert all(log.role == Role.INTEGRATION_AUDITOR for log in logs)
