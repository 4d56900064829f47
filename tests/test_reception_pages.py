"""The reception day's pages: planning, day sheet (htmx and plain), convocation, access."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parcours.organisations.roles import Role
from parcours.reception import services
from parcours.reception.holidays import public_holiday
from parcours.reception.models import (
    Contract,
    Convocation,
    EmploymentCheck,
    Positioning,
    ReceptionSession,
)
from parcours.territories.models import Department
from tests.factories import PersonFactory, UserFactory, directorate
from tests.factories_reception import (
    IN_EXPERIMENT,
    ConvocationFactory,
    SessionFactory,
    metz_experiment,
)
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def today():
    return timezone.localdate()


# --- Planning and sessions -------------------------------------------------------------------


def test_the_week_view_lists_the_directorate_sessions_with_their_seats(client_for):
    session = SessionFactory(place="Salle Lafayette", date=today())
    ConvocationFactory.create_batch(3, session=session)
    SessionFactory(place="Salle Kléber", directorate=directorate("strasbourg"), date=today())
    client = client_for(Role.RECEPTION_AGENT)
    text = page_text(client.get("/pfa/sessions/"))
    assert "Salle Lafayette" in text
    assert "3/12 convoqués" in text
    assert "Salle Kléber" not in text


def test_the_week_view_runs_a_fixed_number_of_queries(client_for):
    client = client_for(Role.RECEPTION_AGENT)
    monday = today() - datetime.timedelta(days=today().weekday())
    staff = UserFactory()

    def add_session(day, place):
        session = SessionFactory(date=day, place=place)
        services.set_staff(session, {"reception": [staff]})
        ConvocationFactory(session=session)

    add_session(monday, "Salle 0")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/pfa/sessions/").status_code == 200
    for offset in range(1, 5):
        add_session(monday + datetime.timedelta(days=offset), f"Salle {offset}")
    with CaptureQueriesContext(connection) as many:
        client.get("/pfa/sessions/")
    assert len(many) == len(few)


def test_a_reception_agent_plans_a_session_with_its_staff(client_for):
    client = client_for(Role.RECEPTION_AGENT)
    colleague = client_for(Role.INTEGRATION_AUDITOR).membership.user
    day = today() + datetime.timedelta(days=3)
    while public_holiday(day, ["57"]):  # a holiday asks for a confirmation (tested apart)
        day += datetime.timedelta(days=1)
    response = client.post(
        "/pfa/sessions/nouvelle/",
        {
            "date": day.isoformat(),
            "half_day": "morning",
            "place": "Salle Lafayette",
            "capacity": "12",
            "staff_integration_auditor": [colleague.pk],
        },
        follow=True,
    )
    session = ReceptionSession.objects.get()
    assert response.request["PATH_INFO"] == f"/pfa/sessions/{session.pk}/"
    assert (session.date, session.start_time.hour, session.directorate.code) == (day, 8, "metz")
    assert list(session.staff.values_list("user", "role")) == [
        (colleague.pk, "integration_auditor")
    ]
    assert "Session planifiée" in page_text(response)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date", "2020-01-01", "La date est passée"),
        ("capacity", "0", "supérieure ou égale à 1"),
        ("place", "", "Ce champ est obligatoire"),
    ],
)
def test_a_bad_session_is_refused_with_a_french_message(client_for, field, value, message):
    client = client_for(Role.RECEPTION_AGENT)
    payload = {
        "date": (today() + datetime.timedelta(days=3)).isoformat(),
        "half_day": "afternoon",
        "place": "Salle Lafayette",
        "capacity": "12",
        field: value,
    }
    response = client.post("/pfa/sessions/nouvelle/", payload)
    text = page_text(response)
    assert response.status_code == 200
    assert message in text
    assert "Rien n'a été enregistré." in text
    assert not ReceptionSession.objects.exists()


def test_a_taken_slot_is_refused_on_the_form(client_for):
    day = today() + datetime.timedelta(days=3)
    SessionFactory(date=day, half_day="morning", place="Salle A")
    client = client_for(Role.RECEPTION_AGENT)
    response = client.post(
        "/pfa/sessions/nouvelle/",
        {"date": day.isoformat(), "half_day": "morning", "place": "Salle A", "capacity": "12"},
    )
    assert "Une session a déjà lieu" in page_text(response)
    assert ReceptionSession.objects.count() == 1


def test_only_planning_roles_plan_sessions(client_for):
    assert client_for(Role.INTEGRATION_AUDITOR).get("/pfa/sessions/nouvelle/").status_code == 403
    assert client_for(Role.PARTNER_COUNSELLOR).get("/pfa/sessions/nouvelle/").status_code == 403


def test_aggregate_roles_never_open_a_day_sheet(client_for):
    session = SessionFactory()
    for role in (Role.REGIONAL_VIEWER, Role.NATIONAL_ADMIN):
        assert client_for(role).get(f"/pfa/sessions/{session.pk}/").status_code == 403


def test_a_session_of_another_directorate_is_not_found(client_for):
    session = SessionFactory(directorate=directorate("strasbourg"))
    client = client_for(Role.RECEPTION_AGENT)  # DT Metz
    assert client.get(f"/pfa/sessions/{session.pk}/").status_code == 404
    assert client.get(f"/pfa/sessions/{session.pk}/convoquer/").status_code == 404


def test_a_cip_sees_the_sessions_they_staff_only(client_for):
    client = client_for(Role.PARTNER_COUNSELLOR)
    staffed, other = SessionFactory(), SessionFactory()
    services.set_staff(staffed, {"cip": [client.membership.user]})
    assert client.get(f"/pfa/sessions/{staffed.pk}/").status_code == 200
    assert client.get(f"/pfa/sessions/{other.pk}/").status_code == 404


# --- The day sheet ---------------------------------------------------------------------------


def _full_day(session, count):
    """`count` people present with every step of the day recorded."""
    metz_experiment()
    auditor = UserFactory()
    for index in range(count):
        convocation = ConvocationFactory(session=session, present=True)
        services.record_positioning(
            convocation, written_level="a1", oral_level="infra_a1", can_read=True, actor=auditor
        )
        services.record_interview(
            convocation,
            employment_status="job_seeker",
            accommodation="cph",
            needs={"need_employment"},
            orientations={"france_travail", "adie"},
            actor=auditor,
        )
        services.sign_contract(convocation, signed_on=session.date, actor=auditor)
        services.decide_prescription(convocation, answer="accepted", actor=auditor)
        services.record_employment_check(
            convocation,
            situation="job_seeker",
            registered_today=True,
            ft_identifier=f"{1_000_000 + index}A",
            actor=auditor,
        )


def test_the_day_sheet_of_a_24_person_session_runs_as_many_queries_as_for_one(client_for):
    client = client_for(Role.DT_DIRECTOR)
    small = SessionFactory(date=IN_EXPERIMENT, capacity=24)
    large = SessionFactory(date=IN_EXPERIMENT, capacity=24)
    _full_day(small, 1)
    _full_day(large, 24)
    with CaptureQueriesContext(connection) as one:
        response = client.get(f"/pfa/sessions/{small.pk}/")
    assert page_text(response).count("Inscrit aujourd'hui") == 1
    with CaptureQueriesContext(connection) as twenty_four:
        response = client.get(f"/pfa/sessions/{large.pk}/")
    assert page_text(response).count("Inscrit aujourd'hui") == 24
    assert len(twenty_four) == len(one)


def test_the_day_sheet_shows_each_step_state(client_for):
    client = client_for(Role.DT_DIRECTOR)
    session = SessionFactory(date=IN_EXPERIMENT)
    _full_day(session, 1)
    ConvocationFactory(session=session, person__last_name="ATTENTE")
    text = page_text(client.get(f"/pfa/sessions/{session.pk}/"))
    assert "écrit A1, oral Infra A1" in text
    assert "ADIE (création d'entreprise), France Travail" in text
    assert "Signé le 27/01/2026" in text
    assert "Formation proposée · en asynchrone (plateforme en ligne)" in text
    assert "Les étapes se saisissent une fois la personne pointée présente." in text


def test_marking_present_with_htmx_returns_only_the_updated_row(client_for):
    convocation = ConvocationFactory()
    client = client_for(Role.RECEPTION_AGENT)
    response = client.post(
        f"/pfa/convocations/{convocation.pk}/presence/", {"status": "present"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<tr id="conv-{convocation.pk}" ')
    assert "<html" not in html
    assert 'data-status="present"' in html
    convocation.refresh_from_db()
    assert convocation.status == "present"


def test_marking_present_without_javascript_redirects_to_the_row(client_for):
    convocation = ConvocationFactory()
    client = client_for(Role.RECEPTION_AGENT)
    response = client.post(f"/pfa/convocations/{convocation.pk}/presence/", {"status": "present"})
    assert response.status_code == 302
    assert response["Location"] == (
        f"/pfa/sessions/{convocation.session_id}/#conv-{convocation.pk}"
    )
    convocation.refresh_from_db()
    assert convocation.status == "present"


def test_a_step_form_opens_in_the_row_with_htmx_and_as_a_page_without(client_for):
    convocation = ConvocationFactory(present=True)
    client = client_for(Role.RECEPTION_AGENT)
    fragment = client.get(f"/pfa/convocations/{convocation.pk}/positionnement/", **HTMX)
    assert fragment.content.decode().strip().startswith(f'<tr id="conv-{convocation.pk}"')
    assert 'hx-post="/pfa/convocations/' in fragment.content.decode()
    page = client.get(f"/pfa/convocations/{convocation.pk}/positionnement/")
    assert "<html" in page.content.decode()
    assert "hx-post" not in page_text(page).split("<main")[1]


def test_recording_a_positioning_with_htmx_saves_it_and_swaps_the_row(client_for):
    convocation = ConvocationFactory(present=True)
    client = client_for(Role.RECEPTION_AGENT)
    response = client.post(
        f"/pfa/convocations/{convocation.pk}/positionnement/",
        {"written_level": "b1", "oral_level": "a2", "can_read": "on"},
        **HTMX,
    )
    assert "écrit B1, oral A2" in page_text(response)
    assert Positioning.objects.get(convocation=convocation).level == "a2"


@pytest.mark.parametrize("htmx", [True, False])
def test_a_positioning_on_a_person_not_present_is_refused_clearly(client_for, htmx):
    convocation = ConvocationFactory(absent=True)
    client = client_for(Role.RECEPTION_AGENT)
    response = client.post(
        f"/pfa/convocations/{convocation.pk}/positionnement/",
        {"written_level": "a1", "oral_level": "a1", "can_read": "on"},
        **(HTMX if htmx else {}),
    )
    text = page_text(response)
    assert response.status_code == 200
    assert "n'est pas pointé(e) présent(e) à cette session" in text
    assert "Rien n'a été enregistré." in text
    assert not Positioning.objects.exists()


def test_a_positioning_for_a_person_not_convoked_to_a_visible_session_is_not_found(client_for):
    convocation = ConvocationFactory(
        present=True,
        session__directorate=directorate("strasbourg"),
        person__department=Department.objects.get(code="67"),
    )
    client = client_for(Role.RECEPTION_AGENT)  # DT Metz
    response = client.post(
        f"/pfa/convocations/{convocation.pk}/positionnement/",
        {"written_level": "a1", "oral_level": "a1"},
        **HTMX,
    )
    assert response.status_code == 404
    assert not Positioning.objects.exists()


def test_a_cir_dated_outside_the_session_is_refused_on_its_field(client_for):
    convocation = ConvocationFactory(present=True, session__date=IN_EXPERIMENT)
    client = client_for(Role.INTEGRATION_AUDITOR)
    response = client.post(
        f"/pfa/convocations/{convocation.pk}/cir/", {"signed_on": "2026-02-03"}, **HTMX
    )
    text = page_text(response)
    assert "la date doit être celle de la session (27/01/2026)" in text
    assert f'id="id_c{convocation.pk}_signed_on-desc-error"' in text
    assert not Contract.objects.exists()


def test_a_cip_interview_with_a_malformed_ft_identifier_is_refused(client_for):
    metz_experiment()
    convocation = ConvocationFactory(present=True, session__date=IN_EXPERIMENT)
    client = client_for(Role.DT_DIRECTOR)
    response = client.post(
        f"/pfa/convocations/{convocation.pk}/entretien-cip/",
        {"situation": "job_seeker", "registered_today": "on", "ft_identifier": "12-AB"},
        **HTMX,
    )
    text = page_text(response)
    assert "L'identifiant France Travail doit comporter 8 caractères" in text
    assert 'aria-invalid="true"' in text
    assert not EmploymentCheck.objects.exists()
    convocation.person.refresh_from_db()
    assert not convocation.person.ft_registered


def test_the_cip_column_says_when_the_session_is_outside_the_experiment(client_for):
    metz_experiment()
    ConvocationFactory(present=True, session__date=datetime.date(2026, 12, 1))
    client = client_for(Role.DT_DIRECTOR)
    session = ReceptionSession.objects.get()
    text = page_text(client.get(f"/pfa/sessions/{session.pk}/"))
    assert "Hors expérimentation" in text
    assert "/entretien-cip/" not in text


def test_each_step_needs_its_own_permission(client_for):
    convocation = ConvocationFactory(present=True)
    agent = client_for(Role.RECEPTION_AGENT)
    assert agent.get(f"/pfa/convocations/{convocation.pk}/entretien/").status_code == 403
    assert agent.get(f"/pfa/convocations/{convocation.pk}/entretien-cip/").status_code == 403
    auditor = client_for(Role.INTEGRATION_AUDITOR)
    assert auditor.get(f"/pfa/convocations/{convocation.pk}/entretien/").status_code == 200


def test_cancelling_a_step_form_puts_the_row_back(client_for):
    convocation = ConvocationFactory(present=True)
    client = client_for(Role.RECEPTION_AGENT)
    response = client.get(f"/pfa/convocations/{convocation.pk}/", **HTMX)
    assert response.content.decode().strip().startswith(f'<tr id="conv-{convocation.pk}" ')


def test_the_cip_presentation_over_15_minutes_gets_a_clear_error(client_for):
    metz_experiment()
    session = SessionFactory(date=IN_EXPERIMENT)
    ConvocationFactory.create_batch(2, session=session)
    client = client_for(Role.DT_DIRECTOR)
    response = client.post(
        f"/pfa/sessions/{session.pk}/presentation-cip/",
        {"started_at": "09:00", "attendees": "2", "duration_minutes": "25"},
    )
    assert "La présentation collective dure 15 minutes au plus" in page_text(response)
    response = client.post(
        f"/pfa/sessions/{session.pk}/presentation-cip/",
        {"started_at": "09:00", "attendees": "2", "duration_minutes": "12"},
        follow=True,
    )
    assert "Par " in page_text(response)
    assert "2 personnes, 12 min." in page_text(response)


# --- Convoking -------------------------------------------------------------------------------


def test_an_agent_finds_and_convokes_a_person(client_for):
    session = SessionFactory(date=today() + datetime.timedelta(days=2))
    person = PersonFactory(last_name="KARIMI", first_names="Ahmad")
    client = client_for(Role.RECEPTION_AGENT)
    found = page_text(client.get(f"/pfa/sessions/{session.pk}/convoquer/", {"q": "karimi"}))
    assert "KARIMI Ahmad" in found
    response = client.post(
        f"/pfa/sessions/{session.pk}/convoquer/?q=karimi", {"person": person.pk}, follow=True
    )
    assert "1 personne(s) convoquée(s) : KARIMI Ahmad." in page_text(response)
    assert Convocation.objects.get().person == person


def test_convoking_a_person_outside_the_perimeter_is_refused(client_for):
    session = SessionFactory()
    alsace = PersonFactory(department=Department.objects.get(code="67"))
    client = client_for(Role.RECEPTION_AGENT)
    response = client.post(f"/pfa/sessions/{session.pk}/convoquer/", {"person": alsace.pk})
    assert "n'est pas dans le périmètre de votre DT" in page_text(response)
    assert not Convocation.objects.exists()


def test_convoking_to_a_full_session_is_refused(client_for):
    session = SessionFactory(capacity=1)
    ConvocationFactory(session=session)
    client = client_for(Role.RECEPTION_AGENT)
    response = client.post(f"/pfa/sessions/{session.pk}/convoquer/", {"person": PersonFactory().pk})
    assert "La session est complète" in page_text(response)
    assert session.convocations.count() == 1


def test_convoking_someone_already_convoked_is_refused(client_for):
    convocation = ConvocationFactory()
    client = client_for(Role.RECEPTION_AGENT)
    response = client.post(
        f"/pfa/sessions/{convocation.session_id}/convoquer/", {"person": convocation.person_id}
    )
    assert "déjà convoqué(e) à cette session" in page_text(response)
    assert Convocation.objects.count() == 1


def test_a_list_of_agdref_numbers_is_convoked_all_or_nothing(client_for):
    session = SessionFactory()
    PersonFactory(agdref_number="1000000001")
    PersonFactory(agdref_number="1000000002")
    client = client_for(Role.RECEPTION_AGENT)
    url = f"/pfa/sessions/{session.pk}/convoquer/"
    refused = client.post(url, {"agdref_numbers": "1000000001\n1000000009\n12"})
    text = page_text(refused)
    assert "Numéros AGDREF mal formés (10 chiffres attendus) : 12." in text
    assert not Convocation.objects.exists()
    refused = client.post(url, {"agdref_numbers": "1000000001\n1000000009"})
    assert "Aucun dossier de votre périmètre pour : 1000000009." in page_text(refused)
    assert not Convocation.objects.exists()
    client.post(url, {"agdref_numbers": "1000 000 001\n1000000002\n"})
    assert session.convocations.count() == 2


def test_people_to_reconvoke_are_offered_on_the_convoke_page(client_for):
    missed = ConvocationFactory(absent=True, person__last_name="ABSENTE")
    session = SessionFactory(date=today() + datetime.timedelta(days=5))
    client = client_for(Role.RECEPTION_AGENT)
    text = page_text(client.get(f"/pfa/sessions/{session.pk}/convoquer/"))
    assert "ABSENTE Amina" in text
    client.post(f"/pfa/sessions/{session.pk}/convoquer/", {"person": missed.person_id})
    assert not Convocation.objects.to_reconvoke().exists()


# --- Worklists -------------------------------------------------------------------------------


def test_the_worklists_show_the_three_lists_of_the_directorate(client_for):
    metz_experiment()
    ConvocationFactory(absent=True, person__last_name="ABSENT")
    signed = ConvocationFactory(
        present=True, session__date=IN_EXPERIMENT, person__last_name="SANSFT"
    )
    services.sign_contract(signed, signed_on=IN_EXPERIMENT, actor=UserFactory())
    followed = ConvocationFactory(
        present=True, session__date=IN_EXPERIMENT, person__last_name="RDVPASSE"
    )
    services.record_employment_check(
        followed,
        situation="job_seeker",
        registered_today=True,
        ft_identifier="1234567A",
        first_appointment_date=datetime.date(2026, 2, 10),
        actor=UserFactory(),
    )
    ConvocationFactory(
        absent=True,
        session__directorate=directorate("strasbourg"),
        person__department=Department.objects.get(code="67"),
        person__last_name="ALSACE",
    )
    text = page_text(client_for(Role.DT_DIRECTOR).get("/pfa/a-traiter/"))
    assert "À reconvoquer (1)" in text
    assert "ABSENT Amina" in text
    assert "CIR sans inscription France Travail (1)" in text
    assert "SANSFT Amina" in text
    assert "Premier rendez-vous sans suite connue (1)" in text
    assert "RDVPASSE Amina" in text
    assert "ALSACE" not in text


def test_the_worklists_run_a_fixed_number_of_queries(client_for):
    client = client_for(Role.DT_DIRECTOR)
    ConvocationFactory(absent=True)
    with CaptureQueriesContext(connection) as few:
        client.get("/pfa/a-traiter/")
    ConvocationFactory.create_batch(15, absent=True)
    with CaptureQueriesContext(connection) as many:
        client.get("/pfa/a-traiter/")
    assert len(many) == len(few)


def test_the_ft_registration_delay_is_set_per_directorate(client_for):
    client = client_for(Role.RECEPTION_AGENT)
    client.post("/pfa/a-traiter/delai/", {"ft_registration_delay_days": "45"})
    assert "plus de 45 jours" in page_text(client.get("/pfa/a-traiter/"))
    response = client.post(
        "/pfa/a-traiter/delai/", {"ft_registration_delay_days": "0"}, follow=True
    )
    assert "supérieure ou égale à 1" in page_text(response)
    assert "plus de 45 jours" in page_text(response)


def test_the_delay_cannot_be_changed_by_a_role_that_does_not_plan(client_for):
    client = client_for(Role.INTEGRATION_AUDITOR)
    response = client.post("/pfa/a-traiter/delai/", {"ft_registration_delay_days": "45"})
    assert response.status_code == 403
