"""Settings come from the environment (twelve-factor): each variable changes what it should."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json
from django.conf import settings
import django
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "debug": settings.DEBUG,
    "secret": settings.SECRET_KEY,
    "hosts": settings.ALLOWED_HOSTS,
    "engine": db["ENGINE"],
    "name": str(db["NAME"]),
    "host": db.get("HOST"),
    "email": settings.EMAIL_BACKEND,
    "hsts": getattr(settings, "SECURE_HSTS_SECONDS", 0),
    "secure_cookie": getattr(settings, "SESSION_COOKIE_SECURE", False),
}))
"""


# Variables of the test run itself, never part of a deployment's environment.
RUN_ONLY = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}


def base_env(*drop: str) -> dict:
    return {k: v for k, v in os.environ.items() if k not in RUN_ONLY | set(drop)}


def read_settings(**env) -> dict:
    clean = base_env("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_BACKEND")
    clean.update(env, DJANGO_SETTINGS_MODULE="parcours.settings")
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=clean,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_defaults_are_sqlite_under_var_and_console_email():
    values = read_settings()
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"].endswith("var/parcours.sqlite3")
    assert values["email"] == "django.core.mail.backends.console.EmailBackend"
    assert values["debug"] is False


def test_database_url_selects_postgresql():
    values = read_settings(DATABASE_URL="postgres://parcours:secret@db.internal:5432/parcours")
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "parcours"
    assert values["host"] == "db.internal"


def test_secret_key_debug_hosts_and_email_come_from_the_environment():
    values = read_settings(
        SECRET_KEY="k" * 60,
        DEBUG="true",
        ALLOWED_HOSTS="parcours.example.org, admin.example.org",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    assert values["secret"] == "k" * 60
    assert values["debug"] is True
    assert values["hosts"] == ["parcours.example.org", "admin.example.org"]
    assert values["email"] == "django.core.mail.backends.smtp.EmailBackend"


def test_production_mode_turns_on_transport_security():
    values = read_settings(SECRET_KEY="k" * 60, ALLOWED_HOSTS="parcours.example.org")
    assert values["hsts"] >= 31536000
    assert values["secure_cookie"] is True


def test_debug_mode_has_no_hsts():
    assert read_settings(DEBUG="1")["hsts"] == 0


def test_check_deploy_is_clean_with_production_settings():
    env = base_env()
    env.update(
        DJANGO_SETTINGS_MODULE="parcours.settings",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-" + "x7Q!" * 12,
        ALLOWED_HOSTS="parcours.example.org",
        PARCOURS_TRUSTED_PROXIES="1",  # required in production (parcours.E004)
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_flags_a_missing_secret_key():
    env = base_env("SECRET_KEY")
    env.update(
        DJANGO_SETTINGS_MODULE="parcours.settings", DEBUG="0", ALLOWED_HOSTS="parcours.example.org"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr
