"""No answer carrying a person is cacheable: files, JSON and pages alike (issue 10, door 7).

Door 7: the convocation letter PDF, the day summary CSV/XLSX, the figures export and the API's
JSON carried no Cache-Control although docs/security.md promised no caching. Each file or JSON
route is played here with real data as a role that gets the file; a new route that looks like
a file or JSON (an extension, "export", the API) fails the walk until it is listed below.
"""

import datetime
import re

import pytest
from django.test import Client

from parcours.api.models import ApiToken, Scope
from parcours.organisations.roles import Role
from parcours.reception import services
from tests.factories import PersonFactory
from tests.factories_indicators import born, check_on
from tests.factories_reception import SessionFactory
from tests.factories_referrals import SchemeFactory, make_referral, partner_membership
from tests.permissions_walk import signed_in_client
from tests.urlwalk import walk

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 1, 27)


def assert_no_store(response, what):
    cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert {"no-store", "private"} <= cache_control, (what, response.get("Cache-Control"))
    assert "public" not in cache_control, what


def _convocation():
    session = SessionFactory(date=DAY, start_time=datetime.time(8, 30))
    person = PersonFactory(last_name="HADDAD", address="3, rue Serpenoise")
    return services.convoke(session, person, actor=None)


def _letter(client):
    return client.get(f"/pfa/convocations/{_convocation().pk}/lettre.pdf")


def _session_letters(client):
    return client.get(f"/pfa/sessions/{_convocation().session_id}/convocations.pdf")


def _summary(extension):
    def play(client):
        _convocation()
        return client.get(f"/pfa/recapitulatif.{extension}", {"first": DAY, "last": DAY})

    return play


def _figures(file_format):
    def play(client):
        check_on(DAY, person=PersonFactory(sex="H", birth_date=born(50, DAY)))
        return client.get(f"/chiffres/export.{file_format}?start=2026-01&end=2026-01")

    return play


def _access_log_export(client):
    person = PersonFactory()
    client.post(f"/personnes/{person.pk}/motif/", {"reason": "request"})
    client.get(f"/personnes/{person.pk}/")
    return client.get("/confidentialite/journal/export/")


def _subject_access(export_format):
    def play(client):
        person = PersonFactory(last_name="HADDAD")
        client.post(f"/personnes/{person.pk}/motif/", {"reason": "request"})
        data = {"reason": "rights", "export_format": export_format}
        return client.post(f"/personnes/{person.pk}/droit-d-acces/", data)

    return play


def _api(path):
    def play(client):
        person = PersonFactory()
        _token, key = ApiToken.issue(client.membership, "SI")
        url = path.format(pk=person.pk)
        return Client().get(url, HTTP_AUTHORIZATION=f"Bearer {key}")

    return play


def _api_situation_post(client):
    person = PersonFactory()
    _token, key = ApiToken.issue(client.membership, "SI", scope="write")
    for _attempt in range(2):  # the replay of the same key answers 200 with the first row
        response = Client().post(
            f"/api/v1/persons/{person.pk}/situations/",
            {"kind": "ft_registration", "occurred_on": "2026-01-05"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
            HTTP_IDEMPOTENCY_KEY="no-store-1",
        )
    return response


def _api_referral(suffix, state="sent", body=None):
    """A referral's JSON as the partner running its scheme gets it; a transition is posted
    with the ETag just read, so the answer is the partner's 200, not a refusal."""

    def play(_client):
        referral = make_referral(SchemeFactory(), state=state)
        _token, key = ApiToken.issue(partner_membership(referral.scheme), "SI", scope=Scope.WRITE)
        partner = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        detail = f"/api/v1/referrals/{referral.pk}/"
        if body is None:
            return partner.get(suffix if suffix.startswith("/") else detail + suffix)
        etag = partner.get(detail)["ETag"]
        return partner.post(
            detail + suffix, body, content_type="application/json", HTTP_IF_MATCH=etag
        )

    return play


def _api_scheme(suffix):
    def play(_client):
        scheme = SchemeFactory()
        _token, key = ApiToken.issue(partner_membership(scheme), "SI")
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}").get(suffix.format(pk=scheme.pk))

    return play


