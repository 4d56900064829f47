"""Every demo account follows every link and form action its pages show (issue 16, item 3):
no link is rendered that the role cannot follow, so no 403 and no server error.

A test-client walk on the demo data (faster than a browser): from the home page, every
`<a href>` and every `<form action>` is requested with GET, breadth first, a few concrete
pages per route. A POST-only action answers 405 to a GET, which is fine: what is looked for is
a door shown and then refused (403), or a page that breaks (500).
"""

import re
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from parcours.accounts.models import User
from parcours.demo.steps import DEMO_USERS

pytestmark = pytest.mark.django_db

# A few concrete pages per route (ids stand for the route), and a bound per account.
PER_ROUTE = 2
PER_ACCOUNT = 150
# Never followed: they change state on GET, leave the application, or serve files.
NEVER = re.compile(r"^/(deconnexion|i18n)/|^/static/|^/media/|^/admin/logout/")


class Doors(HTMLParser):
    """The links and form actions of a page."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.urls.append(attrs["href"])
        if tag == "form" and attrs.get("action"):
            self.urls.append(attrs["action"])
        for name in ("hx-get",):
            if attrs.get(name):
                self.urls.append(attrs[name])


def route_key(path: str) -> str:
    return re.sub(r"/\d+(?=/|$|\.)", "/<id>", path)


def walk(client: Client) -> tuple[list[str], int]:
    queue, seen, per_route, problems = [("/", "")], set(), defaultdict(int), []
    while queue and len(seen) < PER_ACCOUNT:
        url, origin = queue.pop(0)
        parts = urlsplit(urljoin("http://testserver/", url))
        if parts.netloc != "testserver" or NEVER.search(parts.path):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        key = route_key(parts.path)
        if path in seen or per_route[key] >= PER_ROUTE:
            continue
        seen.add(path)
        per_route[key] += 1
        response = client.get(path)
        if response.status_code == 403 or response.status_code >= 500:
            problems.append(f"GET {path} (shown on {origin or '/'}): {response.status_code}")
            continue
        if response.status_code in (301, 302):
            queue.insert(0, (response["Location"], path))
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = Doors()
        parser.feed(response.content.decode())
        queue.extend(
            (link, path) for link in parser.urls if not link.startswith(("#", "mailto:", "tel:"))
        )
    return problems, len(seen)


def test_every_link_each_demo_account_is_shown_can_be_followed():
    """One test, inside the test's own rolled-back transaction: the demo is loaded there, never
    committed, so no other test (on this xdist worker or any other) sees it or loses its
    reference data to a flush."""
    call_command("load_demo", verbosity=0)
    failures = []
    for email, *_rest in DEMO_USERS:
        client = Client()
        client.force_login(User.objects.get(email=email))
        problems, pages = walk(client)
        if pages < 5:
            failures.append(f"{email} reached {pages} pages only")
        failures.extend(f"{email}: {problem}" for problem in problems)
    assert failures == [], "\n".join(failures)
