"""End-to-end fixtures: a real headless Chromium (Debian's package) driven by Playwright.

Playwright's own browser download cannot run here, so the system Chromium is used. Where no
Chromium is installed the tests are skipped locally, but CI sets PARCOURS_REQUIRE_E2E=1 and
then a missing browser is a failure, never a silent skip.
"""

import os
import shutil

import pytest

CHROMIUM_CANDIDATES = ["chromium", "chromium-browser", "google-chrome"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium_path():
    for name in CHROMIUM_CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def chromium():
    path = _chromium_path()
    if path is None:
        if os.environ.get("PARCOURS_REQUIRE_E2E"):
            pytest.fail("Chromium is required for end-to-end tests (apt-get install chromium).")
        pytest.skip("Chromium is not installed (apt-get install chromium).")
    # Playwright's sync API refuses to run inside an asyncio loop; Django's async-unsafe
    # check must also let the live server thread work alongside it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests start from an emptied database: reload the reference tables."""
    from parcours.people.loaders import load_languages
    from parcours.territories.loaders import load_territories

    load_territories()
    load_languages()


@pytest.fixture
def page(chromium, live_server, reference_data):
    context = chromium.new_context(locale="fr-FR", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def sign_in(page):
    """Sign in through the real login form."""

    def do(email: str, password: str):
        page.goto("/connexion/")
        page.get_by_role("textbox", name="Adresse électronique").fill(email)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state("networkidle")

    return do
