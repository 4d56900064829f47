"""Two-factor authentication (TOTP): always for OFII and DREETS, for partners if their DT asks."""

import re

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from parcours.accounts.models import TwoFactorPolicy
from parcours.organisations.roles import Role
from parcours.territories.models import Directorate
from tests.factories import PASSWORD, PersonFactory, membership_for
from tests.helpers import page_text
from tests.urlwalk import walk

pytestmark = pytest.mark.django_db

ENROL = "/compte/double-authentification/activation/"
VERIFY = "/compte/double-authentification/"
OFII_AND_DREETS = [
    Role.RECEPTION_AGENT,
    Role.INTEGRATION_AUDITOR,
    Role.ASYLUM_AUDITOR,
    Role.DT_DIRECTOR,
    Role.DT_ADMIN,
    Role.NATIONAL_ADMIN,
    Role.REGIONAL_VIEWER,
]
# Reachable before the second factor: sign-in and sign-out, the second factor itself, the
# organisation switch (a partner membership may need none), health and language.
BEFORE_SECOND_FACTOR = {
    "login",
    "logout",
    "health",
    "set_language",
    "switch_membership",
    "accounts:totp_verify",
    "accounts:totp_enrol",
    "accounts:oidc_start",
    "accounts:oidc_callback",
}


@pytest.fixture(autouse=True)
def enforced(settings):
    settings.PARCOURS_TOTP_ENFORCED = True
    settings.PARCOURS_DEMO_SKIP_2FA = False
    return settings


def signed_in(role, **kwargs):
    membership = membership_for(role, **kwargs)
    client = Client()
    response = client.post("/connexion/", {"username": membership.user.email, "password": PASSWORD})
    assert response.status_code == 302
    client.membership = membership
    return client


def current_code(device) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def confirmed_device(user):
    return TOTPDevice.objects.create(user=user, name="Parcours", confirmed=True)


@pytest.mark.parametrize("role", OFII_AND_DREETS)
def test_a_session_without_totp_is_sent_to_enrolment(role):
    client = signed_in(role)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2F"


@pytest.mark.parametrize("role", [Role.INTEGRATION_AUDITOR, Role.NATIONAL_ADMIN])
def test_a_session_without_totp_cannot_reach_any_page(role):
    PersonFactory()
    client = signed_in(role)
    for route in walk():
        if route.name in BEFORE_SECOND_FACTOR:
            continue
        response = client.get(route.url)
        assert response.status_code == 302, route.url
        assert response["Location"].startswith(ENROL), route.url


def test_the_next_page_keeps_the_path_but_never_the_query_string():
    client = signed_in(Role.RECEPTION_AGENT)
    response = client.get("/personnes/", {"q": "HADDAD"})
    assert response["Location"] == f"{ENROL}?next=%2Fpersonnes%2F"


