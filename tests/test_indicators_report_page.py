"""The monthly report as people read it (issue 16, point 6): summary first, families folded,
zeros receding, definitions beside each table, approval after the figures and alerts confirmed."""

import datetime
import re

import pytest

from parcours.indicators.checks import (
    ACCOMPANIED_ABOVE_PRESENT,
    ATTENDANCE_UNRECORDED,
    PRESENT_WITHOUT_ACCOMPANIED,
    month_checks,
)
from parcours.indicators.models import MonthlyApproval
from parcours.organisations.roles import Role
from parcours.reception.models import AttendanceStatus
from tests.factories import PersonFactory, directorate
from tests.factories_indicators import ConvocationFactory, SessionFactory, check_on
from tests.factories_reception import metz_experiment
from tests.helpers import page_text

DAY = datetime.date(2026, 1, 27)
DECEMBER_DAY = datetime.date(2025, 12, 16)


def test_people_present_with_nobody_accompanied_during_the_experiment_is_an_alert():
    codes = [c.code for c in month_checks({"present": 8, "accompanied": 0}, experiment_open=True)]
    assert codes == [PRESENT_WITHOUT_ACCOMPANIED]
    # Outside an experiment there is no CIP: nobody accompanied is the normal case.
    assert month_checks({"present": 8, "accompanied": 0}, experiment_open=False) == []
    assert month_checks({"present": 8, "accompanied": 8}, experiment_open=True) == []


def test_unrecorded_attendance_and_more_accompanied_than_present_are_alerts():
    found = month_checks(
        {"present": 2, "accompanied": 3, "attendance_unrecorded": 4}, experiment_open=True
    )
    assert [c.code for c in found] == [ATTENDANCE_UNRECORDED, ACCOMPANIED_ABOVE_PRESENT]
    assert "4 convocations" in found[0].message


def eight_present_nobody_accompanied():
    metz_experiment()
    session = SessionFactory(directorate=directorate("metz"), date=DAY)
    for _ in range(8):
        ConvocationFactory(session=session, person=PersonFactory(), status=AttendanceStatus.PRESENT)


@pytest.mark.django_db
def test_the_summary_gives_the_four_seed_indicators_against_the_previous_month(client_for):
    for _ in range(3):
        check_on(DAY)
    check_on(DECEMBER_DAY)
    response = client_for(Role.DT_DIRECTOR).get("/chiffres/?start=2026-01")
    summary = response.context["board"].summary
    assert [line.label for line in summary.lines] == [
        "Personnes accompagnées",
        "Déjà inscrites à France Travail",
        "Allocataires du RSA ou orientées vers AGIR",
        "Accompagnements au premier rendez-vous France Travail réalisés",
    ]
    accompanied = summary.lines[0]
    assert (accompanied.current, accompanied.previous, accompanied.difference) == (3, 1, 2)
    text = page_text(response)
    assert "janvier 2026, comparé à décembre 2025" in text
    # The summary comes before the first family of tables.
    assert text.index("En bref") < text.index('class="fr-accordion"')


@pytest.mark.django_db
def test_outside_the_dt_the_summary_hides_small_counts_per_dt(client_for):
    for _ in range(2):
        check_on(DAY)
    response = client_for(Role.REGIONAL_VIEWER).get("/chiffres/?start=2026-01")
    summary = response.context["board"].summary
    metz = [line for line in summary.lines if line.directorate == "DT Metz"]
    assert metz[0].current is None  # 2 people: hidden, as in Metz's own January table
    assert metz[0].previous == 0
    assert response.context["board"].alerts == []  # exact figures never leave the DT