def _api_session(suffix):
    def play(client):
        convocation = _convocation()
        _token, key = ApiToken.issue(client.membership, "SI")
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}").get(
            suffix.format(pk=convocation.session_id)
        )

    return play


TODAY = datetime.date.today().isoformat()


# Route name -> (role that gets the file, how to get it with real data, expected type).
FILE_OR_JSON_ROUTES = {
    "reception:letter": [(Role.RECEPTION_AGENT, _letter, "application/pdf")],
    "reception:session_letters": [(Role.RECEPTION_AGENT, _session_letters, "application/pdf")],
    "reception:session_export": [
        (
            Role.RECEPTION_AGENT,
            lambda client: client.get("/pfa/sessions/liste/export.xlsx"),
            "application/vnd.openxml",
        )
    ],
    "reception:summary_csv": [(Role.DT_DIRECTOR, _summary("csv"), "text/csv")],
    "reception:summary_xlsx": [(Role.DT_DIRECTOR, _summary("xlsx"), "application/vnd.openxml")],
    "indicators:export": [
        (Role.DT_DIRECTOR, _figures("csv"), "text/csv"),
        (Role.DT_DIRECTOR, _figures("xlsx"), "application/vnd.openxml"),
        (Role.DT_DIRECTOR, _figures("ods"), "application/vnd.oasis.opendocument"),
        (Role.REGIONAL_VIEWER, _figures("xlsx"), "application/vnd.openxml"),
    ],
    "partnerships:network_export": [
        (Role.DT_DIRECTOR, lambda client: client.get("/partenariats/reseau/export.csv"), "text/csv")
    ],
    "privacy:access_log_export": [(Role.DT_DIRECTOR, _access_log_export, "text/csv")],
    "employment:job_title_autocomplete": [
        (
            Role.INTEGRATION_AUDITOR,
            lambda client: client.get("/emploi/appellations/?q=macon"),
            "application/json",
        )
    ],
    "person_export": [
        (
            Role.DT_DIRECTOR,
            lambda client: client.get("/personnes/export.xlsx"),
            "application/vnd.openxml",
        )
    ],
    "privacy:subject_access": [
        (Role.DT_DIRECTOR, _subject_access("json"), "application/json"),
        (Role.DT_DIRECTOR, _subject_access("pdf"), "application/pdf"),
    ],
    "api:person-list": [
        (Role.INTEGRATION_AUDITOR, _api("/api/v1/persons/"), "application/json"),
        (Role.PARTNER_COUNSELLOR, _api("/api/v1/persons/"), "application/json"),
    ],
    "api:referral-received": [
        (None, _api_referral("/api/v1/referrals/received/"), "application/json")
    ],
    "api:referral-sent": [
        (Role.INTEGRATION_AUDITOR, _api("/api/v1/referrals/sent/"), "application/json")
    ],
    "api:referral-detail": [(None, _api_referral(""), "application/json")],
    "api:referral-accept": [(None, _api_referral("accept/", body={}), "application/json")],
    "api:referral-refuse": [
        (None, _api_referral("refuse/", body={"reason": "not_eligible"}), "application/json")
    ],
    "api:referral-entry": [
        (
            None,
            _api_referral("entry/", state="accepted", body={"entered_on": TODAY}),
            "application/json",
        )
    ],
    "api:referral-exit": [
        (
            None,
            _api_referral("exit/", state="entered", body={"exited_on": TODAY, "completed": True}),
            "application/json",
        )
    ],
    "api:scheme-list": [(None, _api_scheme("/api/v1/schemes/"), "application/json")],
    "api:scheme-waiting-list": [
        (None, _api_scheme("/api/v1/schemes/{pk}/waiting-list/"), "application/json")
    ],
    "api:session-list": [
        (Role.RECEPTION_AGENT, _api_session("/api/v1/sessions/"), "application/json")
    ],
    "api:session-convocations": [
        (
            Role.RECEPTION_AGENT,
            _api_session("/api/v1/sessions/{pk}/convocations/"),
            "application/json",
        )
    ],
    "api:person-detail": [
        (Role.INTEGRATION_AUDITOR, _api("/api/v1/persons/{pk}/"), "application/json")
    ],
    "api:directorate-list": [
        (Role.INTEGRATION_AUDITOR, _api("/api/v1/directorates/"), "application/json")
    ],
    # Issue 17: the monthly report, exact for the DT and protected for the DREETS.
    "api:indicators": [
        (Role.DT_DIRECTOR, _api("/api/v1/indicators/?start=2026-01"), "application/json"),
        (Role.REGIONAL_VIEWER, _api("/api/v1/indicators/?start=2026-01"), "application/json"),
    ],
    # Issue 20: changes of situation, read and written.
    "api:person-situations": [
        (Role.INTEGRATION_AUDITOR, _api("/api/v1/persons/{pk}/situations/"), "application/json"),
        (Role.INTEGRATION_AUDITOR, _api_situation_post, "application/json"),
    ],
    "api:situation-list": [
        (Role.INTEGRATION_AUDITOR, _api("/api/v1/situations/"), "application/json")
    ],
    "impact_export": [
        (
            Role.DT_DIRECTOR,
            lambda client: client.get("/impact/export.xlsx"),
            "application/vnd.openxml",
        ),
        (
            Role.REGIONAL_VIEWER,
            lambda client: client.get("/impact/export.xlsx"),
            "application/vnd.openxml",
        ),
    ],
    "employment:coverage_export": [
        (
            Role.DT_DIRECTOR,
            lambda client: client.get("/impact/metiers-en-tension/export.xlsx"),
            "application/vnd.openxml",
        ),
        (
            Role.REGIONAL_VIEWER,
            lambda client: client.get("/impact/metiers-en-tension/export.xlsx"),
            "application/vnd.openxml",
        ),
    ],
    # Public descriptions of the API and the load balancer's check: no person, still no-store.
    "api:schema": [(None, lambda client: client.get("/api/v1/openapi.json"), "application/")],
    "api:docs": [(None, lambda client: client.get("/api/v1/docs/"), "text/html")],
    "health": [(None, lambda client: client.get("/sante/"), "application/json")],
}
CASES = [
    pytest.param(role, play, content_type, id=f"{name}-{index}")
    for name, plays in FILE_OR_JSON_ROUTES.items()
    for index, (role, play, content_type) in enumerate(plays)
]
FILE_LIKE = re.compile(r"\.(pdf|csv|xlsx|ods|json|x)$|export|/api/|droit-d-acces")


