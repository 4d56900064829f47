"""Walk every routed view as every role and compare each answer with the permission matrix.

Issue 6: "a test walks every URL pattern and API operation and checks, for each role, that the
answer matches the matrix (allowed, or 403/404, never a leak in a list, a search, an
autocomplete or an export)". A view declares its action with `@action_required(Action.X)`
(which sets `view.parcours_action`) or, for an API view, a `required_action` class attribute.
A route with neither fails the walk unless ALLOWLIST says why it needs no action.
"""

from dataclasses import dataclass

from django.test import Client

from parcours.organisations.permissions import MATRIX
from tests.factories import membership_for
from tests.urlwalk import Route, walk

# Routes that need no action of the matrix, and why.
ALLOWLIST: dict[str, str] = {
    "login": "public sign-in page",
    "logout": "ends the user's own session",
    "health": "load balancer check; says nothing about people",
    "set_language": "language switch, public on the login page",
    "home": "every signed-in user has a home page; what it shows follows the role",
    "switch_membership": "chooses among the user's own active memberships only",
    "accounts:totp_verify": "second factor of the user's own account",
    "accounts:totp_enrol": "pairs a device with the user's own account",
    "accounts:api_access": "the user's own API tokens of the membership in use; webhooks "
    "need the partner admin role, checked in the view (tests/test_api_access_page.py)",
    "accounts:oidc_start": "public: starts the sign-in through the identity federation",
    "accounts:oidc_callback": "public: ends the sign-in through the identity federation",
    "api:schema": "the API's published description; holds no data",
    "api:docs": "the API's published documentation page; holds no data",
    "messaging:page": "public: the person's own convocation page, behind a birth-date check",
    "messaging:sms_status": "public: the SMS provider's delivery report, HMAC-signed",
}

# Whole URL spaces with their own access control (some of their routes have no name).
ALLOWLIST_PREFIXES: dict[str, str] = {
    "/admin/": "the Django admin checks the national admin role itself (core.admin_site)",
}


def declared_action(callback) -> str | None:
    """The action a view declares, whether a function view or an API (class-based) view."""
    action = getattr(callback, "parcours_action", None)
    if action:
        return action
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    return getattr(view_class, "parcours_action", None) or getattr(
        view_class, "required_action", None
    )


def allowlist_reason(route: Route) -> str | None:
    if route.name in ALLOWLIST:
        return ALLOWLIST[route.name]
    return next(
        (reason for prefix, reason in ALLOWLIST_PREFIXES.items() if route.url.startswith(prefix)),
        None,
    )


def undeclared_routes(routes=None) -> list[Route]:
    """Routes that declare no action and are not in the allowlist: each one is a failure."""
    return [
        route
        for route in (routes if routes is not None else walk())
        if declared_action(route.callback) is None and allowlist_reason(route) is None
    ]


def matrix_routes(routes=None) -> list[tuple[Route, str]]:
    return [
        (route, action)
        for route in (routes if routes is not None else walk())
        if (action := declared_action(route.callback)) is not None
    ]


@dataclass(frozen=True)
class Finding:
    role: str
    url: str
    name: str | None
    action: str
    expected: str
    status: int
    detail: str = ""

    def __str__(self):
        return (
            f"{self.role} GET {self.url} ({self.name}, {self.action}): expected {self.expected}, "
            f"got {self.status} {self.detail}".strip()
        )


def signed_in_client(role: str, **kwargs) -> Client:
    membership = membership_for(role, **kwargs)
    client = Client()
    client.force_login(membership.user)
    client.membership = membership
    return client


def walk_as(client: Client, role: str, routes=None, leak_markers=(), queries=("",)):
    """GET every declared route as `role`; return what disagrees with the matrix.

    Allowed: anything but 403 and 5xx (404 for a sample object outside the perimeter, 405 for
    a form that only takes POST). Refused: exactly 403, before anything is read (a POST-only
    view is tried with POST). In both cases no response may contain a leak marker (a detail
    of a person the role must never see, which must not be the text searched: pages echo
    their own URL). `queries` are appended to each URL ("?q=NAME" reaches searches and
    autocompletes).
    """
    findings = []
    for route, action in matrix_routes(routes):
        allowed = role in MATRIX.get(action, frozenset())
        for query in queries:
            url = route.url + query
            response = client.get(url)
            status = response.status_code
            if status == 405 and not allowed:
                # A POST-only view: a refused role must be stopped before the method check.
                # Safe to send: the matrix refuses it before the view runs.
                response = client.post(url)
                status = response.status_code
            if allowed and (status == 403 or status >= 500):
                findings.append(Finding(role, url, route.name, action, "allowed", status))
            elif not allowed and status != 403:
                findings.append(Finding(role, url, route.name, action, "403", status))
            body = b"".join(response.streaming_content) if response.streaming else response.content
            for marker in leak_markers:
                if marker.encode() in body:
                    findings.append(
                        Finding(role, url, route.name, action, "no leak", status, f"({marker})")
                    )
    return findings
