"""The reception sessions as a list to work from (issue 16.5): filters, sort, columns,
pagination keeping the filters, XLSX export, query counts."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from parcours.organisations.roles import Role
from parcours.reception.models import SessionStaff, StaffRole
from tests.factories import membership_for
from tests.factories_reception import ConvocationFactory, SessionFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)
URL = "/pfa/sessions/liste/"
EXPORT = "/pfa/sessions/liste/export.xlsx"


def _session(*, day=DAY, place="Salle A", capacity=2, convoked=0, **kwargs):
    session = SessionFactory(date=day, place=place, capacity=capacity, **kwargs)
    for _ in range(convoked):
        ConvocationFactory(session=session)
    return session


def _listed(response) -> str:
    """The table's rows only (the place filter's options also name every place)."""
    assert response.status_code == 200
    html = response.content.decode()
    if "<tbody>" not in html:
        return ""
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def test_the_list_shows_the_columns_agents_need(client_for):
    session = _session(convoked=1)
    agent = membership_for(Role.RECEPTION_AGENT).user
    agent.first_name, agent.last_name = "Claire", "Dupuis"
    agent.save()
    SessionStaff.objects.create(session=session, user=agent, role=StaffRole.values[0])
    text = page_text(client_for(Role.RECEPTION_AGENT).get(URL))
    assert "lundi 2 mars 2026" in text
    assert "08h30" in text
    assert "Salle A" in text
    assert "Claire Dupuis" in text
    assert "1 session" in text


def test_filters_on_dates_place_and_free_seats(client_for):
    _session(place="Salle A", convoked=2)  # full
    _session(place="Salle B", convoked=1)  # one seat free
    _session(day=DAY + datetime.timedelta(days=10), place="Salle A")
    client = client_for(Role.RECEPTION_AGENT)
    window = {"du": DAY.isoformat(), "au": DAY.isoformat()}
    full = _listed(client.get(URL, {**window, "places": "completes"}))
    assert "Salle A" in full and "Salle B" not in full and "Complète" in full
    free = _listed(client.get(URL, {**window, "places": "libres"}))
    assert "Salle B" in free and "Salle A" not in free
    later = page_text(client.get(URL, {"du": (DAY + datetime.timedelta(days=1)).isoformat()}))
    assert "1 session" in later
    only_b = _listed(client.get(URL, {"lieu": "Salle B"}))
    assert "Salle A" not in only_b


def test_pagination_keeps_the_filters_and_the_sort(client_for):
    for offset in range(30):
        _session(day=DAY + datetime.timedelta(days=offset), place="Salle A")
    response = client_for(Role.RECEPTION_AGENT).get(URL, {"lieu": "Salle A", "tri": "date-desc"})
    html = response.content.decode()
    assert "?lieu=Salle+A&amp;tri=date-desc&amp;page=2" in html
    assert "export.xlsx?lieu=Salle+A&amp;tri=date-desc" in html
    assert html.index("31 mars 2026") < html.index("30 mars 2026")


def test_reversed_dates_and_bad_values_give_a_french_message_not_a_500(client_for):
    _session()
    client = client_for(Role.RECEPTION_AGENT)
    response = client.get(URL, {"du": "2026-03-10", "au": "2026-03-01"})
    assert response.status_code == 200
    assert "La date de début doit précéder la date de fin." in page_text(response)
    assert "Aucune session ne correspond" in page_text(response)
    assert client.get(URL, {"du": "pas une date", "places": "x", "dt": "abc"}).status_code == 200
    assert client.get(EXPORT, {"du": "pas une date"}).status_code == 200


def test_another_directorate_sessions_are_not_listed_or_exported(client_for):
    _session(place="Salle de Metz")
    SessionFactory(date=DAY, place="Salle de Reims", directorate=_other_directorate())
    client = client_for(Role.RECEPTION_AGENT)
    assert "Salle de Reims" not in client.get(URL).content.decode()
    rows = _rows(client.get(EXPORT))
    assert [row[4] for row in rows[1:]] == ["Salle de Metz"]


def _other_directorate():
    from tests.factories import directorate

    return directorate("reims")


def _rows(response):
    assert response.status_code == 200
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_the_export_is_the_filtered_list_with_typed_dates(client_for):
    _session(place="Salle A", convoked=2)
    _session(place="Salle B", convoked=1)
    rows = _rows(client_for(Role.RECEPTION_AGENT).get(EXPORT, {"places": "libres"}))
    assert rows[0][:8] == (
        "Date",
        "Heure",
        "Demi-journée",
        "Direction territoriale",
        "Lieu",
        "Capacité",
        "Convoqués",
        "Places libres",
    )
    assert len(rows) == 2
    assert isinstance(rows[1][0], datetime.datetime)
    assert rows[1][4:8] == ("Salle B", 2, 1, 1)


def test_partners_without_staffing_see_nothing_and_roles_outside_get_403(client_for):
    _session()
    assert client_for(Role.REGIONAL_VIEWER).get(URL).status_code == 403
    assert client_for(Role.REGIONAL_VIEWER).get(EXPORT).status_code == 403


@pytest.mark.parametrize("url", [URL, EXPORT])
def test_the_list_and_export_run_a_fixed_number_of_queries(client_for, url):
    client = client_for(Role.RECEPTION_AGENT)
    _session(convoked=1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for offset in range(15):
        _session(day=DAY + datetime.timedelta(days=offset), place=f"Salle {offset}", convoked=1)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    # Sign-in (3), places, directorates, count, page, staff, DSFR config (2), session save (3).
    assert len(many) <= 13
