"""The second factor follows the person: every pair of memberships a user can hold (issue 10).

Door 3: the requirement was decided on the membership in use, and the admin opened to anyone
holding a national admin membership anywhere, so a national admin who also held a partner
membership signed in with the password only and reached /admin/ with write access.
"""

import itertools

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from parcours.accounts.two_factor import role_requires_totp
from parcours.organisations.middleware import SESSION_KEY
from parcours.organisations.roles import Role
from tests.factories import PASSWORD, UserFactory, membership_for

pytestmark = pytest.mark.django_db

VERIFY = "/compte/double-authentification/"
SECOND_FACTOR = VERIFY  # the verification page, or the enrolment page below it
PAIRS = list(itertools.combinations(list(Role), 2))


@pytest.fixture(autouse=True)
def enforced(settings):
    settings.PARCOURS_TOTP_ENFORCED = True
    settings.PARCOURS_DEMO_SKIP_2FA = False


def code(device) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def signed_in_with(*roles):
    """A user holding one membership per role (DT roles in two different DTs), signed in with
    the password only, through the real sign-in page; paired with a phone when a role asks."""
    user = UserFactory()
    dts = iter(["metz", "strasbourg"])
    memberships = [
        membership_for(role, user=user, directorate_code=next(dts))
        if role
        in {
            Role.RECEPTION_AGENT,
            Role.INTEGRATION_AUDITOR,
            Role.ASYLUM_AUDITOR,
            Role.DT_DIRECTOR,
            Role.DT_ADMIN,
        }
        else membership_for(role, user=user)
        for role in roles
    ]
    device = None
    if any(role_requires_totp(role) for role in roles):
        device = TOTPDevice.objects.create(user=user, name="Parcours", confirmed=True)
    client = Client()
    response = client.post("/connexion/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client, memberships, device


def refused(client, url) -> bool:
    """The admin sends a visitor it refuses to its login page, which answers 403."""
    return client.get(url, follow=True).status_code == 403


def use(client, membership):
    session = client.session
    session[SESSION_KEY] = membership.pk
    session.save()


@pytest.mark.parametrize(("first", "second"), PAIRS, ids=[f"{a}+{b}" for a, b in PAIRS])
def test_every_pair_of_memberships_gives_the_second_factor_before_any_page_and_the_admin(
    first, second
):
    client, memberships, device = signed_in_with(first, second)
    required = role_requires_totp(first) or role_requires_totp(second)
    for membership in memberships:
        use(client, membership)
        home = client.get("/")
        admin = client.get("/admin/")
        if required:
            assert home.status_code == 302 and home["Location"].startswith(VERIFY), membership
            assert admin.status_code == 302 and admin["Location"].startswith(VERIFY), membership
        else:
            assert home.status_code == 200
            assert refused(client, "/admin/")
    if device is None:
        return
    # Once the code is given, the admin opens to the national admin membership in use only.
    response = client.post(VERIFY, {"token": code(device), "next": "/"})
    assert response.status_code == 302
    for membership in memberships:
        use(client, membership)
        assert client.get("/").status_code == 200
        if membership.role == Role.NATIONAL_ADMIN:
            assert client.get("/admin/").status_code == 200
        else:
            assert refused(client, "/admin/")


def test_attack_3_a_national_admin_acting_as_a_partner_cannot_skip_the_code_into_the_admin():
    # As found: a national admin who never paired a phone, signed in with the password only,
    # acting for its partner membership.
    client, (partner, national), device = signed_in_with(
        Role.PARTNER_COUNSELLOR, Role.NATIONAL_ADMIN
    )
    device.delete()
    use(client, partner)
    for url in ("/", "/admin/", "/admin/accounts/user/", "/admin/organisations/membership/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(SECOND_FACTOR), url
    use(client, national)
    assert client.get("/admin/accounts/user/")["Location"].startswith(SECOND_FACTOR)


def test_attack_3_the_admin_refuses_a_partner_membership_in_use_even_after_the_code():
    client, (partner, national), device = signed_in_with(
        Role.PARTNER_COUNSELLOR, Role.NATIONAL_ADMIN
    )
    assert client.post(VERIFY, {"token": code(device), "next": "/"}).status_code == 302
    use(client, partner)
    assert refused(client, "/admin/accounts/user/")
    use(client, national)
    assert client.get("/admin/accounts/user/").status_code == 200
