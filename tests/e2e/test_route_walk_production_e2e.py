"""Every page of every role, in French and in English, on the application served as in
production with the demo data: no server error, and each page in the language asked for.

The walk of tests/permissions_walk.py checks the matrix with sample ids on an almost empty
database; a translated label compared with a stored one (issue 21: an approved month read in
English) only breaks on real data. So this walk signs in every demo account over HTTP and
follows the links it is given, as a person clicking through would, from the home page and
the routes of the URL configuration, in both languages. Real ids come from the links.
"""

import re
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from http.cookiejar import CookieJar, DefaultCookiePolicy
from urllib.error import HTTPError
from urllib.parse import urlencode, urljoin, urlsplit
from urllib.request import HTTPCookieProcessor, Request, build_opener

import pytest

from parcours.demo.steps import DEMO_PASSWORD
from parcours.organisations.roles import Role
from tests.urlwalk import walk

pytestmark = pytest.mark.e2e

LANGUAGES = ("fr", "en")
# Bounds that keep the walk to a few minutes: a few concrete URLs per route, and pages per
# account and language. Links are taken in page order, so the menu's pages come first.
PER_ROUTE = 1
PER_WALK = 50
# Seeds beyond the links: the approved month of the demo (January 2026) and its exports.
SEEDS = [
    "/chiffres/?start=2026-01",
    "/chiffres/export.xlsx?start=2026-01",
    "/chiffres/export.pdf?start=2026-01",
    "/chiffres/?start=2026-01&end=2026-12",
]
# Links never followed: they change state on GET or leave the application.
NEVER = re.compile(r"^/(deconnexion|i18n)/|^/static/|^/media/")
DEMO_ACCOUNTS = {
    "accueil@demo.parcours.test": Role.RECEPTION_AGENT,
    "auditeur@demo.parcours.test": Role.INTEGRATION_AUDITOR,
    "auditeur-asile@demo.parcours.test": Role.ASYLUM_AUDITOR,
    "directeur@demo.parcours.test": Role.DT_DIRECTOR,
    "admin-dt@demo.parcours.test": Role.DT_ADMIN,
    "cip@demo.parcours.test": Role.PARTNER_COUNSELLOR,
    "epide@demo.parcours.test": Role.PARTNER_ADMIN,
    "dreets@demo.parcours.test": Role.REGIONAL_VIEWER,
    "national@demo.parcours.test": Role.NATIONAL_ADMIN,
    "france-travail@demo.parcours.test": Role.PARTNER_COUNSELLOR,
}


class LoopbackCookies(DefaultCookiePolicy):
    """Production cookies are Secure; the loopback server speaks plain HTTP, and a browser
    sends Secure cookies to 127.0.0.1 all the same. So does this client."""

    def return_ok_secure(self, cookie, request):
        return True


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.lang = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def route_key(path: str) -> str:
    """Group concrete URLs by route: numbers stand for ids."""
    return re.sub(r"/\d+(?=/|$)", "/<id>", path)


class Browser:
    """A signed-in visitor over plain HTTP: cookies kept, redirects followed, any status read."""

    def __init__(self, base_url: str, language: str):
        self.base_url, self.language = base_url, language
        self.cookies = CookieJar(policy=LoopbackCookies())
        self.opener = build_opener(HTTPCookieProcessor(self.cookies))

    def request(self, path: str, data: dict | None = None):
        """Returns (status, content type, final URL, body as text)."""
        body = urlencode(data).encode() if data is not None else None
        request = Request(self.base_url + path, data=body)
        request.add_header("Accept-Language", self.language)
        request.add_header("Referer", self.base_url + path)
        try:
            with self.opener.open(request, timeout=60) as response:  # noqa: S310 (loopback)
                raw, status, url = response.read(), response.status, response.url
                kind = response.headers.get("Content-Type", "")
        except HTTPError as error:
            raw, status, url = error.read(), error.code, error.url
            kind = error.headers.get("Content-Type", "")
        text = raw.decode("utf-8", "replace") if "text/html" in kind else ""
        return status, kind, url, text

    def sign_in(self, email: str) -> None:
        _status, _kind, _url, text = self.request("/connexion/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text).group(1)
        form = {"csrfmiddlewaretoken": token, "username": email, "password": DEMO_PASSWORD}
        status, _kind, url, _text = self.request("/connexion/", form)
        assert status == 200 and "/connexion/" not in url, f"{email} not signed in ({status})"


def start_urls() -> list[str]:
    """The home page, the seeds, then every route of the URL conf that takes no id."""
    routes = [r.url for r in walk() if not re.search(r"/(1|x|0{8}-[0-9-]+)(/|$)", r.url)]
    return ["/", *SEEDS, *[u for u in routes if not NEVER.search(u) and "/api/" not in u]]


def walk_account(base_url: str, email: str, language: str) -> tuple[list[str], int]:
    """Returns the problems found and the number of pages seen."""
    visitor = Browser(base_url, language)
    visitor.sign_in(email)
    queue, seen, per_route, problems = start_urls(), set(), defaultdict(int), []
    while queue and len(seen) < PER_WALK:
        parts = urlsplit(urljoin(base_url + "/", queue.pop(0)))
        if parts.netloc != urlsplit(base_url).netloc or NEVER.search(parts.path):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        key = route_key(parts.path)
        if path in seen or per_route[key] >= PER_ROUTE:
            continue
        seen.add(path)
        per_route[key] += 1
        status, kind, _url, text = visitor.request(path)
        if status >= 500:
            problems.append(f"{email} [{language}] GET {path}: {status}")
            continue
        if "text/html" not in kind:
            continue
        parser = Links()
        parser.feed(text)
        if status == 200 and parser.lang and parser.lang != language:
            problems.append(f"{email} [{language}] GET {path}: page in {parser.lang!r}")
        queue[:0] = [link for link in parser.links if not link.startswith(("#", "mailto:"))]
    return problems, len(seen)


def test_the_demo_accounts_cover_every_role():
    assert set(DEMO_ACCOUNTS.values()) == set(Role)


def test_every_page_of_every_account_answers_in_both_languages(production_server):
    # The accounts walk side by side, as many as the server has workers (production.py).
    walks = [(email, language) for email in DEMO_ACCOUNTS for language in LANGUAGES]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda w: walk_account(production_server.url, *w), walks))
    problems = [problem for found, _pages in results for problem in found]
    seen = zip(walks, results, strict=True)
    thin = [f"{email} [{lang}]: {pages}" for (email, lang), (_f, pages) in seen if pages < 5]
    assert thin == [], "accounts that reached too few pages: " + ", ".join(thin)
    assert problems == [], "\n".join(problems)
