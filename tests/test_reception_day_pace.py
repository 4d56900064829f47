"""The day sheet at the pace of the day (issue 16): roll call, « enregistrer et suivant »,
counters swapped out of band, steps pre-filled from what is known."""

import datetime
import re

import pytest
from django.utils import timezone

from parcours.organisations.roles import Role
from parcours.reception import services
from parcours.reception.models import ConvocationTransition, LanguagePrescription, Positioning
from tests.factories import PersonFactory
from tests.factories_reception import ConvocationFactory, SessionFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _sheet(names, **convocation):
    session = SessionFactory(date=timezone.localdate())
    rows = [
        ConvocationFactory(session=session, person__last_name=name, **convocation) for name in names
    ]
    return session, rows


def test_all_present_but_the_exceptions_in_one_click(client_for):
    session, (ali, ben, cem) = _sheet(["ALI", "BEN", "CEM"])
    client = client_for(Role.RECEPTION_AGENT)
    response = client.post(
        f"/pfa/sessions/{session.pk}/tous-presents/", {"absent": [ben.pk]}, follow=True
    )
    assert "3 présent(s)" not in page_text(response)
    assert "2 présent(s), 1 absent(s)" in page_text(response)
    statuses = dict(session.convocations.values_list("person__last_name", "status"))
    assert statuses == {"ALI": "present", "BEN": "absent", "CEM": "present"}
    # Each move is a logged transition of the state machine.
    assert ConvocationTransition.objects.filter(name="mark_present").count() == 2
    assert ConvocationTransition.objects.filter(name="mark_absent").count() == 1
    assert "à pointer : 0" in page_text(response)


