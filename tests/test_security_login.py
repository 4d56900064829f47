"""Sign-in: Argon2 hashing, password rules, throttling per account and per address, expiry."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import identify_hasher, make_password
from django.contrib.auth.password_validation import get_password_validators, validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone

from parcours import settings as production
from tests.factories import PASSWORD, UserFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def sign_in(client, email, password):
    return client.post("/connexion/", {"username": email, "password": password})


# Passwords ---------------------------------------------------------------------------------------


def test_production_hashes_passwords_with_argon2():
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        encoded = make_password("un mot de passe solide")
        assert encoded.startswith("argon2$")
        assert identify_hasher(encoded).algorithm == "argon2"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Court-1", "trop court"),
        ("password1234", "trop courant"),
        ("123456789012345", "entièrement numérique"),
        ("camille.agent7@example.org", "trop semblable"),
    ],
)
def test_production_password_rules_refuse_weak_passwords_in_french(password, message):
    user = UserFactory.build(email="camille.agent7@example.org", first_name="Camille")
    validators = get_password_validators(production.AUTH_PASSWORD_VALIDATORS)
    with pytest.raises(ValidationError) as error:
        validate_password(password, user=user, password_validators=validators)
    assert any(message in text for text in error.value.messages)


def test_a_long_passphrase_passes_the_production_rules():
    validators = get_password_validators(production.AUTH_PASSWORD_VALIDATORS)
    validate_password("quatre chevaux bleus dansent", password_validators=validators)


# Throttling ----------------------------------------------------------------------------------


@pytest.fixture
def throttling(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    return settings


def test_throttling_locks_an_account_after_the_configured_number_of_failures(throttling):
    user = UserFactory()
    client = Client()
    for _attempt in range(2):
        response = sign_in(client, user.email, "wrong-password")
        assert response.status_code == 200
        assert "Adresse électronique ou mot de passe incorrect" in page_text(response)
    response = sign_in(client, user.email, "wrong-password")
    assert response.status_code == 429
    text = page_text(response)
    assert "Trop de tentatives de connexion ont échoué" in text
    assert "15 minutes" in text
    # Even the right password is refused while locked.
    assert sign_in(client, user.email, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_account_lock_holds_from_another_address(throttling):
    user = UserFactory()
    for index in range(3):
        sign_in(Client(REMOTE_ADDR=f"10.0.0.{index + 1}"), user.email, "wrong-password")
    assert sign_in(Client(REMOTE_ADDR="10.0.9.9"), user.email, PASSWORD).status_code == 429


def test_the_account_name_is_counted_whatever_its_case(throttling):
    user = UserFactory(email="camille@example.org")
    client = Client()
    for typed in ["Camille@Example.org", " CAMILLE@example.org", "camille@example.org"]:
        sign_in(client, typed, "wrong-password")
    assert sign_in(Client(REMOTE_ADDR="10.0.9.9"), user.email, PASSWORD).status_code == 429


def test_throttling_locks_an_address_that_tries_many_accounts(throttling):
    victims = UserFactory.create_batch(3)
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for victim in victims:
        sign_in(attacker, victim.email, "wrong-password")
    other = UserFactory()
    assert sign_in(attacker, other.email, PASSWORD).status_code == 429
    # The same account from an honest address is not locked: only the address is.
    assert sign_in(Client(REMOTE_ADDR="198.51.100.2"), other.email, PASSWORD).status_code == 302


def test_a_forged_forwarded_address_does_not_escape_the_lock(throttling):
    user = UserFactory()
    for index in range(3):
        client = Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.1.1.{index}")
        sign_in(client, f"nobody{index}@example.org", "wrong-password")
    client = Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert sign_in(client, user.email, PASSWORD).status_code == 429


def test_the_lock_lifts_after_the_cool_off_delay(throttling):
    user = UserFactory()
    client = Client()
    for _attempt in range(3):
        sign_in(client, user.email, "wrong-password")
    assert sign_in(client, user.email, PASSWORD).status_code == 429
    # The configured delay elapses.
    elapsed = throttling.AXES_COOLOFF_TIME + datetime.timedelta(seconds=1)
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - elapsed
        )
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_successful_sign_in_resets_the_failure_count(throttling):
    user = UserFactory()
    client = Client()
    for _attempt in range(2):
        sign_in(client, user.email, "wrong-password")
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    client.logout()
    for _attempt in range(2):
        sign_in(client, user.email, "wrong-password")
    assert sign_in(client, user.email, PASSWORD).status_code == 302


def test_the_production_defaults_lock_after_five_failures_for_fifteen_minutes():
    assert production.AXES_FAILURE_LIMIT == 5
    assert datetime.timedelta(minutes=15) == production.AXES_COOLOFF_TIME


# Sessions --------------------------------------------------------------------------------------


def test_a_session_expires_after_two_hours_without_activity():
    assert production.SESSION_COOKIE_AGE == 2 * 60 * 60
    assert production.SESSION_SAVE_EVERY_REQUEST is True
    user = UserFactory()
    client = Client()
    sign_in(client, user.email, PASSWORD)
    assert client.get("/").status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    remaining = session.expire_date - timezone.now()
    assert datetime.timedelta(hours=1, minutes=59) < remaining <= datetime.timedelta(hours=2)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now())
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_signing_out_needs_a_post_with_the_csrf_token():
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post("/deconnexion/").status_code == 403
    assert client.get("/").status_code == 200
