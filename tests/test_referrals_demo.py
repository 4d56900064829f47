"""The demo loads the schemes of the seeds and referrals in every state, without duplicates."""

import pytest
from django.core.management import call_command

from parcours.referrals.models import InformationSession, Referral, ReferralTransition, Scheme
from parcours.referrals.states import ReferralStatus

pytestmark = pytest.mark.django_db


def test_the_demo_has_referrals_in_every_state_and_loads_twice_without_duplicates(mailoutbox):
    call_command("load_demo")
    counts = (
        Scheme.objects.count(),
        Referral.objects.count(),
        ReferralTransition.objects.count(),
        InformationSession.objects.count(),
    )
    call_command("load_demo")
    assert counts == (
        Scheme.objects.count(),
        Referral.objects.count(),
        ReferralTransition.objects.count(),
        InformationSession.objects.count(),
    )
    assert set(Referral.objects.values_list("status", flat=True)) == set(ReferralStatus)
    assert Referral.objects.count() >= 30
    assert mailoutbox == []  # the demo's past e-mails are not sent again


def test_the_demo_has_the_schemes_of_the_seeds():
    call_command("load_demo")
    epide = Scheme.objects.get(organisation__name="Epide Strasbourg")
    assert (epide.capacity, epide.min_age, epide.max_age, epide.min_level) == (120, 17, 25, "a2")
    assert epide.level_waiver_allowed
    agir = Scheme.objects.get(organisation__name="AMLI – AGIR 57")
    assert set(agir.allowed_residence_statuses) == {"refugee", "subsidiary_protection", "stateless"}
    cfp02 = Scheme.objects.filter(organisation__name__startswith="CFP02")
    assert cfp02.count() == 5
    assert Scheme.objects.get(organisation__name="Mission locale du Pays messin").max_age == 25
    for scheme in Scheme.objects.all():
        assert scheme.seats_taken == scheme.referrals.holding_seat().count(), scheme.name
