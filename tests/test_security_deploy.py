"""`manage.py check --deploy` refuses the demo's shortcuts and an insecure federation setup."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_ONLY = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "parcours.settings",
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-" + "x7Q!" * 12,
    "ALLOWED_HOSTS": "parcours.example.org",
    # Required in production (parcours.E004): one nginx in front of gunicorn.
    "PARCOURS_TRUSTED_PROXIES": "1",
}


def check_deploy(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in RUN_ONLY and not k.startswith("OIDC_")}
    clean.pop("PARCOURS_DEMO_SKIP_2FA", None)
    clean.update(PRODUCTION, **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=clean,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_production_settings_pass_the_deploy_check():
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_demo_exemption_from_totp_fails_the_deploy_check():
    result = check_deploy(PARCOURS_DEMO_SKIP_2FA="1")
    assert result.returncode != 0
    assert "parcours.E001" in result.stdout + result.stderr


def test_an_identity_provider_over_plain_http_fails_the_deploy_check():
    result = check_deploy(
        OIDC_RP_CLIENT_ID="parcours",
        OIDC_RP_CLIENT_SECRET="secret",
        OIDC_OP_AUTHORIZATION_ENDPOINT="http://idp.example/authorize",
        OIDC_OP_TOKEN_ENDPOINT="https://idp.example/token",
        OIDC_OP_USER_ENDPOINT="https://idp.example/userinfo",
        OIDC_OP_JWKS_ENDPOINT="https://idp.example/jwks",
    )
    assert "parcours.E003" in result.stdout + result.stderr


def test_an_access_log_kept_beyond_twelve_months_fails_the_deploy_check():
    result = check_deploy(PARCOURS_ACCESS_LOG_RETENTION_MONTHS="24")
    assert "parcours.E101" in result.stdout + result.stderr
