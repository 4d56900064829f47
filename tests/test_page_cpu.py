"""What the pages' CPU cuts of issue 12 must leave as it was: the day sheet's rows, the
organisation switcher, the DSFR configuration, the choice labels
(docs/benchmarks/2026-12-01-page-cpu.md)."""

import datetime

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from dsfr.models import DsfrConfig

from parcours.core.choices import speed_up_choice_displays
from parcours.core.context_processors import site_config
from parcours.organisations.roles import Role
from parcours.reception.models import AttendanceStatus
from tests.factories import PersonFactory, membership_for
from tests.factories_indicators import ContractFactory
from tests.factories_reception import ConvocationFactory, SessionFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def _config_for(language):
    request = RequestFactory().get("/")
    with translation.override(language):
        return site_config(request)["SITE_CONFIG"]


def test_the_dsfr_configuration_of_the_language_comes_first_else_the_first_one():
    assert _config_for("fr") is None
    english = DsfrConfig.objects.create(language="en", site_title="Parcours (en)")
    assert _config_for("fr") == english  # none in French: the first one, as django-dsfr does
    french = DsfrConfig.objects.create(language="fr", site_title="Parcours (fr)")
    assert _config_for("fr") == french
    assert _config_for("en") == english


def test_the_dsfr_notice_still_shows_on_every_page():
    DsfrConfig.objects.create(
        language="fr", site_title="Parcours", notice_title="Maintenance ce soir"
    )
    membership = membership_for(Role.RECEPTION_AGENT)
    client = Client()
    client.force_login(membership.user)
    assert "Maintenance ce soir" in page_text(client.get("/"))


def test_the_switcher_lists_every_active_membership_from_the_middlewares_one_query():
    regional = membership_for(Role.REGIONAL_VIEWER)
    metz = membership_for(Role.INTEGRATION_AUDITOR, directorate_code="metz", user=regional.user)
    client = Client()
    client.force_login(regional.user)
    client.post("/organisation/", {"membership": regional.pk})
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    text = page_text(response)
    assert f'<option value="{regional.pk}" selected>' in text
    assert f'<option value="{metz.pk}" >' in text
    assert response.context["current_membership"] == regional
    reads = [q for q in queries if 'FROM "organisations_membership"' in q["sql"]]
    assert len(reads) == 1


def test_without_a_choice_the_first_membership_by_organisation_name_is_used():
    strasbourg = membership_for(Role.INTEGRATION_AUDITOR, directorate_code="strasbourg")
    metz = membership_for(Role.INTEGRATION_AUDITOR, directorate_code="metz", user=strasbourg.user)
    client = Client()
    client.force_login(strasbourg.user)
    response = client.get("/")
    assert response.context["current_membership"] == metz  # « OFII – DT Metz » sorts first


def test_choice_labels_follow_the_language_of_the_request():
    convocation = ConvocationFactory(status=AttendanceStatus.PRESENT)
    with translation.override("fr"):
        assert convocation.get_status_display() == "Présent"
    with translation.override("en"):
        assert convocation.get_status_display() == "Present"
    convocation.status = "not-a-status"
    assert convocation.get_status_display() == "not-a-status"
    assert speed_up_choice_displays() == 0  # swapped once, at start-up


def test_the_day_sheet_rows_show_each_step_and_link_it():
    session = SessionFactory(date=datetime.date(2026, 1, 27))
    with_cir = ConvocationFactory(
        session=session, present=True, person=PersonFactory(last_name="AVEC")
    )
    ContractFactory(person=with_cir.person, signed_on=datetime.date(2025, 3, 4))
    without = ConvocationFactory(
        session=session, present=True, person=PersonFactory(last_name="SANS")
    )
    pending = ConvocationFactory(session=session, person=PersonFactory(last_name="ATTENTE"))
    # The auditor convokes, positions and interviews: every link of a row is theirs.
    membership = membership_for(Role.INTEGRATION_AUDITOR)
    client = Client()
    client.force_login(membership.user)
    response = client.get(f"/pfa/sessions/{session.pk}/")
    html = response.content.decode()
    assert "Déjà signé le 04/03/2025" in page_text(response)
    # The CIR is offered where none is signed, not where one was signed before.
    assert reverse("reception:contract", args=[without.pk]) in html
    assert reverse("reception:contract", args=[with_cir.pk]) not in html
    for convocation in (with_cir, without):
        assert reverse("reception:positioning", args=[convocation.pk]) in html
        assert reverse("reception:interview", args=[convocation.pk]) in html
        assert reverse("reception:prescription", args=[convocation.pk]) in html
    for convocation in (with_cir, without, pending):
        assert reverse("person_detail", args=[convocation.person_id]) in html
        assert reverse("reception:attendance", args=[convocation.pk]) in html
        assert reverse("reception:letter", args=[convocation.pk]) in html
    assert html.count("Courrier seul") == 3  # no message sent, no answer
