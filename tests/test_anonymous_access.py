"""Every page needs a signed-in user, except a short, explicit list (denied by default)."""

import pytest

from tests.helpers import page_text
from tests.urlwalk import walk

# The only views a visitor may reach without signing in (the language switch is on the
# login page). Logging out needs a session, so it is not public.
PUBLIC_VIEWS = {"login", "health", "set_language"}
# Sign-in through the identity federation (answers 404 unless OIDC_* is configured).
PUBLIC_VIEWS |= {"accounts:oidc_start", "accounts:oidc_callback"}
# The API's published description. The other API views skip the login redirect too, but
# authenticate by themselves and answer 401/403 (tested below).
PUBLIC_VIEWS |= {"api:schema", "api:docs"}
# Issue 18: the person's own convocation page (no account: a birth-date check, attempt
# limits, rate limit, access log) and the SMS provider's delivery callback (HMAC-signed).
PUBLIC_VIEWS |= {"messaging:page", "messaging:sms_status"}


def _is_api_data(route) -> bool:
    return bool(route.name) and route.name.startswith("api:") and route.name not in PUBLIC_VIEWS


def _is_public(route) -> bool:
    return not getattr(route.callback, "login_required", True)


def test_the_public_views_are_exactly_the_allowed_ones():
    public = {route.name for route in walk() if _is_public(route) and not _is_api_data(route)}
    assert public == PUBLIC_VIEWS


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in walk() if _is_api_data(r)], ids=lambda r: r.url)
def test_anonymous_api_calls_are_refused(client, route):
    response = client.get(route.url)
    assert response.status_code in (401, 403)
    assert "last_name" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in walk() if not _is_public(r)], ids=lambda r: r.url)
def test_anonymous_visitor_is_sent_to_login(client, route):
    response = client.get(route.url, follow=True)
    final_path = response.request["PATH_INFO"]
    assert final_path == "/connexion/", f"{route.url} ended on {final_path}"
    assert response.status_code == 200


@pytest.mark.django_db
def test_admin_login_page_sends_visitors_to_the_application_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


@pytest.mark.django_db
def test_health_check_answers_without_login(client):
    response = client.get("/sante/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_login_page_is_french_dsfr(client):
    response = client.get("/connexion/")
    html = page_text(response)
    assert response.status_code == 200
    assert '<html lang="fr"' in html
    assert "dsfr.min.css" in html
    assert "Connexion à Parcours" in html


@pytest.mark.django_db
def test_the_public_messaging_routes_reveal_nothing_to_a_visitor(client):
    assert client.get("/c/x").status_code == 404
    assert (
        client.post("/messages/sms/statut/", "{}", content_type="application/json").status_code
        == 403
    )