def test_every_route_that_looks_like_a_file_or_json_is_played_here():
    file_like = {
        route.name
        for route in walk()
        if route.name and FILE_LIKE.search(route.url) and not route.url.startswith("/admin/")
    }
    assert file_like - set(FILE_OR_JSON_ROUTES) == set()
    assert set(FILE_OR_JSON_ROUTES) - {route.name for route in walk()} == set()


@pytest.mark.parametrize(("role", "play", "content_type"), CASES)
def test_every_file_and_json_answer_is_no_store_and_private(role, play, content_type):
    client = signed_in_client(role) if role else Client()
    response = play(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert_no_store(response, response.request["PATH_INFO"])


@pytest.mark.parametrize("role", [Role.DT_DIRECTOR, Role.PARTNER_COUNSELLOR, Role.NATIONAL_ADMIN])
def test_every_page_refusal_and_redirect_is_no_store_too(role):
    PersonFactory()
    client = signed_in_client(role)
    for route in walk():
        if route.url.startswith("/admin/"):
            # Third-party admin views (django-otp's device QR page answers a 500 for an unknown
            # id); the admin index is covered by tests/test_security_second_factor_pairs.py.
            continue
        response = client.get(route.url)
        assert_no_store(response, route.url)
    assert_no_store(client.get("/admin/"), "/admin/")


def test_attack_7_the_letter_pdf_and_the_api_json_are_not_cacheable(client_for):
    response = _letter(client_for(Role.RECEPTION_AGENT))
    assert response.content.startswith(b"%PDF")
    assert_no_store(response, "letter")
    api = _api("/api/v1/persons/")(signed_in_client(Role.INTEGRATION_AUDITOR))
    assert api.json()["count"] == 2  # the convoked person and the one made for the API
    assert_no_store(api, "api")
