"""A partner's home says what waits for its answer, and its « Chiffres » shows its own
referrals and seats first (issue 16)."""

import datetime

import pytest
from django.utils import timezone

from parcours.organisations.roles import OrganisationKind, Role
from tests.factories_referrals import SchemeFactory, make_referral, partner_membership
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

EPIDE = OrganisationKind.EPIDE


def _client(client, membership):
    client.force_login(membership.user)
    return client


def test_the_partner_home_counts_the_referrals_waiting_for_its_answer(client):
    epide = SchemeFactory(
        organisation__name="Epide Strasbourg", organisation__kind=EPIDE, expiry_days=30
    )
    other = SchemeFactory()  # France Travail's: not Epide's business
    make_referral(epide)
    make_referral(epide, now=timezone.now() - datetime.timedelta(days=25))  # expires in 5 days
    make_referral(epide, state="refused")
    make_referral(other)
    admin = partner_membership(epide, role=Role.PARTNER_ADMIN)
    text = page_text(_client(client, admin).get("/"))
    assert "Répondre aux 2 orientations en attente" in text
    assert "1 orientation expire bientôt sans réponse." in text


def test_a_partner_s_figures_show_its_own_referrals_and_seats(client):
    epide = SchemeFactory(
        organisation__name="Epide Strasbourg", organisation__kind=EPIDE, name="Parcours Epide"
    )
    other = SchemeFactory(name="Accompagnement France Travail")
    make_referral(epide)
    make_referral(other)
    admin = partner_membership(epide, role=Role.PARTNER_ADMIN)
    response = _client(client, admin).get(f"/chiffres/?start={timezone.localdate():%Y-%m}")
    own = response.context["own"]
    assert [row["scheme"] for row in own["funnel"]] == ["Parcours Epide"]
    assert [row.name for row in own["seats"]] == ["Parcours Epide"]
    assert "Vos orientations et vos places" in page_text(response)
    assert "Accompagnement France Travail" not in page_text(response).split("Chiffres")[1][:2000]


def test_a_partner_s_figures_leave_out_the_report_of_the_dts_it_serves(
    client, django_assert_max_num_queries
):
    # Issue 16.3: a partner reads its own referrals and seats, not the DTs' monthly report.
    epide = SchemeFactory(organisation__kind=EPIDE, name="Parcours Epide")
    make_referral(epide)
    admin = partner_membership(epide, role=Role.PARTNER_ADMIN)
    client = _client(client, admin)
    url = f"/chiffres/?start={timezone.localdate():%Y-%m}"
    with django_assert_max_num_queries(20) as first:
        client.get(url)
    # More referrals and more schemes cost no more queries.
    second = SchemeFactory(organisation=epide.organisation, name="Epide bis")
    for scheme in (epide, second, second):
        make_referral(scheme)
    with django_assert_max_num_queries(len(first)):
        response = client.get(url)
    assert response.status_code == 200
    assert "board" not in response.context
    text = page_text(response)
    assert "Parcours Epide" in text and "Epide bis" in text
    assert "petits effectifs masqués" not in text


def test_a_bad_period_on_a_partner_s_figures_gets_a_french_message(client):
    epide = SchemeFactory(organisation__kind=EPIDE)
    admin = partner_membership(epide, role=Role.PARTNER_ADMIN)
    response = _client(client, admin).get("/chiffres/?start=2026-13")
    assert response.status_code == 400
    assert "Saisissez un mois sous la forme AAAA-MM" in page_text(response)


def test_the_cip_home_shows_today_s_and_tomorrow_s_sessions_it_staffs_and_its_inbox(
    client_for, django_assert_max_num_queries
):
    from parcours.reception.models import SessionStaff, StaffRole
    from tests.factories_reception import ConvocationFactory, SessionFactory

    client = client_for(Role.PARTNER_COUNSELLOR)
    cip = client.membership.user
    today = timezone.localdate()
    mine_today = SessionFactory(date=today, place="Salle Lafayette")
    mine_tomorrow = SessionFactory(date=today + datetime.timedelta(days=1), place="Salle Verlaine")
    in_three_days = SessionFactory(date=today + datetime.timedelta(days=3), place="Salle Trois")
    SessionFactory(date=today, place="Salle Autre")  # the same DT's, not on its staff
    for session in (mine_today, mine_tomorrow, in_three_days):
        SessionStaff.objects.create(session=session, user=cip, role=StaffRole.CIP)
    ConvocationFactory(session=mine_today)
    scheme = SchemeFactory(organisation=client.membership.organisation)
    make_referral(scheme)

    with django_assert_max_num_queries(20):
        text = page_text(client.get("/"))
    assert "Sessions d'aujourd'hui et de demain" in text
    assert "Salle Lafayette" in text and "Salle Verlaine" in text
    assert "1 convoqués pour 12 places (11 libres)" in text
    assert "Salle Trois" not in text and "Salle Autre" not in text
    assert "Répondre à l'orientation en attente" in text
    # A partner admin, who holds no CIP interview, gets no sessions block.
    admin = client_for(Role.PARTNER_ADMIN)
    assert "Sessions d'aujourd'hui" not in page_text(admin.get("/"))
