"""In a real browser: pages work under the strict Content-Security-Policy, with no violation."""

import pytest
from django.core.management import call_command

from parcours.demo.steps import DEMO_PASSWORD
from parcours.people.models import Person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Injected by the browser driver (not a page script): records every refusal of the policy.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def watched(page):
    page.add_init_script(WATCH_VIOLATIONS)
    return page


def visit(page, path) -> list[str]:
    """Open a page, let its scripts run, and return the policy's refusals on it."""
    page.goto(path)
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__cspViolations")


def test_the_watch_sees_a_refused_inline_style(watched):
    assert visit(watched, "/connexion/") == []
    watched.evaluate(
        "() => { const s = document.createElement('style'); s.textContent = 'p{}';"
        " document.head.appendChild(s); }"
    )
    watched.wait_for_timeout(200)
    assert watched.evaluate("window.__cspViolations") == ["style-src-elem inline"]


def test_the_login_page_runs_dsfr_and_htmx_without_violation(watched):
    assert visit(watched, "/connexion/") == []
    assert watched.locator("html").get_attribute("data-fr-js") == "true"  # DSFR's script ran
    assert watched.evaluate("typeof htmx") == "object"


def test_the_agent_pages_work_under_the_policy(watched, sign_in):
    call_command("load_demo", verbosity=0)
    sign_in("accueil@demo.parcours.test", DEMO_PASSWORD)
    person = Person.objects.filter(directorate__code="metz").order_by("pk").first()
    for path in [
        "/",
        "/personnes/",
        f"/personnes/{person.pk}/",
        "/compte/double-authentification/activation/",
    ]:
        assert visit(watched, path) == [], path
        assert watched.locator("html").get_attribute("data-fr-js") == "true", path
    assert watched.locator("svg.parcours-qrcode").is_visible()
    # The search posts, and the name stays out of the address bar.
    visit(watched, "/personnes/")
    watched.get_by_label("Rechercher une personne (nom, prénom ou numéro AGDREF)").fill(
        person.last_name
    )
    watched.get_by_role("button", name="Rechercher").click()
    watched.wait_for_load_state("networkidle")
    assert person.last_name.lower() not in watched.url.lower()
    assert watched.get_by_role("table").is_visible()
    assert watched.evaluate("window.__cspViolations") == []


def test_the_data_protection_pages_work_under_the_policy(watched, sign_in):
    call_command("load_demo", verbosity=0)
    sign_in("directeur@demo.parcours.test", DEMO_PASSWORD)
    person = Person.objects.filter(directorate__code="metz").order_by("pk").first()
    assert visit(watched, f"/personnes/{person.pk}/") == []
    # The director states a purpose first, then reads the file; the read is in the log.
    watched.get_by_text("Contrôle ou supervision du travail de l'équipe").click()
    watched.get_by_role("button", name="Ouvrir le dossier").click()
    watched.wait_for_load_state("networkidle")
    assert watched.get_by_role("heading", name="Historique des modifications").is_visible()
    for path in [
        "/confidentialite/journal/",
        "/confidentialite/anonymisations-a-venir/",
        f"/personnes/{person.pk}/droit-d-acces/",
        f"/personnes/{person.pk}/effacement/",
    ]:
        assert visit(watched, path) == [], path
    visit(watched, "/confidentialite/journal/")
    purpose = "Contrôle ou supervision du travail de l'équipe"
    assert watched.get_by_role("cell", name=purpose).first.is_visible()
    assert watched.evaluate("window.__cspViolations") == []
