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
