"""A common name's search and long worklists stay a page at a time (issue 12).

A search finding more than `SEARCH_MAX_RESULTS` shows the closest ones only and says to
refine; each worklist shows a page and « Suivants » reads the next from the last row shown
(keyset), alone with htmx or as the whole page without JavaScript; the counts stop at a cap.
The caps and the page size are lowered here so that a few rows exceed them.
"""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.organisations.roles import Role
from parcours.reception.models import AttendanceStatus
from parcours.territories.models import Department
from tests.factories import PersonFactory
from tests.factories_indicators import ConvocationFactory
from tests.factories_indicators import SessionFactory as IndicatorSessionFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 1, 5)


def _names(response) -> list[str]:
    """The persons' names linked from the page's tables, in order."""
    return re.findall(r'<a href="/personnes/\d+/">([^<]+)</a>', page_text(response))


# --- Search ---------------------------------------------------------------------------------


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr("parcours.www.views.SEARCH_MAX_RESULTS", 3)


def test_a_name_with_more_matches_than_the_cap_shows_the_closest_and_says_to_refine(
    client_for, small_cap
):
    for first in ("Ali", "Leila", "Omar", "Sara", "Yanis"):
        PersonFactory(last_name="HADDAD", first_names=first)
    PersonFactory(last_name="HADDADI", first_names="Karim")
    client = client_for(Role.RECEPTION_AGENT)
    response = client.get("/personnes/", {"q": "haddad"})
    text = page_text(response)
    assert "Plus de 3 personnes correspondent" in text
    shown = _names(response)
    assert len(shown) == 3
    assert all(name.startswith("HADDAD ") for name in shown)  # the exact spelling, not HADDADI


def test_a_name_within_the_cap_is_counted_exactly(client_for, small_cap):
    PersonFactory(last_name="HADDAD", first_names="Ali")
    PersonFactory(last_name="HADDAD", first_names="Leila")
    client = client_for(Role.RECEPTION_AGENT)
    text = page_text(client.get("/personnes/", {"q": "haddad"}))
    assert "Plus de" not in text
    assert "2 personnes" in text


def test_the_filters_choose_among_all_matches_before_the_cap(client_for, small_cap):
    moselle, meuse = Department.objects.filter(directorate__code="metz").order_by("code")[:2]
    for first in ("Ali", "Leila", "Omar", "Sara"):
        PersonFactory(last_name="HADDAD", first_names=first, department=moselle)
    PersonFactory(last_name="HADDAD", first_names="Yanis", department=meuse)
    client = client_for(Role.RECEPTION_AGENT)
    client.post("/personnes/", {"q": "haddad"})
    response = client.get("/personnes/", {"departement": meuse.code})
    assert _names(response) == ["HADDAD Yanis"]


def test_a_search_over_the_cap_runs_the_same_statements_for_few_or_many(client_for, small_cap):
    client = client_for(Role.RECEPTION_AGENT)
    PersonFactory.create_batch(4, last_name="HADDAD")
    client.get("/personnes/", {"q": "haddad"})
    with CaptureQueriesContext(connection) as few:
        client.get("/personnes/")
    PersonFactory.create_batch(20, last_name="HADDAD")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/personnes/")
    assert "Plus de 3 personnes correspondent" in page_text(response)
    assert len(many) == len(few)


# --- Worklists ------------------------------------------------------------------------------


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr("parcours.www.reception.views.WORKLIST_PAGE_SIZE", 2)
    monkeypatch.setattr("parcours.www.home.WORKLIST_COUNT_CAP", 3)


def _missed(names):
    """One missed convocation per name, a day apart, the first the oldest."""
    for offset, name in enumerate(names):
        session = IndicatorSessionFactory(date=DAY + datetime.timedelta(days=offset))
        person = PersonFactory(last_name=name, first_names="Test")
        ConvocationFactory(session=session, person=person, status=AttendanceStatus.ABSENT)


def _following(response, name="reconvoke"):
    found = re.search(
        rf'href="(/pfa/a-traiter/\?liste={name}&amp;apres=[^"#]+)', response.content.decode()
    )
    return html.unescape(found.group(1)) if found else None


def test_suivants_reaches_every_row_of_a_worklist_once_in_order(client_for, small_pages):
    names = ["ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO"]
    _missed(names)
    client = client_for(Role.RECEPTION_AGENT)
    response = client.get("/pfa/a-traiter/")
    seen = [n.split()[0] for n in _names(response)]
    assert seen == ["ALPHA", "BRAVO"]
    while (link := _following(response)) is not None:
        response = client.get(link)  # without JavaScript: the whole page, that tab open
        assert response.status_code == 200
        assert 'id="tab-reconvoke" class="fr-tabs__tab" tabindex="0"' in response.content.decode()
        seen += [n.split()[0] for n in _names(response)]
    assert seen == names
    assert "Les plus anciens" in page_text(response)  # back to the first page


def test_suivants_with_htmx_answers_that_list_alone(client_for, small_pages):
    _missed(["ALPHA", "BRAVO", "CHARLIE"])
    client = client_for(Role.RECEPTION_AGENT)
    link = _following(client.get("/pfa/a-traiter/"))
    response = client.get(link, HTTP_HX_REQUEST="true")
    text = page_text(response)
    assert "<h1>" not in text
    assert text.lstrip().startswith('<div id="worklist-reconvoke">')
    assert [n.split()[0] for n in _names(response)] == ["CHARLIE"]


def test_a_next_page_costs_the_same_statements_however_long_the_list(client_for, small_pages):
    _missed(["ALPHA", "BRAVO", "CHARLIE"])
    client = client_for(Role.RECEPTION_AGENT)
    link = _following(client.get("/pfa/a-traiter/"))
    with CaptureQueriesContext(connection) as short:
        client.get(link, HTTP_HX_REQUEST="true")
    _missed(["DELTA", "ECHO", "FOXTROT", "GOLF"])
    with CaptureQueriesContext(connection) as long:
        client.get(link, HTTP_HX_REQUEST="true")
    assert len(long) == len(short)


@pytest.mark.parametrize("cursor", ["n'importe-quoi", "2026-13-45.1", "2026-01-05.x", ""])
def test_an_edited_cursor_starts_the_list_from_its_first_row(client_for, small_pages, cursor):
    _missed(["ALPHA", "BRAVO", "CHARLIE"])
    client = client_for(Role.RECEPTION_AGENT)
    response = client.get("/pfa/a-traiter/", {"liste": "reconvoke", "apres": cursor})
    assert response.status_code == 200
    assert [n.split()[0] for n in _names(response)] == ["ALPHA", "BRAVO"]


def test_counts_above_the_cap_say_more_than_on_the_tab_and_the_home(client_for, small_pages):
    _missed(["ALPHA", "BRAVO", "CHARLIE", "DELTA"])
    client = client_for(Role.RECEPTION_AGENT)
    assert "À reconvoquer (plus de 3)" in page_text(client.get("/pfa/a-traiter/"))
    assert "Plus de 3 personnes à reconvoquer" in page_text(client.get("/"))


def test_counts_within_the_cap_are_exact(client_for, small_pages):
    _missed(["ALPHA", "BRAVO", "CHARLIE"])
    client = client_for(Role.RECEPTION_AGENT)
    assert "À reconvoquer (3)" in page_text(client.get("/pfa/a-traiter/"))
    assert "3 personnes à reconvoquer" in page_text(client.get("/"))
