"""In a real browser: an auditor refers a person, the partner accepts, under the strict CSP."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from parcours.demo.steps import DEMO_PASSWORD
from parcours.referrals.models import Referral
from parcours.referrals.states import ReferralStatus
from tests.factories import PersonFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AGIR = "AGIR 57 – accompagnement global des réfugiés"


@pytest.fixture
def violations(page):
    seen = []

    def watch(message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            seen.append(f"{page.url}: {message.text}")

    page.on("console", watch)
    return seen


def test_an_auditor_refers_and_the_partner_accepts(page, sign_in, violations):
    call_command("load_demo", verbosity=0)
    person = PersonFactory(
        last_name="NAVIGATEUR",
        birth_date=timezone.localdate() - datetime.timedelta(days=365 * 30),
    )
    sign_in("auditeur@demo.parcours.test", DEMO_PASSWORD)
    page.goto(f"/personnes/{person.pk}/orientations/")
    assert page.locator("html").get_attribute("data-fr-js") == "true"  # DSFR's script ran
    page.get_by_role("link", name=f"Orienter vers ce dispositif {AGIR}").click()
    # The DSFR draws the checkbox on its label, which takes the click as a user's would.
    page.locator("label[for=id_consent]").click()
    assert page.get_by_label(
        "La personne accepte que ses informations soient transmises"
    ).is_checked()
    page.get_by_role("button", name="Envoyer au partenaire").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Orientation envoyée à AMLI – AGIR 57.").is_visible()
    referral = Referral.objects.get(person=person)
    assert referral.status == ReferralStatus.SENT

    page.context.clear_cookies()
    sign_in("cip@demo.parcours.test", DEMO_PASSWORD)
    page.goto("/orientations-recues/")
    page.get_by_role("link", name=referral.reference).click()
    page.get_by_role("button", name="Accepter l'orientation").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Réponse enregistrée ; l'orienteur est prévenu.").is_visible()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert violations == []
