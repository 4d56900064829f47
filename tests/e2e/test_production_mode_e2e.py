"""In production mode (gunicorn, DEBUG off, collectstatic, WhiteNoise): the DSFR styles apply.

The stylesheets carry integrity hashes; had they been those of django-dsfr's original files,
the browser would refuse the collected (rewritten) copies and every page would lose its
styles. These tests look at what the browser computed, on the pages people see first.
"""

import pytest

from parcours.demo.steps import DEMO_PASSWORD
from tests.e2e.conftest import sign_in_on

pytestmark = pytest.mark.e2e

BLEU_FRANCE = "rgb(0, 0, 145)"


def dsfr_applied(page) -> bool:
    """The DSFR typeface on the header, and its header layout (the brand block is a flex box)."""
    return page.evaluate(
        """() => {
            const header = document.querySelector('header.fr-header');
            const brand = document.querySelector('.fr-header__brand');
            return !!header && !!brand
                && getComputedStyle(header).fontFamily.startsWith('Marianne')
                && getComputedStyle(brand).display === 'flex';
        }"""
    )


def refused_resources(page) -> list[str]:
    return [e for e in page.script_errors if "integrity" in e or "Refused" in e]


def test_the_login_page_is_styled_by_the_dsfr(production_page):
    page = production_page
    response = page.goto("/connexion/")
    assert response.headers["server"].startswith("gunicorn")
    assert dsfr_applied(page)
    colour = page.get_by_role("button", name="Se connecter").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert colour == BLEU_FRANCE
    assert refused_resources(page) == []


def test_a_person_file_is_styled_by_the_dsfr(production_page):
    page = production_page
    sign_in_on(page, "auditeur@demo.parcours.test", DEMO_PASSWORD)
    page.goto("/personnes/")
    page.get_by_role("table").get_by_role("link").first.click()
    page.wait_for_load_state("networkidle")
    assert "/personnes/" in page.url
    assert dsfr_applied(page)
    assert refused_resources(page) == []
    assert page.script_errors == []


def test_an_error_page_is_styled_by_the_dsfr(production_page):
    page = production_page
    response = page.goto("/cette-page-n-existe-pas/")
    assert response.status == 404
    assert dsfr_applied(page)
    assert refused_resources(page) == []
