"""Every input bounded at the edge (issue 14): each reported example gets a clear answer."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from parcours.api.models import ApiToken
from parcours.organisations.roles import Role
from parcours.reception.models import ReceptionSession
from parcours.referrals.models import InformationSessionAttendee, Scheme
from tests.factories import PersonFactory, membership_for
from tests.factories_referrals import SchemeFactory, make_referral
from tests.helpers import page_text
from tests.test_referrals_sessions import _session_with_candidate, cfp02, courses  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1000000-01-01", "2026-02-30"])
def test_a_week_out_of_range_shows_this_week_with_a_message(client_for, day):
    response = client_for(Role.RECEPTION_AGENT).get(f"/pfa/sessions/?semaine={day}")
    assert response.status_code == 200
    assert "Date invalide ou hors des limites (du 01/01/1900 au 31/12/2100)" in page_text(response)


@pytest.mark.parametrize(
    "path",
    [
        "/chiffres/?start=9999-12",
        "/chiffres/?start=0001-01",
        "/chiffres/?start=2026-01&end=9999-12",
        "/chiffres/export.csv?start=9999-12",
        "/chiffres/export.xlsx?start=9999-12",
        "/chiffres/export.ods?start=0001-01",
    ],
)
def test_figures_for_a_month_out_of_range_get_a_message(client_for, path):
    response = client_for(Role.DT_DIRECTOR).get(path, follow=True)
    assert response.status_code in (200, 400)
    assert "entre 2000-01 et 2099-12" in page_text(response)


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("9999-12", "Choisissez un mois entre 2000-01 et 2099-12."),
        ("0001-01", "Choisissez un mois entre 2000-01 et 2099-12."),
        ("2026-13", "Saisissez un mois sous la forme AAAA-MM"),
    ],
)
def test_approving_a_month_out_of_range_gets_a_message(client_for, month, message):
    response = client_for(Role.DT_DIRECTOR).get(f"/chiffres/valider/?mois={month}", follow=True)
    assert response.status_code == 200
    assert message in page_text(response)


def bearer(role=Role.INTEGRATION_AUDITOR):
    _, key = ApiToken.issue(membership_for(role), "SI")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.mark.parametrize(
    "query",
    [
        "limit=501",
        "limit=99999999999999999999",
        "limit=-1",
        "limit=0",
        "limit=abc",
        "offset=-5",
        "offset=99999999999999999999",
        "offset=x",
        "q=%00",
        "q=a%1Bb",
        "q=" + "+".join(["mot"] * 1000),
    ],
)
def test_invalid_api_parameters_get_a_400_problem_document(query):
    PersonFactory()
    response = Client().get(f"/api/v1/persons/?{query}", **bearer())
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and problem["title"] and problem["detail"]


def test_a_valid_limit_and_offset_still_page_the_list():
    PersonFactory.create_batch(3)
    response = Client().get("/api/v1/persons/?limit=2&offset=1", **bearer())
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2


def test_a_ten_word_search_still_answers():
    PersonFactory(last_name="HADDAD")
    response = Client().get("/api/v1/persons/?q=" + "+".join(["HADDAD"] * 10), **bearer())
    assert [p["last_name"] for p in response.json()["results"]] == ["HADDAD"]


def test_api_errors_are_problem_documents_too():
    response = Client().get("/api/v1/persons/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401


@pytest.mark.parametrize("value", ["a\x00b", "a\x1bb", "\x07"])
def test_control_characters_in_a_query_string_are_refused(client_for, value):
    response = client_for(Role.RECEPTION_AGENT).get("/pfa/sessions/", {"semaine": value})
    assert response.status_code == 400
    assert "caractères de contrôle" in page_text(response)


def test_control_characters_in_a_form_are_refused_and_nothing_is_saved(client_for):
    client = client_for(Role.DT_DIRECTOR)
    response = client.post(
        "/pfa/sessions/nouvelle/",
        {
            "date": timezone.localdate().isoformat(),
            "half_day": "morning",
            "place": "Salle\x1b[31m rouge",
            "capacity": 12,
        },
    )
    assert response.status_code == 200
    assert "caractères de contrôle" in page_text(response)
    assert not ReceptionSession.objects.exists()


def test_a_session_address_is_limited(client_for):
    client = client_for(Role.DT_DIRECTOR)
    response = client.post(
        "/pfa/sessions/nouvelle/",
        {
            "date": timezone.localdate().isoformat(),
            "half_day": "morning",
            "place": "Salle Lafayette",
            "address": "1 rue de la Paix " * 10_000,
            "capacity": 12,
        },
    )
    assert "au plus 300 caractères" in page_text(response)
    assert not ReceptionSession.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_session_date_out_of_range_is_refused(client_for, day):
    response = client_for(Role.DT_DIRECTOR).post(
        "/pfa/sessions/nouvelle/",
        {"date": day, "half_day": "morning", "place": "Salle", "capacity": 12},
    )
    assert response.status_code == 200
    assert "Saisissez une date entre le 01/01/1900 et le 31/12/2100." in page_text(response)
    assert not ReceptionSession.objects.exists()


def _scheme_post(scheme, **changes):
    data = {
        "organisation": scheme.organisation_id,
        "name": scheme.name,
        "kind": scheme.kind,
        "description": scheme.description,
        "target_public": scheme.target_public,
        "departments": [d.pk for d in scheme.departments.all()],
        "contact_phone": scheme.contact_phone,
        "capacity": scheme.capacity or "",
        "expiry_days": scheme.expiry_days,
        "reminder_days": scheme.reminder_days,
        "rsa_rule": scheme.rsa_rule,
        "is_active": "on",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("description", "x" * 1_000_000, "au plus 2000 caractères"),
        ("target_public", "x" * 2001, "au plus 2000 caractères"),
        ("contact_phone", "appelez-moi un de ces jours", "numéro de téléphone"),
    ],
)
def test_scheme_text_fields_are_limited(client_for, field, value, message):
    scheme = SchemeFactory()
    before = Scheme.objects.values_list(field, flat=True).get(pk=scheme.pk)
    client = client_for(Role.DT_DIRECTOR)
    response = client.post(
        f"/gestion-dispositifs/{scheme.pk}/", _scheme_post(scheme, **{field: value})
    )
    assert response.status_code == 200
    assert message in page_text(response)
    assert Scheme.objects.values_list(field, flat=True).get(pk=scheme.pk) == before


def test_clearing_the_interview_of_a_referred_participant_gets_a_message(cfp02, courses):  # noqa: F811
    session, scheme, candidate = _session_with_candidate(cfp02, courses)
    interviewed = timezone.localdate() - datetime.timedelta(days=1)
    referral = make_referral(scheme, candidate)
    attendee = InformationSessionAttendee.objects.create(
        session=session,
        person=candidate,
        volunteered=True,
        interviewed_on=interviewed,
        referral=referral,
    )
    response = cfp02.post(
        f"/seances-information/{session.pk}/participants/{attendee.pk}/",
        {"volunteered": "on", "interviewed_on": ""},
        follow=True,
    )
    assert response.status_code == 200
    assert "déjà été orientée" in page_text(response)
    attendee.refresh_from_db()
    assert attendee.interviewed_on == interviewed


def test_an_unrouted_api_address_is_a_problem_document_and_a_page_stays_a_page(client_for):
    response = Client().get("/api/v1/persons/null,null/", **bearer())
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "Cette adresse n'existe pas dans l'API."
    page = client_for(Role.RECEPTION_AGENT).get("/pas-une-page/")
    assert page.status_code == 404
    assert "Page introuvable" in page_text(page)


def test_a_person_never_positioned_has_a_null_level_in_the_api():
    PersonFactory(language_level="", nationality=None)
    person = Client().get("/api/v1/persons/", **bearer()).json()["results"][0]
    assert person["language_level"] is None and person["nationality"] is None
