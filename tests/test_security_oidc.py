"""Sign-in through the agents' identity federation: a real OIDC flow against a local provider."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from parcours.organisations.roles import Role
from tests.factories import UserFactory, membership_for
from tests.helpers import page_text
from tests.oidc_provider import OIDCProvider

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(settings, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    server = OIDCProvider(claims={"sub": "agent-42", "email": "Agent.Metz@interieur.gouv.fr"})
    server.start()
    for name, value in server.settings().items():
        setattr(settings, name, value)
    yield server
    server.stop()


def federation_sign_in(client, next_url="/personnes/"):
    """Drive the browser's part of the flow: app → provider → app (callback)."""
    start = client.get("/compte/proconnect/", {"next": next_url})
    assert start.status_code == 302
    authorize = start["Location"]
    assert authorize.startswith("http://127.0.0.1:")
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    answer = requests.get(authorize, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    callback = urlsplit(answer.headers["Location"])
    assert callback.path == "/compte/proconnect/retour/"
    return client.get(f"{callback.path}?{callback.query}")


def test_the_provider_publishes_its_discovery_document(provider):
    document = requests.get(f"{provider.url}/.well-known/openid-configuration", timeout=5).json()
    assert (
        document["authorization_endpoint"] == provider.settings()["OIDC_OP_AUTHORIZATION_ENDPOINT"]
    )
    assert document["jwks_uri"].endswith("/jwks")


def test_an_agent_signs_in_with_the_federation_and_lands_on_the_page_asked(provider):
    user = membership_for(Role.INTEGRATION_AUDITOR).user
    user.email = "agent.metz@interieur.gouv.fr"  # matched whatever the case
    user.save()
    client = Client()
    response = federation_sign_in(client)
    assert response.status_code == 302
    assert response["Location"] == "/personnes/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session["_auth_user_backend"] == "parcours.accounts.oidc.ParcoursOIDCBackend"
    assert client.get("/personnes/").status_code == 200


def test_an_address_without_an_account_is_refused_and_no_account_is_created(provider):
    from parcours.accounts.models import User

    before = User.objects.count()
    client = Client()
    response = federation_sign_in(client)
    assert response["Location"] == "/connexion/"
    assert "_auth_user_id" not in client.session
    assert "n'est pas celle d'un compte actif de Parcours" in page_text(client.get("/connexion/"))
    assert User.objects.count() == before


def test_a_deactivated_account_cannot_sign_in_through_the_federation(provider):
    UserFactory(email="agent.metz@interieur.gouv.fr", is_active=False)
    client = Client()
    federation_sign_in(client)
    assert "_auth_user_id" not in client.session


def test_an_address_the_provider_has_not_verified_is_refused(provider):
    provider.claims["email_verified"] = False
    UserFactory(email="agent.metz@interieur.gouv.fr")
    client = Client()
    federation_sign_in(client)
    assert "_auth_user_id" not in client.session


def test_an_id_token_not_signed_by_the_provider_is_refused(provider):
    UserFactory(email="agent.metz@interieur.gouv.fr")
    provider.signing_key = OIDCProvider._new_key()  # same key id, another private key
    client = Client()
    response = federation_sign_in(client)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_callback_with_a_forged_state_is_refused(provider):
    UserFactory(email="agent.metz@interieur.gouv.fr")
    client = Client()
    client.get("/compte/proconnect/")
    response = client.get("/compte/proconnect/retour/", {"code": "stolen", "state": "forged"})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_the_federation_does_not_replace_the_second_factor(provider, settings):
    settings.PARCOURS_TOTP_ENFORCED = True
    settings.PARCOURS_DEMO_SKIP_2FA = False
    membership_for(Role.DT_DIRECTOR, user=UserFactory(email="agent.metz@interieur.gouv.fr"))
    client = Client()
    federation_sign_in(client, next_url="/")
    assert client.get("/")["Location"].startswith("/compte/double-authentification/")


def test_the_login_page_offers_the_federation_when_configured(provider):
    text = page_text(Client().get("/connexion/"))
    assert "S'identifier avec ProConnect" in text


def test_without_configuration_the_federation_is_off():
    client = Client()
    assert client.get("/compte/proconnect/").status_code == 404
    assert client.get("/compte/proconnect/retour/", {"code": "x", "state": "y"}).status_code == 404
    assert "ProConnect" not in page_text(client.get("/connexion/"))
