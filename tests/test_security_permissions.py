"""The permission matrix as a test: every route answers each role as MATRIX says, never a leak."""

import pytest

from parcours.organisations.permissions import MATRIX, Action
from parcours.organisations.roles import Role
from parcours.territories.models import Department
from tests.factories import PersonFactory
from tests.permissions_walk import (
    ALLOWLIST,
    ALLOWLIST_PREFIXES,
    allowlist_reason,
    declared_action,
    matrix_routes,
    signed_in_client,
    undeclared_routes,
    walk_as,
)
from tests.urlwalk import Route, walk

# A person of another directorate: no role of DT Metz, no partner, no viewer may ever see it.
# Searched by last name; a leak shows as the first name (pages echo the searched text).
SEARCHED_NAME = "FUITEINTERDITE"
LEAK_MARKER = "Zorglubette"


def test_every_route_declares_its_action_or_is_allowlisted_with_a_reason():
    missing = [f"{route.name} ({route.url})" for route in undeclared_routes()]
    assert missing == [], "routes without an action in the permission matrix: " + ", ".join(missing)


def test_a_new_route_without_an_action_fails_the_walk():
    def new_page(request):  # a page someone forgot to declare
        raise AssertionError("never called")

    route = Route("/nouvelle-page/", "new_page", new_page)
    assert undeclared_routes([route]) == [route]


def test_every_allowlisted_name_exists_and_gives_a_reason():
    routes = walk()
    names = {route.name for route in routes}
    for name, reason in ALLOWLIST.items():
        assert reason.strip()
        assert name in names, f"allowlisted route {name} no longer exists"
    for prefix, reason in ALLOWLIST_PREFIXES.items():
        assert reason.strip()
        assert any(route.url.startswith(prefix) for route in routes), prefix


def test_every_declared_action_is_in_the_matrix():
    unknown = {action for _route, action in matrix_routes() if action not in MATRIX}
    assert unknown == set()
    assert set(MATRIX) == set(Action)


def test_the_walk_reads_actions_of_api_views_too():
    class ApiView:
        required_action = Action.VIEW_PERSON

    def callback():
        pass

    callback.cls = ApiView
    assert declared_action(callback) == Action.VIEW_PERSON
    assert allowlist_reason(Route("/admin/x/", "admin:x", callback))


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_what_the_matrix_says_on_every_route(role):
    PersonFactory(
        last_name=SEARCHED_NAME,
        first_names=LEAK_MARKER,
        department=Department.objects.get(code="67"),
    )
    PersonFactory()  # one of DT Metz, so that lists are not empty for its staff
    client = signed_in_client(role)
    findings = walk_as(
        client, role, leak_markers=[LEAK_MARKER], queries=("", f"?q={SEARCHED_NAME}")
    )
    assert findings == [], "\n".join(str(finding) for finding in findings)
