"""In a real browser (issue 16, points 6 and 7): the monthly report people read, and the
details fixed, at 1366 px and 375 px, with axe-core in French and English on each page."""

import pytest

from parcours.demo.steps import DEMO_PASSWORD
from tests.e2e.accessibility import audit
from tests.e2e.conftest import sign_in_on

pytestmark = pytest.mark.e2e

DEMO = "@demo.parcours.test"
WIDTHS = (1366, 375)
FAMILY = "Expérimentation CIP – inscription à France Travail"


def sign_in(page, who: str) -> None:
    page.context.clear_cookies()
    sign_in_on(page, f"{who}{DEMO}", DEMO_PASSWORD)
    page.get_by_role("button", name="Se déconnecter").first.wait_for(state="attached")


def at_each_width(page, path: str, check=None) -> dict[int, int]:
    """The page at each width, audited in both languages; its height in px at each width."""
    heights = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(path)
        assert response.status == 200, path
        audit(page)
        if check is not None:
            check(page)
        heights[width] = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": 1366, "height": 900})
    return heights


def test_the_director_reads_the_month_then_approves_it_after_the_figures(production_page):
    page = production_page
    sign_in(page, "directeur")
    heights = at_each_width(page, "/chiffres/?start=2026-01")
    # About 10,200 px before issue 16 at 1366 px: the summary first, the families folded.
    assert heights[1366] < 3000, heights
    summary = page.get_by_role("table", name="Les quatre indicateurs de suivi")
    accompanied = summary.get_by_role("row", name="Personnes accompagnées")
    assert accompanied.get_by_role("cell").first.inner_text() == "21"  # the seed's day
    assert not page.get_by_role("table", name="Personnes accompagnées – DT Metz").is_visible()
    page.get_by_role("button", name=FAMILY).click()
    table = page.get_by_role("table", name="Personnes accompagnées – DT Metz, janvier 2026")
    table.wait_for()
    audit(page, both_languages=False)  # the unfolded family too
    # The approval comes after the figures.
    approve = page.get_by_role("link", name="Valider de nouveau ce mois")
    assert approve.bounding_box()["y"] > table.bounding_box()["y"]
    at_each_width(page, "/chiffres/valider/?mois=2026-01")
    assert page.script_errors == []


def test_the_dreets_year_view_is_short_and_accessible(production_page):
    page = production_page
    sign_in(page, "dreets")
    heights = at_each_width(page, "/chiffres/?start=2026-01&end=2026-12")
    assert heights[1366] < 3000, heights  # about 39,100 px before issue 16
    assert page.script_errors == []


def test_the_details_of_the_header_the_access_log_and_the_person_form(production_page):
    page = production_page
    for who in ("cfp02", "national"):
        sign_in(page, who)
        page.goto("/")
        logo = page.locator(".fr-header__logo .fr-logo")
        clipped = logo.evaluate("node => node.scrollWidth > node.clientWidth + 1")
        assert not clipped, f"« République française » clipped for {who}"
        title = page.locator(".fr-header__service-title").bounding_box()
        box = logo.bounding_box()
        assert box["x"] + box["width"] + 16 <= title["x"], f"the logo touches the title ({who})"

    sign_in(page, "admin-dt")

    def export_shows_its_text(page):
        export = page.get_by_role("link", name="Exporter (CSV)")
        assert export.evaluate("node => node.scrollWidth <= node.clientWidth + 1")
        assert export.bounding_box()["width"] > 80  # an icon alone is 32 px wide

    at_each_width(page, "/confidentialite/journal/", export_shows_its_text)
    assert page.get_by_label("Personne").is_visible()  # a name, not an internal number

    heights = at_each_width(page, "/personnes/nouvelle/")
    assert heights[1366] < 3000, heights  # about 4,800 px before issue 16
    page.get_by_label("Filtrer les langues").fill("arab")
    languages = page.locator("[data-parcours-choice]:visible")
    assert languages.count() == 1
    page.get_by_label("Filtrer les langues").press("Enter")  # ticks the one left
    assert page.get_by_role("checkbox", name="Arabe", exact=True).is_checked()
    assert "1 cochée(s) : Arabe" in page.locator("[data-parcours-choices-status]").inner_text()
    assert page.script_errors == []


def test_a_session_without_addresses_warns_before_printing(production_page, production_server):
    page = production_page
    sign_in(page, "accueil")
    session = (
        production_server.manage(
            "shell",
            "-c",
            "from parcours.reception.models import Convocation;"
            "print(Convocation.objects.filter(status='pending', person__address='')"
            ".values_list('session_id', flat=True).first())",
        )
        .strip()
        .splitlines()[-1]
    )

    def warns(page):
        assert page.get_by_text("n'ont pas d'adresse postale").first.is_visible()

    at_each_width(page, f"/pfa/sessions/{session}/convocations.pdf", warns)
    assert page.script_errors == []
