"""The director's, the DREETS's and the national admin's homes say what needs doing now
(issue 16, point 2): reports to send, months approved by each DT, locked accounts."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone

from parcours.indicators.dashboard import default_period
from parcours.organisations.roles import Role
from tests.factories import UserFactory, directorate
from tests.factories_home import approve, recipient, sent
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def last_month():
    return default_period().first


def test_the_director_sees_the_approved_months_whose_report_is_still_to_send(
    client_for, django_assert_max_num_queries
):
    metz = directorate("metz")
    month = last_month()
    before = month.previous
    approve(metz, month.first_day)
    approve(metz, before.first_day)
    recipient(metz, "direction@metz.example.org")
    # The month before went out with its approved version: nothing left to send for it.
    sent(metz, before.first_day, "direction@metz.example.org", version=1)
    # Last month went out with provisional figures before it was approved: still to send.
    sent(metz, month.first_day, "direction@metz.example.org", version=None)
    approve(directorate("amiens"), month.first_day)  # another DT's business
    client = client_for(Role.DT_DIRECTOR)
    response = client.get("/")
    assert [m.first_day for m in response.context["reports_to_send"]] == [month.first_day]
    text = page_text(response)
    assert "Les rapports à envoyer" in text
    assert "1 mois validé dont le rapport n'a pas encore été envoyé" in text
    # One query for the reports to send, whatever the number of months and recipients: the
    # whole home page stays within the bound of tests/test_page_query_counts.py.
    with django_assert_max_num_queries(18):
        client.get("/")


def test_the_director_has_no_report_to_send_once_every_recipient_has_the_approved_one(
    client_for,
):
    metz = directorate("metz")
    month = last_month()
    approve(metz, month.first_day)
    recipient(metz, "direction@metz.example.org")
    sent(metz, month.first_day, "direction@metz.example.org", version=1)
    response = client_for(Role.DT_DIRECTOR).get("/")
    assert response.context["reports_to_send"] == []
    assert "Les rapports à envoyer" not in page_text(response)


def test_the_dreets_home_shows_each_dt_s_approved_and_unapproved_months(
    client_for, django_assert_max_num_queries
):
    client = client_for(Role.REGIONAL_VIEWER)
    month = last_month()
    response = client.get("/")
    rows = response.context["approvals"]
    assert rows, "the DREETS's region has DTs"
    first = rows[0]["directorate"]
    approve(first, month.first_day)
    with django_assert_max_num_queries(14):
        response = client.get("/")
    rows = {row["directorate"].pk: row["months"] for row in response.context["approvals"]}
    assert [cell["approved"] for cell in rows[first.pk]] == [True, False, False]
    others = [cell for pk, cells in rows.items() if pk != first.pk for cell in cells]
    assert not any(cell["approved"] for cell in others)
    text = page_text(response)
    assert "Validé : lire" in text
    assert "Pas encore validé" in text
    html = response.content.decode()
    assert f"directorate={first.pk}" in html
    region = client.membership.organisation.region_id
    assert all(row["directorate"].region_id == region for row in response.context["approvals"])


def test_the_national_home_counts_locked_accounts_and_dts_without_last_month(
    client_for, django_assert_max_num_queries
):
    locked = UserFactory(email="bloque@example.org")
    UserFactory(email="presque@example.org")
    AccessAttempt.objects.create(
        username=locked.email,
        ip_address="10.0.0.1",
        user_agent="test",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        attempt_time=timezone.now(),
    )
    AccessAttempt.objects.create(
        username="presque@example.org",
        ip_address="10.0.0.2",
        user_agent="test",
        failures_since_start=1,
        attempt_time=timezone.now(),
    )
    approve(directorate("metz"), last_month().first_day)
    client = client_for(Role.NATIONAL_ADMIN)
    with django_assert_max_num_queries(16) as first:
        client.get("/")
    # More locked accounts and more approvals cost no more queries.
    for number in range(3):
        AccessAttempt.objects.create(
            username=UserFactory().email,
            ip_address=f"10.0.1.{number}",
            user_agent="test",
            failures_since_start=settings.AXES_FAILURE_LIMIT,
            attempt_time=timezone.now(),
        )
    approve(directorate("reims"), last_month().first_day)
    with django_assert_max_num_queries(len(first)):
        response = client.get("/")
    attention = response.context["attention"]
    assert attention["locked"] == 4
    names = [d.name for d in attention["not_approved"]]
    assert "DT Metz" not in names and "DT Reims" not in names
    assert "DT Amiens" in names
    text = page_text(response)
    assert "4 comptes bloqués après des échecs de connexion" in text
    assert "/compte/comptes-bloques/" in response.content.decode()
