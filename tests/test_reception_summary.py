"""The day's summary: the 27 January 2026 day of seed 001, the page and its exports."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from parcours.organisations.roles import Role
from parcours.reception import services
from parcours.reception.rules import Bucket
from parcours.reception.summary import summary_for
from tests.factories import PersonFactory, UserFactory, directorate
from tests.factories_reception import ConvocationFactory, SessionFactory, metz_experiment
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 1, 27)

# Seed 001: what the CIP saw for each of the 21 people present on Tuesday 27 January 2026.
SEEN = (
    [{"situation": "cdi"}] * 8
    + [{"situation": "cdd"}] * 4
    + [{"situation": "vocational_training"}]
    + [{"situation": "job_seeker", "rsa_recipient": True}]
    + [{"situation": "job_seeker", "already_ft": True}] * 3
    + [
        {"situation": "job_seeker", "registered_today": True, "ft_identifier": f"270126{n}A"}
        for n in range(4)
    ]
)


def enter_27_january_2026():
    """Enter the day as the agents would, through the services behind the day sheet."""
    metz = directorate("metz")
    metz_experiment()
    agent, cip = UserFactory(), UserFactory()
    morning = services.plan_session(
        metz, date=DAY, half_day="morning", place="Salle Lafayette", actor=agent
    )
    afternoon = services.plan_session(
        metz, date=DAY, half_day="afternoon", place="Salle Lafayette", actor=agent
    )
    people = PersonFactory.create_batch(24)
    convocations = services.convoke_many(morning, people[:12], actor=agent)
    convocations += services.convoke_many(afternoon, people[12:], actor=agent)
    absent = {convocations[3], convocations[15], convocations[22]}
    present = [c for c in convocations if c not in absent]
    for convocation in absent:
        services.record_attendance(convocation, "absent", actor=agent)
    for convocation, seen in zip(present, SEEN, strict=True):
        services.record_attendance(convocation, "present", actor=agent)
        services.record_employment_check(convocation, actor=cip, **seen)
    for session, count in ((morning, 11), (afternoon, 10)):
        services.record_cip_presentation(
            session, started_at=session.start_time, attendees=count, duration_minutes=15, actor=cip
        )
    return morning, afternoon


def test_the_27_january_2026_day_gives_back_the_breakdown_of_seed_001():
    enter_27_january_2026()
    summary = summary_for(directorate("metz").pk, first=DAY, last=DAY)
    assert summary.counts == {
        Bucket.CDI: 8,
        Bucket.CDD: 4,
        Bucket.INTERIM: 0,
        Bucket.TRAINING: 1,
        Bucket.STUDENT: 0,
        Bucket.RSA: 1,
        Bucket.AGIR: 0,
        Bucket.ALREADY_FT: 3,
        Bucket.NOT_REGISTERED: 4,
        Bucket.NOT_SEEN: 0,
    }
    assert summary.registered_today == 4
    assert summary.total == 21


def test_the_summary_page_prints_the_breakdown(client_for):
    enter_27_january_2026()
    client = client_for(Role.DT_DIRECTOR)
    text = page_text(
        client.get("/pfa/recapitulatif/", {"first": "2026-01-27", "last": "2026-01-27"})
    )
    assert "DT Metz – journée du 27 janvier 2026" in text
    for label, count in [
        ("En CDI", 8),
        ("En CDD", 4),
        ("En formation professionnelle", 1),
        ("Allocataires du RSA", 1),
        ("Déjà inscrits à France Travail", 3),
        ("Non inscrits à France Travail à l'arrivée", 4),
        ("Total des personnes présentes", 21),
        ("Dont inscrites à France Travail pendant l'entretien", 4),
    ]:
        assert f'<th scope="row">{label}</th><td>{count}</td>' in text
    assert "data-parcours-print" in text


def test_a_session_summary_counts_that_session_only(client_for):
    morning, _afternoon = enter_27_january_2026()
    summary = summary_for(directorate("metz").pk, first=DAY, last=DAY, session_id=morning.pk)
    assert summary.total == 11
    client = client_for(Role.DT_DIRECTOR)
    text = page_text(client.get("/pfa/recapitulatif/", {"session": morning.pk}))
    assert '<th scope="row">Total des personnes présentes</th><td>11</td>' in text


def test_the_csv_export_is_utf8_with_a_bom_and_semicolons(client_for):
    enter_27_january_2026()
    client = client_for(Role.DT_DIRECTOR)
    response = client.get("/pfa/recapitulatif.csv", {"first": "2026-01-27", "last": "2026-01-27"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["Situation", "Personnes"]
    assert ["En CDI", "8"] in rows
    assert ["Non inscrits à France Travail à l'arrivée", "4"] in rows
    assert ["Total des personnes présentes", "21"] in rows


def test_the_xlsx_export_opens_with_the_same_lines(client_for):
    enter_27_january_2026()
    client = client_for(Role.DT_DIRECTOR)
    response = client.get("/pfa/recapitulatif.xlsx", {"first": "2026-01-27", "last": "2026-01-27"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert values["En CDD"] == 4
    assert values["Déjà inscrits à France Travail"] == 3
    assert values["Dont inscrites à France Travail pendant l'entretien"] == 4
    assert sheet["A1"].value == "DT Metz – journée du 27 janvier 2026"


def test_present_people_not_seen_by_the_cip_show_as_such():
    ConvocationFactory(present=True, session__date=DAY)
    summary = summary_for(directorate("metz").pk, first=DAY, last=DAY)
    assert summary.counts[Bucket.NOT_SEEN] == 1


def test_the_summary_runs_a_fixed_number_of_queries(client_for):
    client = client_for(Role.DT_DIRECTOR)
    params = {"first": "2026-01-27", "last": "2026-01-27"}
    session = SessionFactory(date=DAY, capacity=30)
    ConvocationFactory(present=True, session=session)
    with CaptureQueriesContext(connection) as few:
        client.get("/pfa/recapitulatif/", params)
    ConvocationFactory.create_batch(25, present=True, session=session)
    with CaptureQueriesContext(connection) as many:
        client.get("/pfa/recapitulatif/", params)
    assert len(many) == len(few)


def test_a_reversed_period_gets_a_clear_message(client_for):
    client = client_for(Role.DT_DIRECTOR)
    text = page_text(
        client.get("/pfa/recapitulatif/", {"first": "2026-02-01", "last": "2026-01-01"})
    )
    assert "La date de fin précède la date de début." in text


def test_regional_and_national_roles_are_sent_to_the_indicators(client_for):
    text = page_text(client_for(Role.REGIONAL_VIEWER).get("/pfa/recapitulatif/"))
    assert "Les chiffres régionaux et nationaux viennent des indicateurs" in text


def test_roles_without_figures_cannot_read_or_export_the_summary(client_for):
    auditor = client_for(Role.INTEGRATION_AUDITOR)
    assert auditor.get("/pfa/recapitulatif/").status_code == 403
    assert auditor.get("/pfa/recapitulatif.csv").status_code == 403


def test_the_experiment_operator_reads_the_summary_of_its_directorate(client_for):
    client = client_for(Role.PARTNER_ADMIN)
    metz_experiment(operator=client.membership.organisation)
    ConvocationFactory(present=True, session__date=DAY)
    text = page_text(
        client.get("/pfa/recapitulatif/", {"first": "2026-01-27", "last": "2026-01-27"})
    )
    assert '<th scope="row">Total des personnes présentes</th><td>1</td>' in text


def test_the_summary_csv_neutralises_a_place_that_looks_like_a_formula():
    from parcours.reception.rules import summarise
    from parcours.reception.summary import summary_csv

    data = summary_csv(summarise([]), '=HYPERLINK("http://x")')
    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8-sig").splitlines()[0] == '"\'=HYPERLINK(""http://x"")"'
