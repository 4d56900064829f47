"""In a real browser: the day sheet records attendance and a positioning without page reloads."""

import pytest
from django.utils import timezone

from parcours.organisations.roles import Role
from parcours.reception.models import Convocation, Positioning
from tests.factories import PASSWORD, PersonFactory, membership_for
from tests.factories_reception import ConvocationFactory, SessionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_agent_marks_a_person_present_and_records_a_positioning_in_place(page, sign_in):
    membership = membership_for(Role.RECEPTION_AGENT)
    session = SessionFactory(date=timezone.localdate(), place="Salle Lafayette")
    person = PersonFactory(last_name="HADDAD", first_names="Rania")
    convocation = ConvocationFactory(session=session, person=person)
    ConvocationFactory(session=session, person__last_name="OSMAN")
    sign_in(membership.user.email, PASSWORD)

    page.goto(f"/pfa/sessions/{session.pk}/")
    # A full page load would wipe this marker; htmx swaps keep it.
    page.evaluate("window.parcoursNoReload = true")
    row = page.locator(f"#conv-{convocation.pk}")
    row.get_by_role("button", name="Présent – HADDAD Rania").click()
    row.locator('[data-status="present"]').wait_for()

    row.get_by_role("link", name="Saisir Positionnement – HADDAD Rania").click()
    page.get_by_label("Résultat à l'écrit").select_option("b1")
    page.get_by_label("Résultat à l'oral").select_option("a2")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    row.get_by_text("écrit B1, oral A2").wait_for()

    assert page.evaluate("window.parcoursNoReload") is True
    assert page.url.endswith(f"/pfa/sessions/{session.pk}/")
    assert Convocation.objects.get(pk=convocation.pk).status == "present"
    assert Positioning.objects.get(convocation=convocation).level == "a2"
    # The other row was left alone.
    assert Convocation.objects.exclude(pk=convocation.pk).get().status == "pending"


def test_a_refused_step_shows_the_message_in_the_row(page, sign_in):
    membership = membership_for(Role.RECEPTION_AGENT)
    session = SessionFactory(date=timezone.localdate())
    convocation = ConvocationFactory(session=session, person__last_name="DIALLO", absent=True)
    sign_in(membership.user.email, PASSWORD)

    page.goto(f"/pfa/convocations/{convocation.pk}/positionnement/")
    page.get_by_label("Résultat à l'écrit").select_option("a1")
    page.get_by_label("Résultat à l'oral").select_option("a1")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_text("n'est pas pointé(e) présent(e) à cette session").wait_for()
    assert not Positioning.objects.exists()


def test_an_agent_convokes_a_list_from_an_excel_file(page, sign_in, tmp_path):
    from tests.spreadsheet_files import xlsx_file

    membership = membership_for(Role.RECEPTION_AGENT)
    session = SessionFactory(date=timezone.localdate(), place="Salle Lafayette")
    PersonFactory(agdref_number="1000000001", last_name="HADDAD", first_names="Rania")
    PersonFactory(agdref_number="1000000002", last_name="KOVAL", first_names="Olena")
    workbook = tmp_path / "convocations.xlsx"
    workbook.write_bytes(
        xlsx_file([["Nom", "AGDREF"], ["HADDAD", 1000000001], ["KOVAL", 1000000002]])
    )
    sign_in(membership.user.email, PASSWORD)

    page.goto(f"/pfa/sessions/{session.pk}/convoquer/")
    page.get_by_label("Fichier de numéros AGDREF").set_input_files(str(workbook))
    page.get_by_role("button", name="Lire le fichier").click()
    # Issue 17 point 4: the preview first, nothing convoked before the confirmation.
    page.get_by_text("2 à convoquer").wait_for()
    assert not session.convocations.exists()
    page.get_by_role("button", name="Confirmer et convoquer 2 personnes").click()

    page.get_by_text("2 personne(s) convoquée(s)").wait_for()
    assert set(session.convocations.values_list("person__last_name", flat=True)) == {
        "HADDAD",
        "KOVAL",
    }
