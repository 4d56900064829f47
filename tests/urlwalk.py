"""Walk the URL configuration and build a concrete URL for every pattern.

Used by the access tests so that a new page is covered as soon as it is routed.
"""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

SAMPLES = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000001",
}


@dataclass(frozen=True)
class Route:
    url: str
    name: str | None
    callback: object


def _sample_from_regex(regex: str) -> str:
    regex = regex.lstrip("^").rstrip("$").replace(r"\Z", "")

    def group(match):
        body = match.group(2)
        if "|" in body and not any(ch in body for ch in "[]*+"):
            return body.split("|")[0]
        if r"\d" in body or "0-9" in body:
            return "1"
        return "x"

    regex = re.sub(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", group, regex)
    return regex.replace("\\", "")


def _sample_from_route(route: str) -> str:
    return re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: SAMPLES.get(m.group(1) or "str", "x"), route)


def _piece(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return _sample_from_route(str(pattern))
    if isinstance(pattern, RegexPattern):
        return _sample_from_regex(pattern.regex.pattern)
    return str(pattern)


def walk(resolver=None, prefix="/", namespace="") -> list[Route]:
    """Every routed view as a concrete URL, with its namespaced name ("admin:index")."""
    resolver = resolver or get_resolver()
    routes = []
    for entry in resolver.url_patterns:
        piece = _piece(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            routes.extend(walk(entry, prefix + piece, inner))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            routes.append(Route(prefix + piece, name, entry.callback))
    return routes
