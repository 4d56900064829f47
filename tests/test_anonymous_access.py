"""Every page needs a signed-in user, except a short, explicit list (denied by default)."""

import pytest

from tests.helpers import page_text
from tests.urlwalk import walk

# The only views a visitor may reach without signing in (the language switch is on the
# login page). Logging out needs a session, so it is not public.
PUBLIC_VIEWS = {"login", "health", "set_language"}


def _is_public(route) -> bool:
    return not getattr(route.callback, "login_required", True)


def test_the_public_views_are_exactly_the_allowed_ones():
    public = {route.name for route in walk() if _is_public(route)}
    assert public == PUBLIC_VIEWS


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
