"""Web hardening read on real responses: CSP, HSTS, framing, sniffing, referrer, cookies, CSRF."""

import re
from pathlib import Path

import pytest
from django.test import Client

from parcours.organisations.roles import Role
from tests.factories import PASSWORD, PersonFactory, UserFactory
from tests.urlwalk import walk

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.strip().split()
        directives[name] = values
    return directives


def test_every_page_carries_a_strict_content_security_policy(client_for):
    person = PersonFactory()
    response = client_for(Role.INTEGRATION_AUDITOR).get(f"/personnes/{person.pk}/")
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["script-src"][0] == "'self'"
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    assert "http:" not in header and "https:" not in header  # nothing from elsewhere


def test_every_script_of_a_page_is_served_by_the_application(client_for):
    response = client_for(Role.INTEGRATION_AUDITOR).get("/personnes/")
    html = response.content.decode()
    allowed_nonces = [
        value.removeprefix("'nonce-").removesuffix("'")
        for value in csp_directives(response)["script-src"]
        if value.startswith("'nonce-")
    ]
    for tag in re.findall(r"<script\b[^>]*>", html):
        src = re.search(r'src="([^"]+)"', tag)
        nonce = re.search(r'nonce="([^"]+)"', tag)
        assert (src and src.group(1).startswith("/static/")) or (
            nonce and nonce.group(1) in allowed_nonces
        ), tag
    assert "htmx.min.js" in html and "dsfr.module.min.js" in html
    # The DSFR module script carries the response's nonce, as the policy announces it.
    dsfr_tag = re.search(r'<script type="module"[^>]*dsfr\.module\.min\.js[^>]*>', html).group(0)
    assert re.search(r'nonce="([^"]+)"', dsfr_tag).group(1) in allowed_nonces


def test_transport_security_framing_sniffing_and_referrer_headers():
    response = Client().get("/connexion/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_plain_http_is_sent_to_https_in_production(settings):
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/connexion/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_session_and_csrf_cookies_are_secure_http_only_and_same_site():
    user = UserFactory()
    client = Client()
    page = client.get("/connexion/", secure=True)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post(
        "/connexion/", {"username": user.email, "password": PASSWORD}, secure=True
    )
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert session["max-age"] == ""  # expires with the browser, and after 2 h idle


def test_a_form_posted_without_its_csrf_token_is_refused():
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    response = client.post("/connexion/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


# Machine-to-machine callbacks that carry no session cookie and prove their sender by a
# signature over the body instead (a CSRF token cannot be sent by a provider's server):
# the SMS provider's delivery reports (issue 18, parcours/messaging/sms.py verify_signature).
SIGNED_CALLBACKS = {"messaging:sms_status"}


def test_no_page_is_exempt_from_csrf_except_token_authenticated_api_views():
    exempt = {
        route.name
        for route in walk()
        if getattr(route.callback, "csrf_exempt", False)
        and not (route.name or "").startswith("api:")
    }
    assert exempt == SIGNED_CALLBACKS


def test_a_signed_callback_refuses_a_post_without_its_signature():
    response = Client().post(
        "/messages/sms/statut/",
        b'{"id": "x", "status": "delivered"}',
        content_type="application/json",
    )
    assert response.status_code == 403


def _served_templates():
    for path in (ROOT / "parcours").rglob("templates/**/*.html"):
        # Documents rendered to PDF by WeasyPrint are never served to a browser.
        if not path.name.endswith("_pdf.html"):
            yield path


@pytest.mark.parametrize(
    "path", list(_served_templates()), ids=lambda p: str(p.relative_to(ROOT / "parcours"))
)
def test_no_template_has_inline_style_or_script(path):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"\sstyle\s*=", text), "inline style attribute"
    assert "<style" not in text, "inline <style> element"
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert "src=" in tag, f"inline script: {tag}"
    assert not re.search(r"\son[a-z]+\s*=\s*[\"']", text), "inline event handler"
