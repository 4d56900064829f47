"""Lists people can work from (issue 16.5): filters, sort, columns, pagination, XLSX export."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from parcours.organisations.roles import Role
from parcours.privacy.access_log import Operation
from parcours.privacy.models import AccessLog
from parcours.territories.models import Department
from tests.factories import PersonFactory
from tests.factories_referrals import SchemeFactory, auditor, make_referral
from tests.helpers import page_text
from tests.test_referrals_pages import client_of, partner_client

pytestmark = pytest.mark.django_db


def test_the_person_list_shows_agdref_and_status(client_for):
    PersonFactory(last_name="KARIMI", agdref_number="7501234567", residence_status="worker")
    text = page_text(client_for(Role.RECEPTION_AGENT).get("/personnes/"))
    assert "7501234567" in text
    assert "Salarié ou travailleur" in text


def test_filters_narrow_the_list_and_pagination_keeps_them(client_for):
    for index in range(55):
        PersonFactory(last_name=f"REFUGIE{index:02}", residence_status="refugee")
    PersonFactory(last_name="TRAVAILLEUR", residence_status="worker")
    client = client_for(Role.RECEPTION_AGENT)
    worker = page_text(client.get("/personnes/", {"statut": "worker"}))
    assert "TRAVAILLEUR" in worker and "REFUGIE00" not in worker
    first = client.get("/personnes/", {"statut": "refugee"}).content.decode()
    assert 'href="?statut=refugee&amp;page=2"' in first
    second = page_text(client.get("/personnes/", {"statut": "refugee", "page": 2}))
    assert "REFUGIE54" in second and "TRAVAILLEUR" not in second


def test_sort_by_most_recent_file(client_for):
    PersonFactory(last_name="AANCIEN")
    PersonFactory(last_name="ZNOUVEAU")
    text = page_text(client_for(Role.RECEPTION_AGENT).get("/personnes/", {"tri": "recents"}))
    assert text.index("ZNOUVEAU") < text.index("AANCIEN")


def test_the_list_without_a_sort_is_by_name_in_the_dt_index_order(client_for):
    """Issue 12: with no sort asked, the list is the « nom » sort, the order of the DT's
    partial index: the first page is read from it instead of sorting a common last name."""
    for last, first in [("MARTIN", "Zoé"), ("MARTIN", "Adam"), ("ABADI", "Lina")]:
        PersonFactory(last_name=last, first_names=first)
    client = client_for(Role.RECEPTION_AGENT)
    with CaptureQueriesContext(connection) as queries:
        text = page_text(client.get("/personnes/", {"q": ""}))
    listed = [q["sql"] for q in queries.captured_queries if 'FROM "people_person"' in q["sql"]]
    assert any('ORDER BY UPPER("people_person"."last_name")' in sql for sql in listed), listed
    assert text.index("ABADI") < text.index("Adam") < text.index("Zoé")
    by_name = page_text(client.get("/personnes/", {"tri": "nom"}))
    assert by_name.index("ABADI") < by_name.index("Adam") < by_name.index("Zoé")


def test_a_bad_filter_value_gets_no_500(client_for):
    client = client_for(Role.RECEPTION_AGENT)
    response = client.get("/personnes/", {"statut": "nope", "cree_depuis": "31/02/x", "tri": "?"})
    assert response.status_code == 200


def test_the_export_is_the_filtered_list_and_every_person_is_logged(client_for):
    worker = PersonFactory(
        last_name="TRAVAILLEUR", residence_status="worker", agdref_number="7501234567"
    )
    PersonFactory(last_name="REFUGIE", residence_status="refugee")
    client = client_for(Role.DT_DIRECTOR)
    response = client.get("/personnes/export.xlsx", {"statut": "worker"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Nom"
    assert [row[0] for row in rows[1:]] == ["TRAVAILLEUR"]
    assert rows[1][4] == "7501234567"
    assert isinstance(rows[1][3], datetime.datetime)  # a date typed as a date
    log = AccessLog.objects.get(operation=Operation.EXPORT)
    assert list(log.entries.values_list("person_id", flat=True)) == [worker.pk]


def test_the_export_neutralises_formulas(client_for):
    PersonFactory(last_name="=HYPERLINK(1)")
    client = client_for(Role.DT_DIRECTOR)
    sheet = load_workbook(io.BytesIO(client.get("/personnes/export.xlsx").content)).active
    assert sheet.cell(row=2, column=1).value == "'=HYPERLINK(1)"


def test_roles_without_export_get_403(client_for):
    assert client_for(Role.RECEPTION_AGENT).get("/personnes/export.xlsx").status_code == 403


def test_the_export_runs_a_fixed_number_of_queries(client_for):
    client = client_for(Role.DT_DIRECTOR)
    PersonFactory.create_batch(2)
    with CaptureQueriesContext(connection) as few:
        client.get("/personnes/export.xlsx")
    PersonFactory.create_batch(20, department=Department.objects.get(code="57"))
    with CaptureQueriesContext(connection) as many:
        client.get("/personnes/export.xlsx")
    assert len(many) == len(few)


def test_the_inbox_opens_on_a_tab_that_holds_items():
    referral = make_referral(state="accepted")
    text = page_text(partner_client(referral.scheme).get("/orientations-recues/"))
    # The empty « À traiter » tab is not the one shown: the accepted referral is.
    assert referral.person.display_name in text
    assert 'href="?onglet=acceptees" aria-current="page"' in text


def test_an_explicit_empty_tab_stays_empty():
    referral = make_referral(state="accepted")
    client = partner_client(referral.scheme)
    text = page_text(client.get("/orientations-recues/", {"onglet": "a-traiter"}))
    assert referral.person.display_name not in text


def test_the_inbox_filters_by_scheme_and_its_tabs_keep_the_filter():
    referral = make_referral(state="sent", person=PersonFactory(last_name="PREMIER"))
    other = SchemeFactory(organisation=referral.scheme.organisation, name="Autre dispositif")
    make_referral(other, state="sent", person=PersonFactory(last_name="SECOND"))
    client = partner_client(referral.scheme)
    both = page_text(client.get("/orientations-recues/"))
    assert "PREMIER" in both and "SECOND" in both
    response = client.get("/orientations-recues/", {"dispositif": other.pk})
    text = page_text(response)
    assert "SECOND" in text and "PREMIER" not in text
    assert f'href="?onglet=closes&amp;dispositif={other.pk}"' in response.content.decode()


def test_the_inbox_export_holds_the_partners_columns_and_is_logged():
    person = PersonFactory(last_name="EXPORTEE", agdref_number="7501234567")
    referral = make_referral(state="sent", person=person)
    client = partner_client(referral.scheme)
    response = client.get("/orientations-recues/", {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][1] == "EXPORTEE Amina"
    assert "7501234567" not in [str(cell) for row in rows for cell in row]
    log = AccessLog.objects.get(operation=Operation.EXPORT)
    assert list(log.entries.values_list("person_id", flat=True)) == [person.pk]


def test_the_sent_list_exports_its_tab(client_for):
    referral = make_referral(state="sent", person=PersonFactory(last_name="ENVOYEE"))
    client = client_of(auditor())
    response = client.get("/orientations/", {"onglet": "en-attente", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [referral.reference]


def test_the_inbox_with_filters_runs_a_fixed_number_of_queries():
    scheme = SchemeFactory()
    client = partner_client(scheme)
    make_referral(scheme, state="sent")
    with CaptureQueriesContext(connection) as few:
        client.get("/orientations-recues/", {"tri": "recentes"})
    for _ in range(8):
        make_referral(scheme, state="sent")
    with CaptureQueriesContext(connection) as many:
        client.get("/orientations-recues/", {"tri": "recentes"})
    assert len(many) == len(few)


def test_information_sessions_filter_upcoming_and_export(client_for):
    from tests.factories import MembershipFactory
    from tests.factories_referrals import InformationSessionFactory
    from tests.test_referrals_pages import client_of

    upcoming = InformationSessionFactory()
    InformationSessionFactory(
        organisation=upcoming.organisation,
        venue=upcoming.venue,
        date=upcoming.date - datetime.timedelta(days=60),
        start_time=datetime.time(9, 15),
    )
    client = client_of(
        MembershipFactory(organisation=upcoming.organisation, role=Role.PARTNER_COUNSELLOR)
    )
    text = page_text(client.get("/seances-information/", {"quand": "a-venir"}))
    assert "14:00" in text and "09:15" not in text
    response = client.get("/seances-information/", {"quand": "passees", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["09:15"]
