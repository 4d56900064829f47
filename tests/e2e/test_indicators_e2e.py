"""In a real browser: the figures of the demo, exact for the DT, protected for the DREETS,
under the strict Content-Security-Policy, with each chart beside its data table."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from parcours.demo.steps import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def demo_page(page):
    page.add_init_script(WATCH_VIOLATIONS)
    call_command("load_demo", verbosity=0)
    return page


def test_the_director_reads_january_2026_approved_with_charts_beside_tables(demo_page, sign_in):
    sign_in("directeur@demo.parcours.test", DEMO_PASSWORD)
    demo_page.get_by_role("link", name="Chiffres").first.click()
    demo_page.get_by_label("Du mois").fill("2026-01")
    demo_page.get_by_role("button", name="Afficher").click()
    demo_page.wait_for_load_state("networkidle")
    assert demo_page.get_by_text("Chiffres validés le").first.is_visible()
    # Issue 16: each family of indicators is folded under the summary; a reader opens one.
    demo_page.get_by_role(
        "button", name="Expérimentation CIP – inscription à France Travail"
    ).click()
    table = demo_page.get_by_role("table", name="Personnes accompagnées – DT Metz, janvier 2026")
    expect(table).to_be_visible()  # waits for the accordion to open (DSFR's script)
    total = table.get_by_role("row").last.get_by_role("cell").last.inner_text()
    assert total == "21"  # the seed's day: 21 people seen by the CIP
    # The chart is drawn by CSS classes and hidden from screen readers (the table speaks).
    chart = demo_page.locator("figure.parcours-chart").first
    assert chart.get_attribute("aria-hidden") == "true"
    assert chart.locator(".parcours-chart__bar").first.bounding_box()["width"] > 0
    assert demo_page.evaluate("window.__cspViolations") == []


def test_the_dreets_sees_small_counts_as_secret(demo_page, sign_in):
    sign_in("dreets@demo.parcours.test", DEMO_PASSWORD)
    demo_page.goto("/chiffres/?start=2026-01&directorate=")
    demo_page.wait_for_load_state("networkidle")
    assert demo_page.get_by_text("petits effectifs masqués").first.is_visible()
    demo_page.get_by_role(
        "button", name="Expérimentation CIP – inscription à France Travail"
    ).click()
    overview = demo_page.get_by_role(
        "table", name="Déjà inscrites à France Travail : total par DT et par mois"
    )
    assert overview.get_by_role("row", name="DT Metz").get_by_role("cell").last.inner_text() == "s"
    assert demo_page.evaluate("window.__cspViolations") == []
