"""The demo holds the partnerships of the seeds, once however often it is loaded, and each
demo partner reads its own agreement only."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from parcours.accounts.models import User
from parcours.partnerships import demo_steps
from parcours.partnerships.models import Agreement, Application, Call, WorkingGroup
from parcours.partnerships.states import AgreementStatus, ApplicationStatus
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def signed_in(email) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def test_the_demo_holds_the_metz_experiment_the_epide_partnership_and_the_spie():
    call_command("load_demo")
    for step in (  # again: each step finds what it made (the whole demo twice: test_demo.py)
        demo_steps.metz_experiment,
        demo_steps.strasbourg_partnerships,
        demo_steps.spie_fle_group,
        demo_steps.amiens_cfp02,
    ):
        step()
    metz = Agreement.objects.get(title__startswith="Convention AMLI")
    assert (metz.starts_on, metz.ends_on, metz.ceiling) == (
        datetime.date(2025, 12, 8),
        datetime.date(2026, 11, 30),
        Decimal("62000"),
    )
    assert metz.status == AgreementStatus.RUNNING
    call = Call.objects.get()
    assert call.invited.count() == 4
    assert Application.objects.filter(call=call, directorate__code="metz").count() == 2
    assert metz.application.status == ApplicationStatus.SELECTED
    epide = Agreement.objects.get(title="Partenariat OFII – Epide Strasbourg")
    assert epide.starts_on == datetime.date(2021, 9, 21)
    group = WorkingGroup.objects.get()
    assert group.chair.directorate.code == "strasbourg"
    assert group.body == "SPIE de la Collectivité européenne d'Alsace"
    assert Agreement.objects.count() == 4

    cip = page_text(signed_in("cip@demo.parcours.test").get("/partenariats/"))
    assert metz.title in cip and epide.title not in cip
    partner = page_text(signed_in("epide@demo.parcours.test").get("/partenariats/"))
    assert epide.title in partner and metz.title not in partner
    assert "Groupe FLE" in partner  # Epide is a member of the SPIE's FLE group
    dreets = page_text(signed_in("dreets@demo.parcours.test").get("/partenariats/"))
    assert metz.title in dreets and "CFP02" not in dreets