@pytest.mark.django_db
def test_families_are_folded_zeros_recede_and_definitions_sit_beside_tables(client_for):
    check_on(DAY)
    response = client_for(Role.DT_DIRECTOR).get("/chiffres/?start=2026-01")
    html = page_text(response)
    # Three families of the report, the rates, the pathway, the convocations' answers and
    # absences (issue 18), the method: seven folded items.
    assert html.count('class="fr-accordion"') == 7
    assert html.count('aria-expanded="false"') >= 6
    # No CIP accompaniment to the first appointment in January: a line, not a table of zeros.
    assert "0 – personne sur la période (janvier 2026)." in html
    assert 'class="parcours-zero"' in html
    assert html.count("Définition :") >= 15


@pytest.mark.django_db
def test_the_approval_button_comes_after_the_figures_with_the_alerts(client_for):
    eight_present_nobody_accompanied()
    response = client_for(Role.DT_DIRECTOR).get("/chiffres/?start=2026-01")
    html = page_text(response)
    assert "8 personnes présentes à la plateforme d'accueil, mais aucune" in html
    last_family = html.rindex('class="fr-accordion"')
    assert html.index("Valider les chiffres de ce mois") > last_family


@pytest.mark.django_db
def test_eight_present_and_nobody_accompanied_needs_an_explicit_confirmation(client_for):
    eight_present_nobody_accompanied()
    client = client_for(Role.DT_DIRECTOR)
    page = page_text(client.get("/chiffres/valider/?mois=2026-01"))
    assert page.index("À vérifier avant de valider") < page.index("Valider ces chiffres")
    assert page.index("Chiffres d'aujourd'hui") < page.index("Valider ces chiffres")
    assert "Je confirme : 8 personnes présentes" in page

    refused = client.post("/chiffres/valider/", {"month": "2026-01"})
    assert refused.status_code == 400
    assert "Cochez chaque alerte" in page_text(refused)
    assert not MonthlyApproval.objects.exists()

    accepted = client.post(
        "/chiffres/valider/",
        {"month": "2026-01", "confirmed_checks": [PRESENT_WITHOUT_ACCOMPANIED]},
        follow=True,
    )
    assert "sont validés (version 1)" in page_text(accepted)
    approval = MonthlyApproval.objects.get()
    assert [c["code"] for c in approval.confirmed_checks] == [PRESENT_WITHOUT_ACCOMPANIED]
    assert approval.approved_by == client.membership.user
    history = page_text(client.get("/chiffres/valider/?mois=2026-01"))
    assert re.search(r"Alertes confirmées.*8 personnes présentes", history, re.S)


@pytest.mark.django_db
def test_the_service_refuses_an_unconfirmed_alert_whatever_the_caller(client_for):
    from django.core.exceptions import ValidationError

    from parcours.indicators import approvals
    from parcours.indicators.catalogue import MONTHLY_REPORT
    from parcours.indicators.definitions import get_report
    from parcours.indicators.periods import Month

    eight_present_nobody_accompanied()
    user = client_for(Role.DT_DIRECTOR).membership.user
    with pytest.raises(ValidationError, match="Confirmez chaque alerte"):
        approvals.approve_month(
            definition=get_report(MONTHLY_REPORT),
            directorate=directorate("metz"),
            month=Month(2026, 1),
            user=user,
        )
    assert not MonthlyApproval.objects.exists()


@pytest.mark.django_db
def test_the_year_view_stays_a_constant_number_of_queries(client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    check_on(DAY)
    client = client_for(Role.REGIONAL_VIEWER)
    client.get("/chiffres/?start=2026-01")  # sessions, caches
    with CaptureQueriesContext(connection) as one_month:
        assert client.get("/chiffres/?start=2026-02").status_code == 200
    with CaptureQueriesContext(connection) as eleven_months:
        assert client.get("/chiffres/?start=2026-01&end=2026-11").status_code == 200
    # The summary and the alerts add a fixed number of queries, not one per month or DT; the
    # summary reads the month before a one-month selection (one statement on SQLite, more on
    # PostgreSQL), a longer one holds it already: never more for the longer selection.
    assert len(eleven_months) < len(one_month)
