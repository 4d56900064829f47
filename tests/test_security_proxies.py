"""Throttling behind reverse proxies, and its unlock path for admins (issue 10, door 8).

Door 8: failures are also counted per address; behind a reverse proxy every user shares the
proxy's address, so anyone could lock everybody out for 15 minutes. The number of trusted
proxies is now a required production setting, and the client address is the one the
outermost trusted proxy appended to X-Forwarded-For.
"""

import datetime

import pytest
from django.test import Client, RequestFactory

from parcours.accounts.throttling import client_ip
from parcours.organisations.roles import Role
from tests.factories import PASSWORD, MembershipFactory, UserFactory, membership_for
from tests.helpers import page_text
from tests.test_security_deploy import check_deploy

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"


@pytest.fixture
def behind_one_proxy(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    settings.PARCOURS_TRUSTED_PROXIES = 1
    return settings


def through_proxy(client_address, forged=""):
    """A browser behind the deployment's nginx: the proxy appends the address it saw."""
    forwarded = f"{forged}, {client_address}" if forged else client_address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def sign_in(client, email, password):
    return client.post("/connexion/", {"username": email, "password": password})


def test_attack_8_one_address_trying_many_accounts_does_not_lock_everybody_out(
    behind_one_proxy,
):
    attacker = through_proxy("203.0.113.7")
    for index in range(5):
        sign_in(attacker, f"victime{index}@example.org", "wrong-password")
    assert sign_in(attacker, UserFactory().email, PASSWORD).status_code == 429
    # Everyone else comes through the same proxy, from their own address.
    honest = UserFactory()
    assert sign_in(through_proxy("198.51.100.2"), honest.email, PASSWORD).status_code == 302


def test_a_forged_forwarded_address_is_left_of_the_proxys_and_never_read(behind_one_proxy):
    for index in range(3):
        forged = through_proxy("203.0.113.7", forged=f"192.0.2.{index}")
        sign_in(forged, f"nobody{index}@example.org", "wrong-password")
    again = through_proxy("203.0.113.7", forged="192.0.2.99")
    assert sign_in(again, UserFactory().email, PASSWORD).status_code == 429


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.2", PROXY),  # no proxy trusted: the socket's address
        (1, "198.51.100.2", "198.51.100.2"),
        (1, "192.0.2.1, 198.51.100.2", "198.51.100.2"),
        (2, "192.0.2.1, 198.51.100.2, 10.0.0.2", "198.51.100.2"),
        (2, "198.51.100.2", PROXY),  # did not cross both proxies
        (1, "not-an-address", PROXY),
        (1, "", PROXY),
    ],
)
def test_the_client_address_is_read_from_the_trusted_proxies_only(
    settings, proxies, forwarded, expected
):
    settings.PARCOURS_TRUSTED_PROXIES = proxies
    meta = {"REMOTE_ADDR": PROXY}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_ip(RequestFactory().get("/", **meta)) == expected


def test_production_must_declare_its_trusted_proxies():
    result = check_deploy(PARCOURS_TRUSTED_PROXIES="")
    assert result.returncode != 0
    assert "parcours.E004" in result.stdout + result.stderr
    assert check_deploy(PARCOURS_TRUSTED_PROXIES="0").returncode == 0


# The unlock path --------------------------------------------------------------------------------


def locked(user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _attempt in range(3):
        sign_in(Client(), user.email, "wrong-password")
    assert sign_in(Client(), user.email, PASSWORD).status_code == 429


def admin_client(membership):
    client = Client(REMOTE_ADDR="198.51.100.9")
    client.force_login(membership.user)
    return client


def test_a_dt_admin_unlocks_an_agent_of_its_dt(settings):
    admin = membership_for(Role.DT_ADMIN)
    agent = MembershipFactory(organisation=admin.organisation, role=Role.RECEPTION_AGENT)
    locked(agent.user, settings)
    client = admin_client(admin)
    page = page_text(client.get("/compte/comptes-bloques/"))
    assert agent.user.email in page and "Bloqué" in page
    response = client.post("/compte/comptes-bloques/", {"user": agent.user.pk}, follow=True)
    assert f"Le compte {agent.user.email} est débloqué." in page_text(response)
    assert sign_in(Client(), agent.user.email, PASSWORD).status_code == 302


def test_an_admin_cannot_see_or_unlock_an_account_it_does_not_manage(settings):
    admin = membership_for(Role.DT_ADMIN)
    stranger = membership_for(Role.RECEPTION_AGENT, directorate_code="strasbourg")
    locked(stranger.user, settings)
    client = admin_client(admin)
    assert stranger.user.email not in page_text(client.get("/compte/comptes-bloques/"))
    assert client.post("/compte/comptes-bloques/", {"user": stranger.user.pk}).status_code == 404
    assert client.post("/compte/comptes-bloques/", {"user": "x"}).status_code == 404
    assert sign_in(Client(), stranger.user.email, PASSWORD).status_code == 429
