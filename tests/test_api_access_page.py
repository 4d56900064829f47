"""The API access page (issue 17): a user's own tokens, shown once, revocable; a partner
administrator's webhook endpoints, HTTPS only, with the delivery log."""

import pytest
from django.test import Client

from parcours.api.models import ApiToken, WebhookEndpoint
from parcours.organisations.roles import Role
from tests.factories import membership_for
from tests.factories_api import bearer, token_key
from tests.permissions_walk import signed_in_client

pytestmark = pytest.mark.django_db
URL = "/compte/acces-api/"


def test_a_token_created_on_the_page_is_shown_once_and_works():
    client = signed_in_client(Role.INTEGRATION_AUDITOR)
    response = client.post(
        URL,
        {
            "action": "create_token",
            "token-name": "Logiciel de suivi",
            "token-scope": "read",
            "token-validity_days": "30",
        },
    )
    assert response.status_code == 200
    key = response.context["shown_key"]
    assert key.startswith("prc_") and key in response.content.decode()
    token = ApiToken.objects.get()
    assert token.membership == client.membership and token.scope == "read"
    assert token.expires_at is not None
    assert key not in client.get(URL).content.decode()
    assert Client(**bearer(key)).get("/api/v1/schemes/").status_code == 200


def test_a_revoked_token_stops_working_and_only_ones_own_tokens_can_be_revoked():
    client = signed_in_client(Role.INTEGRATION_AUDITOR)
    mine = token_key(client.membership)
    other_key = token_key(membership_for(Role.INTEGRATION_AUDITOR))
    other = ApiToken.objects.exclude(membership=client.membership).get()
    assert client.post(URL, {"action": "revoke_token", "id": other.pk}).status_code == 404
    own = ApiToken.objects.get(membership=client.membership)
    assert client.post(URL, {"action": "revoke_token", "id": own.pk}).status_code == 302
    assert Client(**bearer(mine)).get("/api/v1/schemes/").status_code == 401
    assert Client(**bearer(other_key)).get("/api/v1/schemes/").status_code == 200


def test_bad_input_gets_a_french_message_and_saves_nothing():
    client = signed_in_client(Role.INTEGRATION_AUDITOR)
    response = client.post(
        URL, {"action": "create_token", "token-name": "", "token-validity_days": "7"}
    )
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in response.content.decode()
    assert ApiToken.objects.count() == 0
    assert client.post(URL, {"action": "revoke_token", "id": "x"}).status_code == 404


def test_a_partner_admin_registers_an_https_endpoint_only():
    client = signed_in_client(Role.PARTNER_ADMIN)
    refused = client.post(URL, {"action": "add_endpoint", "endpoint-url": "http://si.example.org/"})
    assert "https://" in refused.content.decode()
    assert WebhookEndpoint.objects.count() == 0
    response = client.post(
        URL, {"action": "add_endpoint", "endpoint-url": "https://si.example.org/hook"}
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.organisation == client.membership.organisation
    assert response.context["shown_secret"] == endpoint.secret
    assert endpoint.secret not in client.get(URL).content.decode()


def test_other_roles_see_no_webhook_section_and_cannot_post_one():
    client = signed_in_client(Role.PARTNER_COUNSELLOR)
    assert "Évènements envoyés" not in client.get(URL).content.decode()
    response = client.post(
        URL, {"action": "add_endpoint", "endpoint-url": "https://si.example.org/hook"}
    )
    assert response.status_code == 404
    assert WebhookEndpoint.objects.count() == 0
