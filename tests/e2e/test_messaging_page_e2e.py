"""In Chromium: the person's convocation page in Arabic and French, the birth-date check and
its lockout, the « cannot come » answer on the DT's worklist, axe-core on every state."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from parcours.messaging import services
from parcours.organisations.roles import Role
from parcours.people.models import Language
from tests.e2e.accessibility import violations
from tests.factories import PASSWORD, PersonFactory, membership_for
from tests.factories_reception import ConvocationFactory, SessionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _arabic_speaker_page(last_name):
    person = PersonFactory(last_name=last_name, birth_date=datetime.date(1990, 5, 17))
    person.languages.add(Language.objects.get(code="ar"))
    session = SessionFactory(date=timezone.localdate() + datetime.timedelta(days=5))
    convocation = ConvocationFactory(session=session, person=person, letter_language="ar")
    return services.page_for(convocation)


def _fill_birth_date(page, day, month, year):
    page.locator("#day").fill(day)
    page.locator("#month").fill(month)
    page.locator("#year").fill(year)
    page.locator("button[type=submit]").click()
    page.wait_for_load_state("load")


def test_the_page_in_arabic_and_french_checks_locks_and_answers(page, sign_in):
    cache.clear()
    locked_page = _arabic_speaker_page("HADDAD")
    page.goto(f"/c/{locked_page.token}")
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
    page.get_by_text("لرؤية موعدكم، أدخلوا تاريخ ميلادكم.").wait_for()
    assert violations(page) == []
    page.get_by_role("link", name="Français").click()
    page.get_by_text("Pour voir votre convocation, indiquez votre date de naissance.").wait_for()
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("fr", "ltr")
    assert violations(page) == []

    _fill_birth_date(page, "18", "5", "1990")
    page.get_by_text("Cette date de naissance ne correspond pas. Essais restants : 4.").wait_for()
    assert violations(page) == []
    for _ in range(4):
        _fill_birth_date(page, "18", "5", "1990")
    page.get_by_text("Trop d'essais. Cette page est bloquée").wait_for()
    assert "Lafayette" not in page.content()
    assert violations(page) == []

    answered = _arabic_speaker_page("OSMAN")
    page.goto(f"/c/{answered.token}")
    _fill_birth_date(page, "17", "5", "1990")
    page.get_by_text("2, rue Lafayette, 57000 Metz").wait_for()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert violations(page) == []
    page.locator("label[for=answer-cannot]").click()  # DSFR draws the radio on its label
    page.get_by_label("لماذا؟").select_option("illness")
    page.get_by_role("button", name="إرسال ردّي").click()
    page.get_by_text("شكرًا: سترسل لكم المديرية الإقليمية موعدًا آخر.").wait_for()
    assert violations(page) == []

    agent = membership_for(Role.RECEPTION_AGENT)
    sign_in(agent.user.email, PASSWORD)
    page.goto("/pfa/a-traiter/")
    row = page.locator("tr", has_text="OSMAN")
    row.get_by_text("Ne peut pas venir : maladie").wait_for()
    assert page.locator("tr", has_text="HADDAD").count() == 0
