"""End-to-end fixtures: a real headless Chromium (Debian's package) driven by Playwright.

Playwright's own browser download cannot run here, so the system Chromium is used; `make`
installs it (scripts/system-packages.sh), and a missing browser fails the tests, never skips
them. Two kinds of server: Django's live test server on the test database (`page`), and the
application served as in production with the demo data (`production_page`, see
production.py).
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
        pytest.fail("Chromium is missing: `make test` installs it (apt-get install chromium).")
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
    from parcours.employment.loaders import load_rome
    from parcours.people.loaders import load_languages
    from parcours.territories.loaders import load_territories

    load_territories()
    load_languages()
    load_rome()


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
        sign_in_on(page, email, password)

    return do


@pytest.fixture(scope="session")
def production_server(tmp_path_factory):
    """Parcours as production serves it, with the demo data, for the whole session."""
    from tests.e2e import production

    server, stop = production.start(tmp_path_factory.mktemp("production"))
    yield server
    stop()


@pytest.fixture
def production_page(chromium, production_server):
    """A French browser page on the production server; fails the test on any script error."""
    context = chromium.new_context(locale="fr-FR", base_url=production_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.script_errors = errors
    yield page
    context.close()


def sign_in_on(page, email: str, password: str) -> None:
    """Sign in through the real login form of whichever server the page is on."""
    page.goto("/connexion/")
    page.get_by_role("textbox", name="Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("networkidle")
