"""Convocation letters: a real PDF read back (pypdf), in French and the person's language."""

import datetime

import pytest

from parcours.organisations.roles import Role
from parcours.people.models import Language
from parcours.reception import services
from parcours.reception.letters import letter_language_for
from parcours.reception.letters.pdf import render_convocations_pdf
from parcours.territories.models import Department
from tests.factories import PersonFactory, directorate
from tests.factories_reception import ConvocationFactory, SessionFactory
from tests.helpers import page_text
from tests.pdf_text import pdf_font_names, pdf_page_count, pdf_text

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 1, 27)


def convocation_for(language_code: str):
    session = SessionFactory(date=DAY, start_time=datetime.time(8, 30))
    person = PersonFactory(last_name="HADDAD", first_names="Rania", address="3, rue Serpenoise")
    if language_code:
        person.languages.add(Language.objects.get(code=language_code))
    return services.convoke(session, person, actor=None)


def test_the_letter_is_in_french_then_in_arabic_for_an_arabic_speaker():
    convocation = convocation_for("ar")
    assert convocation.letter_language == "ar"
    text = pdf_text(render_convocations_pdf([convocation], today=DAY))
    assert "Convocation à la journée d'accueil de l'OFII" in text
    assert "le mardi 27 janvier 2026 à 8 h 30" in text
    assert "2, rue Lafayette, 57000 Metz" in text
    assert "votre titre de séjour ou votre récépissé" in text
    assert "HADDAD Rania" in text
    assert "استدعاء إلى يوم الاستقبال في المكتب الفرنسي للهجرة والاندماج" in text
    assert "جواز السفر" in text
    # The date in Arabic: extraction may reorder digits inside right-to-left lines, so the words
    # (Tuesday, January) are checked, not the whole date.
    assert "الثلاثاء" in text
    assert "يناير" in text


def test_the_arabic_block_is_marked_right_to_left():
    from parcours.reception.letters.pdf import letter_blocks

    blocks = letter_blocks(convocation_for("ar"))
    assert [(b.code, b.direction) for b in blocks] == [("fr", "ltr"), ("ar", "rtl")]


def test_the_letter_is_in_french_then_in_english_for_an_english_speaker():
    text = pdf_text(render_convocations_pdf([convocation_for("en")], today=DAY))
    assert "Convocation à la journée d'accueil de l'OFII" in text
    assert "Notice to attend the OFII reception day" in text
    assert "on Tuesday, January 27, 2026 at 08:30" in text


def test_a_person_speaking_no_translated_language_gets_a_french_letter():
    text = pdf_text(render_convocations_pdf([convocation_for("ps")], today=DAY))
    assert "Convocation à la journée d'accueil de l'OFII" in text
    assert "Notice to attend" not in text
    assert "استدعاء" not in text


def test_the_interpreter_language_comes_first():
    assert letter_language_for(["ar", "en"], "en") == "en"
    assert letter_language_for(["en", "ar"], "") == "ar"
    assert letter_language_for(["ps"], "ps") == ""


def test_the_session_prints_every_pending_letter_one_per_page(client_for):
    session = SessionFactory(date=DAY)
    for _ in range(3):
        ConvocationFactory(session=session, person=PersonFactory(address="1, place d'Armes"))
    ConvocationFactory(session=session, absent=True)
    client = client_for(Role.RECEPTION_AGENT)
    response = client.get(f"/pfa/sessions/{session.pk}/convocations.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert pdf_page_count(response.content) == 3


def test_a_letter_without_street_address_warns_before_printing(client_for):
    convocation = convocation_for("")
    convocation.person.address = ""
    convocation.person.save(update_fields=["address"])
    client = client_for(Role.RECEPTION_AGENT)
    url = f"/pfa/convocations/{convocation.pk}/lettre.pdf"
    warning = client.get(url)
    assert warning.status_code == 200
    assert warning["Content-Type"].startswith("text/html")
    text = page_text(warning)
    assert "1 lettre n'a pas d'adresse postale" in text
    assert "HADDAD Rania" in text
    printed = client.get(url + "?sans_adresse=1")
    assert printed.content.startswith(b"%PDF")


def test_the_session_letters_name_those_without_address_before_printing(client_for):
    session = SessionFactory(date=DAY)
    ConvocationFactory(session=session, person=PersonFactory(address="1, place d'Armes"))
    ConvocationFactory(session=session, person=PersonFactory(last_name="SANSRUE", address=" "))
    client = client_for(Role.RECEPTION_AGENT)
    url = f"/pfa/sessions/{session.pk}/convocations.pdf"
    text = page_text(client.get(url))
    assert "1 lettre n'a pas d'adresse postale" in text
    assert "SANSRUE" in text
    assert "Imprimer quand même les 2 lettres" in text
    assert pdf_page_count(client.get(url + "?sans_adresse=1").content) == 2


def test_one_letter_is_served_as_a_pdf_to_agents_who_convoke(client_for):
    convocation = convocation_for("ar")
    response = client_for(Role.RECEPTION_AGENT).get(
        f"/pfa/convocations/{convocation.pk}/lettre.pdf"
    )
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert (
        client_for(Role.PARTNER_COUNSELLOR)
        .get(f"/pfa/convocations/{convocation.pk}/lettre.pdf")
        .status_code
        == 403
    )


def test_a_letter_outside_the_perimeter_is_not_found(client_for):
    convocation = ConvocationFactory(
        session__directorate=directorate("strasbourg"),
        person__department=Department.objects.get(code="67"),
    )
    client = client_for(Role.RECEPTION_AGENT)  # DT Metz
    assert client.get(f"/pfa/convocations/{convocation.pk}/lettre.pdf").status_code == 404


def test_a_letter_embeds_only_the_fonts_shipped_with_parcours():
    # The same PDF on every machine: no glyph comes from a system font.
    pdf = render_convocations_pdf([convocation_for("ar")], today=DAY)
    fonts = pdf_font_names(pdf)
    assert fonts, "the letter embeds its fonts"
    assert {name.split("+")[-1].split("-")[0] for name in fonts} == {"Marianne", "Amiri"}
