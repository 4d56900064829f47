"""Figures pages: who sees what, exact inside the DT, protected outside, and bad input."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from parcours.indicators.models import Audience, MonthlyApproval, ReportRecipient, ReportRun
from parcours.organisations.roles import Role
from tests.factories import PersonFactory, directorate
from tests.factories_indicators import born, check_on
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 1, 27)
JANUARY = "?start=2026-01&end=2026-01"

VIEWERS = [Role.DT_DIRECTOR, Role.DT_ADMIN, Role.REGIONAL_VIEWER, Role.NATIONAL_ADMIN]


def two_men_in_metz():
    for _ in range(2):
        check_on(DAY, person=PersonFactory(sex="H", birth_date=born(50, DAY)))
    for _ in range(6):
        check_on(DAY, person=PersonFactory(sex="F", birth_date=born(30, DAY)))


@pytest.mark.parametrize("role", VIEWERS)
def test_roles_that_may_view_aggregates_reach_the_dashboard(client_for, role):
    response = client_for(role).get("/chiffres/" + JANUARY)
    assert response.status_code == 200
    assert "Personnes accompagnées" in page_text(response)


@pytest.mark.parametrize(
    "role",
    [Role.RECEPTION_AGENT, Role.INTEGRATION_AUDITOR, Role.ASYLUM_AUDITOR, Role.PARTNER_COUNSELLOR],
)
def test_other_roles_are_refused_the_figures(client_for, role):
    client = client_for(role)
    assert client.get("/chiffres/").status_code == 403
    assert client.get("/chiffres/export.csv" + JANUARY).status_code == 403
    assert client.get("/chiffres/valider/").status_code == 403


def test_the_dt_sees_its_exact_small_counts(client_for):
    two_men_in_metz()
    response = client_for(Role.DT_DIRECTOR).get("/chiffres/" + JANUARY)
    text = page_text(response)
    assert "chiffres exacts" in text
    table = response.context["board"].document.sections[0].blocks[0].published
    assert table.value("H", "46-64") == 2
    assert not table.hidden


def test_the_dreets_sees_its_region_with_small_counts_hidden(client_for):
    two_men_in_metz()
    response = client_for(Role.REGIONAL_VIEWER).get("/chiffres/" + JANUARY)
    board = response.context["board"]
    names = [d.name for d in board.perimeter.directorates]
    assert names == ["DT Metz", "DT Reims", "DT Strasbourg"]  # not Amiens (Hauts-de-France)
    metz = next(
        b for b in board.document.sections[0].blocks if b.directorate.name == "DT Metz"
    ).published
    assert metz.value("H", "46-64") is None
    assert "secret statistique" in page_text(response).lower()


def test_a_partner_admin_sees_its_own_figures_not_the_report_of_the_dts_it_serves(client_for):
    # Issue 16.3: « each partner's Chiffres shows its own referrals and seats »; the protected
    # report of the DTs it serves (issue 5's first design) is no longer shown to partners.
    two_men_in_metz()
    client = client_for(Role.PARTNER_ADMIN)
    client.membership.organisation.departments.set([directorate("metz").departments.first()])
    response = client.get("/chiffres/" + JANUARY)
    assert response.status_code == 200
    assert "board" not in response.context
    assert "own" in response.context
    text = page_text(response)
    assert "Vos orientations et vos places" in text
    assert "petits effectifs masqués" not in text
    assert "DT Metz" not in text


def test_a_dt_cannot_select_another_dt(client_for):
    response = client_for(Role.DT_DIRECTOR).get(
        "/chiffres/" + JANUARY + f"&directorate={directorate('amiens').pk}"
    )
    assert response.status_code == 400
    assert "n'est pas dans votre périmètre" in page_text(response)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?start=2026-13", "Saisissez un mois sous la forme AAAA-MM"),
        ("?start=2026-03&end=2026-01", "Le mois de fin doit suivre le mois de début"),
        ("?start=2020-01&end=2026-01", "24 mois au plus"),
    ],
)
def test_a_bad_period_gets_a_clear_french_message(client_for, query, message):
    response = client_for(Role.DT_DIRECTOR).get("/chiffres/" + query)
    assert response.status_code == 400
    assert message in page_text(response)


def test_the_dt_exports_exact_figures_or_the_version_for_the_dreets(client_for):
    two_men_in_metz()
    client = client_for(Role.DT_ADMIN)
    exact = client.get("/chiffres/export.csv" + JANUARY)
    assert exact.status_code == 200
    assert exact["Content-Type"].startswith("text/csv")
    assert 'filename="monthly-dt-metz-2026-01-exact.csv"' in exact["Content-Disposition"]
    assert b"Hommes;0;0;2;0;0;2" in exact.content
    protected = client.get("/chiffres/export.csv" + JANUARY + "&pour=dreets")
    assert b"Hommes;0;s;s;0;0;s" in protected.content


def test_outside_the_dt_exports_are_always_protected(client_for):
    two_men_in_metz()
    response = client_for(Role.REGIONAL_VIEWER).get("/chiffres/export.csv" + JANUARY + "&pour=dt")
    assert b"Hommes;0;s;s;0;0;s" in response.content
    assert b"Hommes;0;0;2" not in response.content


def test_partner_admins_see_aggregates_but_cannot_export(client_for):
    assert client_for(Role.PARTNER_ADMIN).get("/chiffres/export.csv" + JANUARY).status_code == 403


def test_an_unknown_export_format_is_not_found(client_for):
    assert client_for(Role.DT_ADMIN).get("/chiffres/export.exe" + JANUARY).status_code == 404


def test_the_director_approves_a_month_from_the_page(client_for):
    two_men_in_metz()
    client = client_for(Role.DT_DIRECTOR)
    page = client.get("/chiffres/valider/?mois=2026-01")
    assert page.status_code == 200
    assert "Valider les chiffres de janvier 2026" in page_text(page)
    response = client.post("/chiffres/valider/", {"month": "2026-01"}, follow=True)
    assert "sont validés (version 1)" in page_text(response)
    assert MonthlyApproval.objects.get().approved_by == client.membership.user
    assert "Chiffres validés le" in page_text(response)


def test_a_re_approval_without_reason_is_refused_and_nothing_is_saved(client_for):
    two_men_in_metz()
    client = client_for(Role.DT_DIRECTOR)
    client.post("/chiffres/valider/", {"month": "2026-01"})
    check_on(DAY)
    response = client.post("/chiffres/valider/", {"month": "2026-01"})
    assert response.status_code == 400
    assert "indiquez ce qui a été corrigé" in page_text(response)
    assert MonthlyApproval.objects.count() == 1
    assert "Modifié depuis la validation" in page_text(response)


def test_only_the_director_approves(client_for):
    client = client_for(Role.DT_ADMIN)
    assert client.post("/chiffres/valider/", {"month": "2026-01"}).status_code == 403


def test_a_bad_month_to_approve_changes_nothing(client_for):
    client = client_for(Role.DT_DIRECTOR)
    response = client.post("/chiffres/valider/", {"month": "janvier"}, follow=True)
    assert "Ce mois n'existe pas" in page_text(response)
    assert not MonthlyApproval.objects.exists()


def test_the_dt_admin_sees_the_sending_runs_of_its_dt_only(client_for):
    ReportRun.objects.create(
        directorate=directorate("metz"),
        month=datetime.date(2026, 1, 1),
        report_code="monthly",
        recipient_email="direction@metz.example.org",
        audience=Audience.DIRECTORATE,
        status="sent",
        sent_at=datetime.datetime(2026, 2, 2, 7, 30, tzinfo=datetime.UTC),
    )
    ReportRun.objects.create(
        directorate=directorate("amiens"),
        month=datetime.date(2026, 1, 1),
        report_code="monthly",
        recipient_email="direction@amiens.example.org",
        audience=Audience.DIRECTORATE,
        status="failed",
        error="SMTP indisponible",
    )
    text = page_text(client_for(Role.DT_ADMIN).get("/chiffres/envois/"))
    assert "direction@metz.example.org" in text
    assert "amiens" not in text
    assert client_for(Role.REGIONAL_VIEWER).get("/chiffres/envois/").status_code == 403


def test_the_dt_adds_a_recipient_and_a_duplicate_is_refused(client_for):
    client = client_for(Role.DT_ADMIN)
    data = {
        "directorate": directorate("metz").pk,
        "name": "DREETS Grand Est",
        "email": "Statistiques@DREETS.example.org",
        "audience": Audience.DREETS,
    }
    response = client.post("/chiffres/destinataires/", data, follow=True)
    assert "statistiques@dreets.example.org recevra le rapport mensuel" in page_text(response)
    again = client.post("/chiffres/destinataires/", data)
    assert again.status_code == 400
    assert "reçoit déjà le rapport mensuel" in page_text(again)
    assert ReportRecipient.objects.count() == 1


def test_a_dt_cannot_add_or_touch_recipients_of_another_dt(client_for):
    client = client_for(Role.DT_ADMIN)
    response = client.post(
        "/chiffres/destinataires/",
        {"directorate": directorate("amiens").pk, "email": "x@example.org", "audience": "dreets"},
    )
    assert response.status_code == 400
    assert not ReportRecipient.objects.exists()
    other = ReportRecipient.objects.create(
        directorate=directorate("amiens"), email="y@example.org", audience=Audience.DREETS
    )
    assert client.post(f"/chiffres/destinataires/{other.pk}/activer/").status_code == 404
    other.refresh_from_db()
    assert other.is_active


def test_the_menu_offers_the_figures_to_those_who_may_see_them(client_for):
    assert "/chiffres/" in client_for(Role.DT_DIRECTOR).get("/").content.decode()
    assert "/chiffres/" not in client_for(Role.RECEPTION_AGENT).get("/").content.decode()


def _dashboard_queries(client, query):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/chiffres/" + query).status_code == 200
    return len(queries)


def test_the_dashboard_runs_the_same_number_of_queries_for_one_dt_month_or_a_national_year(
    client_for,
):
    check_on(DAY)
    dt_month = _dashboard_queries(client_for(Role.DT_DIRECTOR), JANUARY)
    national = client_for(Role.NATIONAL_ADMIN)
    small = _dashboard_queries(national, JANUARY)
    for month in range(2, 13):
        day = datetime.date(2026, month, 3)
        for dt in ("metz", "strasbourg", "reims", "amiens"):
            check_on(day, dt=dt, person=PersonFactory(sex="H", birth_date=born(20 + month, day)))
    year = _dashboard_queries(national, "?start=2026-01&end=2026-12")
    # The summary compares the last month with the one before: a year holds it, so it reads
    # nothing more; a single month reads the month before (one statement on SQLite, more on
    # PostgreSQL). The year never runs more.
    assert year < small
    assert dt_month <= small


def test_an_approved_month_reads_in_english_too(client_for):
    # Approved in French; the snapshot holds codes, so English readers get English labels.
    two_men_in_metz()
    client = client_for(Role.DT_DIRECTOR)
    client.post("/chiffres/valider/", {"month": "2026-01"})
    assert MonthlyApproval.objects.count() == 1
    client.cookies["django_language"] = "en"
    page = client.get("/chiffres/?start=2026-01")
    assert page.status_code == 200
    text = page_text(page)
    assert "Figures validated on" in text
    assert "Women" in text and "Femmes" not in text
    export = client.get("/chiffres/export.xlsx?start=2026-01")
    assert export.status_code == 200
    workbook = load_workbook(io.BytesIO(export.content))
    values = [c for row in workbook.active.iter_rows(values_only=True) for c in row if c]
    assert "Men" in values and "Hommes" not in values