def test_enrolment_shows_a_qr_code_without_inline_style_and_the_key():
    client = signed_in(Role.INTEGRATION_AUDITOR)
    response = client.get(f"{ENROL}?next=/personnes/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
    assert "style=" not in svg and "<script" not in svg
    device = TOTPDevice.objects.get(user=client.membership.user)
    assert not device.confirmed
    secret = re.search(r'<code class="parcours-secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert len(secret.replace(" ", "")) >= 32


def test_enrolment_with_a_wrong_code_is_refused_in_french():
    client = signed_in(Role.INTEGRATION_AUDITOR)
    client.get(ENROL)
    response = client.post(ENROL, {"token": "000000"})
    assert "Ce code n'est pas valable" in page_text(response)
    assert not TOTPDevice.objects.get().confirmed
    assert client.get("/").status_code == 302


def test_enrolment_with_the_right_code_opens_the_application():
    client = signed_in(Role.INTEGRATION_AUDITOR)
    client.get(ENROL)
    device = TOTPDevice.objects.get()
    response = client.post(ENROL, {"token": current_code(device), "next": "/personnes/"})
    assert response["Location"] == "/personnes/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/personnes/").status_code == 200


def test_a_returning_user_gives_the_code_of_the_paired_device():
    client = signed_in(Role.DT_DIRECTOR)
    device = confirmed_device(client.membership.user)
    assert client.get("/")["Location"] == f"{VERIFY}?next=%2F"
    wrong = client.post(VERIFY, {"token": "12345"})
    assert "Saisissez les 6 chiffres du code" in page_text(wrong)
    response = client.post(VERIFY, {"token": current_code(device), "next": "/"})
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_repeated_wrong_codes_are_throttled(settings):
    # django-otp waits 2^(n-1) × factor seconds after n failures: a factor of a minute keeps
    # the right code refused however slowly a loaded machine runs the four posts.
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    client = signed_in(Role.DT_DIRECTOR)
    device = confirmed_device(client.membership.user)
    for _attempt in range(3):
        client.post(VERIFY, {"token": "000000"})
    response = client.post(VERIFY, {"token": current_code(device)})
    assert "Trop de codes erronés" in page_text(response)
    assert client.get("/").status_code == 302


def test_the_next_page_after_verification_stays_on_the_site():
    client = signed_in(Role.DT_DIRECTOR)
    device = confirmed_device(client.membership.user)
    response = client.post(VERIFY, {"token": current_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_new_session_asks_for_the_code_again():
    client = signed_in(Role.DT_DIRECTOR)
    device = confirmed_device(client.membership.user)
    client.post(VERIFY, {"token": current_code(device)})
    assert client.get("/").status_code == 200
    client.post("/deconnexion/")
    client.post("/connexion/", {"username": client.membership.user.email, "password": PASSWORD})
    assert client.get("/")["Location"].startswith(VERIFY)


def test_a_json_client_with_the_session_cookie_gets_a_403_not_the_data():
    PersonFactory()
    client = signed_in(Role.INTEGRATION_AUDITOR)
    response = client.get("/personnes/", HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert response.json()["location"].startswith(ENROL)


def test_an_htmx_request_is_redirected_by_htmx():
    client = signed_in(Role.INTEGRATION_AUDITOR)
    response = client.get("/personnes/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(ENROL)


def test_signing_out_works_before_the_second_factor():
    client = signed_in(Role.INTEGRATION_AUDITOR)
    response = client.post("/deconnexion/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# Partners ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PARTNER_COUNSELLOR, Role.PARTNER_ADMIN])
def test_partners_need_no_totp_unless_their_dt_requires_it(role):
    client = signed_in(role)
    client.membership.organisation.departments.set(
        Directorate.objects.get(code="metz").departments.all()
    )
    assert client.get("/").status_code == 200
    TwoFactorPolicy.objects.create(
        directorate=Directorate.objects.get(code="metz"), partners_required=True
    )
    assert client.get("/")["Location"].startswith(ENROL)


def test_a_dt_requirement_does_not_reach_partners_of_other_departments():
    client = signed_in(Role.PARTNER_COUNSELLOR)
    client.membership.organisation.departments.set(
        Directorate.objects.get(code="amiens").departments.all()
    )
    TwoFactorPolicy.objects.create(
        directorate=Directorate.objects.get(code="metz"), partners_required=True
    )
    assert client.get("/").status_code == 200


def test_a_partner_who_paired_a_device_uses_it():
    client = signed_in(Role.PARTNER_COUNSELLOR)
    confirmed_device(client.membership.user)
    assert client.get("/")["Location"].startswith(VERIFY)


def test_a_dt_manager_sets_the_requirement_for_its_partners(enforced):
    enforced.PARCOURS_TOTP_ENFORCED = False  # the page itself, not the second step
    client = Client()
    membership = membership_for(Role.DT_ADMIN)
    client.force_login(membership.user)
    url = "/compte/double-authentification/partenaires/"
    assert "DT Metz" in page_text(client.get(url))
    response = client.post(url, {"partners_required": "on"}, follow=True)
    assert "Règle de double authentification enregistrée" in page_text(response)
    policy = TwoFactorPolicy.objects.get()
    assert policy.partners_required and policy.directorate.code == "metz"
    assert policy.updated_by == membership.user


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.PARTNER_ADMIN, 403), (Role.INTEGRATION_AUDITOR, 403), (Role.NATIONAL_ADMIN, 200)],
)
def test_only_dt_managers_change_the_partner_requirement(enforced, role, status):
    enforced.PARCOURS_TOTP_ENFORCED = False
    client = Client()
    client.force_login(membership_for(role).user)
    url = "/compte/double-authentification/partenaires/"
    assert client.get(url).status_code == status
    client.post(url, {"partners_required": "on"})
    assert not TwoFactorPolicy.objects.exists()


# Demo --------------------------------------------------------------------------------------------


def test_demo_accounts_may_skip_totp_when_the_demo_setting_is_on(enforced):
    enforced.PARCOURS_DEMO_SKIP_2FA = True
    demo = signed_in(Role.INTEGRATION_AUDITOR)
    demo.membership.user.is_demo = True
    demo.membership.user.save()
    assert demo.get("/").status_code == 200
    real = signed_in(Role.INTEGRATION_AUDITOR)
    assert real.get("/").status_code == 302


def test_a_lost_phone_is_unpaired_by_command_and_paired_again_at_next_sign_in():
    import io

    from django.core.management import call_command

    client = signed_in(Role.INTEGRATION_AUDITOR)
    confirmed_device(client.membership.user)
    out = io.StringIO()
    call_command("reset_two_factor", client.membership.user.email.upper(), stdout=out)
    assert "1 application(s)" in out.getvalue()
    assert client.get("/")["Location"].startswith(ENROL)
