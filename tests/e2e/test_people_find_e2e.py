"""In a real browser: a spelling-tolerant search, the duplicate warning at entry, the review
list, each checked by axe-core at 1366 px and 375 px (issue 16.4 and 17.5)."""

import datetime

import pytest
from django.core.management import call_command

from parcours.demo.steps import DEMO_PASSWORD
from parcours.people.models import DuplicatePair, Person
from tests.e2e.accessibility import audit
from tests.factories import PersonFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_search_warning_and_review_list_in_a_browser(page, sign_in):
    call_command("load_demo", verbosity=0)
    PersonFactory(
        last_name="BENALI", first_names="Rachid", sex="H", birth_date=datetime.date(1978, 12, 15)
    )
    before = Person.objects.count()
    sign_in("accueil@demo.parcours.test", DEMO_PASSWORD)
    for width, height in ((1366, 900), (375, 800)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/personnes/")
        page.get_by_label("Rechercher une personne (nom, prénom ou numéro AGDREF)").fill("BENALY")
        page.get_by_role("button", name="Rechercher").click()
        page.wait_for_load_state("networkidle")
        assert page.get_by_role("link", name="BENALI Rachid").first.is_visible()
        audit(page)

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/personnes/nouvelle/")
    page.get_by_label("Nom de naissance").fill("BENALY")
    page.get_by_label("Prénoms").fill("Rachid")
    page.get_by_label("Date de naissance").fill("1978-12-15")
    page.get_by_label("Catégorie de séjour").select_option("refugee")
    page.get_by_label("Département de résidence").select_option(label="57 – Moselle")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state("networkidle")
    warning = page.locator("#duplicate-warning")
    assert warning.is_visible(), page.locator("main").inner_text()[:800]
    assert "ressembl" in warning.inner_text()
    assert Person.objects.count() == before  # nothing saved before the agent confirms
    audit(page, both_languages=False)
    page.locator("label[for=id_confirm_new_person]").click()
    page.get_by_role("button", name="Créer un nouveau dossier").click()
    page.wait_for_load_state("networkidle")
    assert Person.objects.filter(last_name="BENALY").exists()

    pair = DuplicatePair.objects.order_by("-pk").first()
    for width, height in ((1366, 900), (375, 800)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/personnes/doublons/")
        audit(page)
        page.goto(f"/personnes/doublons/{pair.pk}/")
        audit(page)
