"""In a real browser: the French DSFR login page, and a demo login reaching its home."""

import pytest
from django.core.management import call_command

from parcours.demo.steps import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_login_page_is_french_and_styled_by_the_dsfr(page):
    page.goto("/")
    assert page.url.endswith("/connexion/?next=/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", name="Connexion à Parcours").is_visible()
    # The DSFR stylesheet is applied: its primary button colour is "bleu France".
    colour = page.get_by_role("button", name="Se connecter").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert colour == "rgb(0, 0, 145)"


def test_reception_agent_signs_in_and_searches_a_person(page, sign_in):
    call_command("load_demo", verbosity=0)
    sign_in("accueil@demo.parcours.test", DEMO_PASSWORD)
    assert page.get_by_role("heading", name="OFII – DT Metz").is_visible()
    page.get_by_role("link", name="Rechercher une personne").click()
    page.get_by_label("Rechercher une personne (nom, prénom ou numéro AGDREF)").fill("99000000")
    page.get_by_role("button", name="Rechercher").click()
    assert page.get_by_role("table").is_visible()


def test_a_wrong_password_shows_the_error_next_to_the_form(page, sign_in):
    sign_in("personne@example.org", "mauvais")
    assert page.get_by_text("Adresse électronique ou mot de passe incorrect").is_visible()


def test_the_signed_out_pages_run_without_script_errors(page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/connexion/")
    page.wait_for_load_state("networkidle")
    assert errors == []


def test_the_director_menu_groups_its_pages_in_drop_down_menus(page, sign_in):
    call_command("load_demo", verbosity=0)
    sign_in("directeur@demo.parcours.test", DEMO_PASSWORD)
    navigation = page.get_by_role("navigation", name="Menu principal")
    access_log = navigation.get_by_role("link", name="Journal des accès")
    assert not access_log.is_visible()  # folded under its group until asked for

    navigation.get_by_role("button", name="Données et sécurité").click()

    access_log.click()
    assert page.get_by_role("heading", name="Journal des accès").is_visible()
    # The page's group is marked as the current one.
    group = page.get_by_role("navigation", name="Menu principal").get_by_role(
        "button", name="Données et sécurité"
    )
    assert group.get_attribute("aria-current") == "true"
