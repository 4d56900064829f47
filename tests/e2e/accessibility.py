"""axe-core on the page a journey is looking at, in French and in English.

The journeys call `audit(page)` on every page they visit: axe-core (bundled by the pinned
axe-playwright-python) runs on what the browser shows, then the page is shown again in the
other language (the `django_language` cookie that the header's language selector sets) and
checked again. Serious and critical violations fail the test with a readable list: rule,
impact, the selectors of the elements at fault, and the page.
"""

from functools import cache
from urllib.parse import urlsplit

from django.conf import settings

FAILING_IMPACTS = ("serious", "critical")
LANGUAGES = ("fr", "en")


@cache
def _runner():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()  # reads the bundled axe.min.js once


def settled(page) -> None:
    """Wait until no CSS transition or animation runs: colours read half-way through the
    opening of an accordion (DSFR's collapse) are not the page's colours."""
    page.wait_for_function(
        "() => document.getAnimations().every(a => a.playState !== 'running')", polling=100
    )


def violations(page) -> list[str]:
    """The serious and critical violations of the page as shown now, one line each."""
    settled(page)
    results = _runner().run(page).response
    lines = []
    for violation in results["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"])
        lines.append(
            f"{violation['id']} ({violation['impact']}) on {page.url} [{page_language(page)}]: "
            f"{violation['help']} – {targets}"
        )
    return lines


def page_language(page) -> str:
    return page.locator("html").get_attribute("lang") or ""


def set_language(page, language: str) -> None:
    """What the header's language selector does: the language cookie, for the next page."""
    host = urlsplit(page.url).hostname
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "domain": host, "path": "/"}]
    )


def audit(page, *, both_languages: bool = True) -> None:
    """Fail on any serious or critical violation of the page, in French and in English.

    The other language is shown by reloading the page, so a page that answered a POST (a
    form with errors) is checked in its own language only: pass both_languages=False.
    """
    found = violations(page)
    if both_languages:
        shown = page_language(page) or "fr"
        other = next(language for language in LANGUAGES if language != shown)
        set_language(page, other)
        response = page.reload()
        assert response.status < 500, f"{page.url} in {other}: error {response.status}"
        assert page_language(page) == other, f"{page.url} did not switch to {other}"
        found += violations(page)
        set_language(page, shown)
        page.reload()
    assert not found, "Accessibility violations:\n" + "\n".join(found)