def test_a_roll_call_with_a_stranger_as_exception_saves_nothing(client_for):
    session, _rows = _sheet(["ALI", "BEN"])
    other = ConvocationFactory()
    client = client_for(Role.RECEPTION_AGENT)
    response = client.post(
        f"/pfa/sessions/{session.pk}/tous-presents/", {"absent": [other.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "rechargez la page" in page_text(response)
    assert set(session.convocations.values_list("status", flat=True)) == {"pending"}
    response = client.post(f"/pfa/sessions/{session.pk}/tous-presents/", {"absent": ["x"]})
    assert response.status_code == 302
    assert set(session.convocations.values_list("status", flat=True)) == {"pending"}


def test_the_roll_call_is_refused_to_a_role_that_does_not_point(client_for):
    session, _rows = _sheet(["ALI"])
    response = client_for(Role.PARTNER_COUNSELLOR).post(
        f"/pfa/sessions/{session.pk}/tous-presents/"
    )
    assert response.status_code == 403
    assert set(session.convocations.values_list("status", flat=True)) == {"pending"}


def test_an_inline_save_swaps_the_counters_out_of_band(client_for):
    session, (ali, _ben) = _sheet(["ALI", "BEN"])
    client = client_for(Role.RECEPTION_AGENT)
    response = client.post(f"/pfa/convocations/{ali.pk}/presence/", {"status": "present"}, **HTMX)
    html = response.content.decode()
    counts = re.search(r'<p id="sheet-counts"[^>]*hx-swap-oob="true"[^>]*>(.*?)</p>', html, re.S)
    assert counts is not None
    assert "présents : 1" in counts.group(1)
    assert "à pointer : 1" in counts.group(1)
    assert 'id="roll-call" class="parcours-no-print" hx-swap-oob="true"' in html


def test_save_and_next_walks_the_positionings_from_person_to_person(client_for):
    session, (ali, ben) = _sheet(["ALI", "BEN"], present=True)
    client = client_for(Role.RECEPTION_AGENT)
    response = client.post(
        f"/pfa/convocations/{ali.pk}/positionnement/",
        {"written_level": "b1", "oral_level": "a2", "can_read": "on", "next": "1"},
        **HTMX,
    )
    html = response.content.decode()
    # Ali's row back, then Ben's positioning form in place of Ben's row.
    assert html.index(f'id="conv-{ali.pk}"') < html.index(f'id="conv-{ben.pk}"')
    ben_row = html[html.index(f'id="conv-{ben.pk}"') :]
    assert 'hx-swap-oob="true"' in ben_row[:200]
    assert "Positionnement linguistique – BEN" in ben_row
    assert Positioning.objects.filter(convocation=ali).exists()
    # Without JavaScript, the next form is a page of its own.
    response = client.post(
        f"/pfa/convocations/{ben.pk}/positionnement/",
        {"written_level": "a1", "oral_level": "a1", "can_read": "on", "next": "1"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/pfa/sessions/{session.pk}/#conv-{ben.pk}"  # the last one


def test_save_and_next_walks_an_auditor_through_the_steps_of_a_person(client_for):
    session, (ali,) = _sheet(["ALI"], present=True)
    client = client_for(Role.INTEGRATION_AUDITOR)
    services.record_positioning(
        ali, written_level="a1", oral_level="a1", can_read=True, little_schooling=False, actor=None
    )
    response = client.post(
        f"/pfa/convocations/{ali.pk}/entretien/",
        {"employment_status": "job_seeker", "accommodation": "own_housing", "next": "1"},
        **HTMX,
    )
    html = response.content.decode()
    assert "Signature du CIR – ALI" in html
    assert f'id="conv-{ali.pk}" class="parcours-step-row" data-parcours-row>' in html


def test_the_training_form_asks_only_what_the_levels_leave_open(client_for):
    session, (ali,) = _sheet(["ALI"], present=True)
    services.record_positioning(
        ali, written_level="b1", oral_level="b1", can_read=True, little_schooling=False, actor=None
    )
    client = client_for(Role.INTEGRATION_AUDITOR)
    response = client.get(f"/pfa/convocations/{ali.pk}/formation/", **HTMX)
    form = response.context["form"]
    assert "pace" not in form.fields
    response = client.post(f"/pfa/convocations/{ali.pk}/formation/", {}, **HTMX)
    assert response.status_code == 200
    assert LanguagePrescription.objects.filter(convocation=ali).exists()


def test_the_worklist_re_convokes_a_selection_into_a_session_with_free_seats(client_for):
    past = SessionFactory(date=timezone.localdate() - datetime.timedelta(days=7))
    ali, ben, cem = (
        ConvocationFactory(session=past, person__last_name=name, absent=True)
        for name in ("ALI", "BEN", "CEM")
    )
    full = SessionFactory(date=timezone.localdate() + datetime.timedelta(days=2), capacity=1)
    ConvocationFactory(session=full)
    later = SessionFactory(date=timezone.localdate() + datetime.timedelta(days=3), capacity=5)
    client = client_for(Role.RECEPTION_AGENT)
    page = client.get("/pfa/a-traiter/")
    assert [s.pk for s in page.context["open_sessions"]] == [later.pk]  # the full one is not
    assert "Reconvoquer la sélection" in page_text(page)
    response = client.post(
        "/pfa/a-traiter/reconvoquer/",
        {"session": later.pk, "convocation": [ali.pk, cem.pk]},
        follow=True,
    )
    assert "2 personne(s) convoquée(s)" in page_text(response)
    assert set(later.convocations.values_list("person__last_name", flat=True)) == {"ALI", "CEM"}
    # They leave the worklist; Ben stays, and his row's own button convokes him alone.
    assert [c.pk for c in response.context["reconvoke"]["page"]["rows"]] == [ben.pk]
    client.post("/pfa/a-traiter/reconvoquer/", {"session": later.pk, "one": ben.pk})
    assert later.convocations.count() == 3


def test_a_re_convocation_into_a_full_or_past_session_saves_nothing(client_for):
    past = SessionFactory(date=timezone.localdate() - datetime.timedelta(days=7))
    ali = ConvocationFactory(session=past, absent=True)
    full = SessionFactory(date=timezone.localdate() + datetime.timedelta(days=2), capacity=1)
    ConvocationFactory(session=full)
    client = client_for(Role.RECEPTION_AGENT)
    response = client.post(
        "/pfa/a-traiter/reconvoquer/", {"session": full.pk, "one": ali.pk}, follow=True
    )
    assert "La session est complète" in page_text(response)
    response = client.post(
        "/pfa/a-traiter/reconvoquer/", {"session": past.pk, "one": ali.pk}, follow=True
    )
    assert "Choisissez une session à venir de votre DT." in page_text(response)
    assert full.convocations.count() == 1
    assert past.convocations.count() == 1


def test_a_person_file_convokes_into_a_session(client_for):
    later = SessionFactory(date=timezone.localdate() + datetime.timedelta(days=3))
    client = client_for(Role.RECEPTION_AGENT)
    person = PersonFactory(directorate=later.directorate)
    page = client.get(f"/personnes/{person.pk}/", follow=True)
    assert "Convoquer à une journée d'accueil" in page_text(page)
    response = client.post(f"/pfa/personnes/{person.pk}/convoquer/", {"session": later.pk})
    assert response.status_code == 302
    assert later.convocations.get().person == person


def test_the_home_page_shows_today_s_sessions_and_worklist_counts(
    client_for, django_assert_max_num_queries
):
    session = SessionFactory(date=timezone.localdate(), place="Salle Lafayette", capacity=10)
    ConvocationFactory.create_batch(3, session=session, present=True)
    past = SessionFactory(date=timezone.localdate() - datetime.timedelta(days=7))
    ConvocationFactory.create_batch(2, session=past, absent=True)
    client = client_for(Role.RECEPTION_AGENT)
    client.get("/")
    with django_assert_max_num_queries(30):
        text = page_text(client.get("/"))
    assert "Salle Lafayette" in text
    assert "3 convoqués pour 10 places (7 libres) · 3 présents" in text
    assert "2 personnes à reconvoquer" in text
