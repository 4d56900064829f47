"""Find every form of every page a role reaches, for the form fuzz (issue 14).

Like the route walk (`tests/urlwalk.py`), nothing is listed by hand: each role starts from
every routed page without parameters and follows the links of the pages it gets, so a new
form is fuzzed as soon as a page shows it. One page per URL name and role is enough (the same
form for another object is the same code).
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.urls import Resolver404, resolve

from tests.urlwalk import walk

# Pages the walk never follows: leaving the session, files, the admin and the API.
SKIPPED_NAMES = {"logout", "switch_membership", "set_language", "login", "health"}
SKIPPED_PREFIXES = ("/admin/", "/api/", "/static/", "/media/", "/i18n/")
SKIPPED_SUFFIXES = (".pdf", ".csv", ".xlsx", ".ods", ".json")


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, select, checkbox, radio, hidden, date, number, file…
    value: str = ""
    options: list[str] = field(default_factory=list)
    required: bool = False


@dataclass
class Form:
    page: str
    action: str
    url_name: str
    fields: dict[str, Field] = field(default_factory=dict)
    multipart: bool = False

    @property
    def signature(self) -> tuple:
        return (self.url_name, tuple(sorted(self.fields)))

    def defaults(self) -> dict:
        """The values the page offers (what a user sending the form unchanged posts)."""
        data = {}
        for item in self.fields.values():
            if item.kind in ("checkbox", "radio") and not item.value:
                continue
            if item.kind == "file":
                continue
            data[item.name] = item.value
        return data


class _Parser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page, self.forms, self.links = page, [], []
        self._form, self._select, self._textarea = None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v or "") for k, v in attrs}
        if tag == "a" and attrs.get("href"):
            self.links.append(urljoin(self.page, attrs["href"]))
        elif tag == "form":
            if attrs.get("method", "get").lower() == "post":
                action = urljoin(self.page, attrs.get("action") or self.page)
                self._form = Form(
                    self.page,
                    action,
                    "",
                    multipart="multipart" in attrs.get("enctype", ""),
                )
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            name = attrs["name"]
            checked = "checked" in attrs
            value = attrs.get("value", "on" if kind in ("checkbox", "radio") else "")
            existing = self._form.fields.get(name)
            if existing and kind in ("checkbox", "radio"):
                existing.options.append(value)
                if checked:
                    existing.value = value
                return
            self._form.fields[name] = Field(
                name,
                kind,
                value if (checked or kind not in ("checkbox", "radio")) else "",
                [value] if kind in ("checkbox", "radio") else [],
                "required" in attrs,
            )
        elif tag == "select" and attrs.get("name"):
            self._select = Field(attrs["name"], "select", required="required" in attrs)
            self._form.fields[self._select.name] = self._select
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            self._select.options.append(value)
            if "selected" in attrs or not self._select.value:
                self._select.value = value
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = Field(attrs["name"], "textarea", required="required" in attrs)
            self._form.fields[self._textarea.name] = self._textarea

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self._form.fields.pop("csrfmiddlewaretoken", None)
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _url_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _followed(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.netloc not in ("", "testserver") or parts.scheme not in ("", "http"):
        return None
    path = parts.path
    if path.startswith(SKIPPED_PREFIXES) or path.endswith(SKIPPED_SUFFIXES):
        return None
    name = _url_name(path)
    if name is None or name in SKIPPED_NAMES:
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def start_pages() -> list[str]:
    return [
        route.url
        for route in walk()
        if "<" not in route.url
        and route.name not in SKIPPED_NAMES
        and _followed(route.url) is not None
        and not any(ch.isdigit() for ch in route.url)
    ]


def forms_of(client, *, max_pages: int = 80) -> list[Form]:
    """The post forms on the pages `client` reaches, one page per URL name."""
    queue, seen_names, forms = list(start_pages()), set(), []
    visited = 0
    while queue and visited < max_pages:
        url = queue.pop(0)
        name = _url_name(urlsplit(url).path)
        if name in seen_names:
            continue
        seen_names.add(name)
        response = client.get(url)
        visited += 1
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Parser("http://testserver" + url)
        parser.feed(response.content.decode())
        for form in parser.forms:
            action = _followed(form.action)
            if action is None:
                continue
            form.action = action
            form.url_name = _url_name(urlsplit(action).path)
            forms.append(form)
        for link in parser.links:
            followed = _followed(link)
            if followed and _url_name(urlsplit(followed).path) not in seen_names:
                queue.append(followed)
    return forms
