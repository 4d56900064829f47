"""Issue 18: the person's own page: check, lockout, answers on the worklist, expiry, logs."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from parcours.messaging import services
from parcours.messaging.models import ConvocationPage
from parcours.organisations.roles import Role
from parcours.privacy.models import AccessLog
from tests.factories_messaging import convoke_now, reachable_person
from tests.factories_reception import ConvocationFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def page(django_capture_on_commit_callbacks):
    convocation = convoke_now(
        reachable_person("ar", birth_date=datetime.date(1990, 5, 17)),
        capture=django_capture_on_commit_callbacks,
    )
    return ConvocationPage.objects.get(convocation=convocation)


def _check(client, page, day="17", month="5", year="1990", lang="fr"):
    return client.post(
        f"/c/{page.token}?lang={lang}",
        {"action": "check", "day": day, "month": month, "year": year, "lang": lang},
    )


def test_the_link_is_short_and_unguessable(page):
    assert len(page.token) == 10
    assert len({services.new_token() for _ in range(200)}) == 200


def test_nothing_is_shown_before_the_check(client, page):
    response = client.get(f"/c/{page.token}")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="ar" dir="rtl"' in html  # the person's language first
    assert "Lafayette" not in html and "NOM" not in html and "08:30" not in html
    assert not AccessLog.objects.filter(operation="convocation_page_read").exists()
    assert client.get("/c/unknownlink").status_code == 404


def test_wrong_birth_date_is_refused_then_the_page_locks(client, page):
    response = _check(client, page, day="18")
    assert response.status_code == 400
    assert "Essais restants : 4" in response.content.decode()
    assert _check(client, page, day="aa").status_code == 400  # not a date: no attempt used
    for _ in range(4):
        _check(client, page, day="18")
    locked = client.get(f"/c/{page.token}?lang=fr")
    assert locked.status_code == 403
    assert "bloquée" in locked.content.decode()
    # Even the right date is refused while locked.
    assert _check(client, page).status_code == 403
    assert "Lafayette" not in client.get(f"/c/{page.token}?lang=fr").content.decode()


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [("17", "5", "9" * 30), ("17", "9" * 30, "1990"), ("31", "2", "1990"), ("", "", "")],
)
def test_a_birth_date_that_is_no_date_is_asked_again_without_using_an_attempt(
    client, page, day, month, year
):
    response = _check(client, page, day=day, month=month, year=year)
    assert response.status_code == 400
    assert "Lafayette" not in response.content.decode()
    page.refresh_from_db()
    assert page.failed_checks == 0


def test_the_right_birth_date_shows_the_convocation_and_logs_the_read(client, page):
    assert _check(client, page).status_code == 302
    response = client.get(f"/c/{page.token}?lang=fr")
    html = response.content.decode()
    assert "2, rue Lafayette, 57000 Metz" in html and "8 h 30" in html
    assert "openstreetmap.org/search?query=" in html and "passeport" in html
    arabic = client.get(f"/c/{page.token}?lang=ar").content.decode()
    assert 'dir="rtl"' in arabic and "جواز السفر" in arabic
    logs = AccessLog.objects.filter(operation="convocation_page_read")
    assert [(log.person_count, log.user) for log in logs] == [(1, None), (1, None)]


def test_cannot_come_lands_on_the_worklist_with_its_reason(client, client_for, page):
    _check(client, page)
    refused = client.post(
        f"/c/{page.token}?lang=fr", {"action": "answer", "answer": "cannot_come", "lang": "fr"}
    )
    assert refused.status_code == 400 and "Choisissez une raison" in refused.content.decode()
    client.post(
        f"/c/{page.token}?lang=fr",
        {"action": "answer", "answer": "cannot_come", "reason": "illness", "lang": "fr"},
    )
    page.refresh_from_db()
    assert (page.answer, page.reason) == ("cannot_come", "illness")
    page.convocation.refresh_from_db()
    assert page.convocation.status == "excused"
    agent = client_for(Role.RECEPTION_AGENT)
    worklist = agent.get("/pfa/a-traiter/").content.decode()
    assert page.convocation.person.display_name in worklist
    assert "Ne peut pas venir : maladie" in worklist
    sheet = agent.get(f"/pfa/sessions/{page.convocation.session_id}/").content.decode()
    assert 'data-answer="cannot_come"' in sheet


def test_confirming_shows_on_the_day_sheet(client, client_for, page):
    _check(client, page)
    client.post(f"/c/{page.token}", {"action": "answer", "answer": "confirmed", "lang": "fr"})
    page.refresh_from_db()
    assert page.answer == "confirmed"
    sheet = client_for(Role.RECEPTION_AGENT).get(f"/pfa/sessions/{page.convocation.session_id}/")
    html = sheet.content.decode()
    assert 'data-answer="confirmed"' in html and 'data-channel="sms"' in html


def test_the_person_can_stop_messages(client, page):
    _check(client, page)
    client.post(f"/c/{page.token}", {"action": "stop", "lang": "fr"})
    person = page.convocation.person
    person.refresh_from_db()
    assert person.messages_stopped_at is not None
    assert services.send_for_convocations([page.convocation_id], "reminder") == []


def test_the_page_expires_after_the_session(client):
    session = SessionFactory(date=timezone.localdate() - datetime.timedelta(days=1))
    convocation = ConvocationFactory(session=session)
    page = services.page_for(convocation)
    response = client.get(f"/c/{page.token}")
    assert response.status_code == 410
    assert "Lafayette" not in response.content.decode()


def test_requests_are_rate_limited_per_device(client, page):
    for _ in range(30):
        client.get(f"/c/{page.token}")
    assert client.get(f"/c/{page.token}").status_code == 429


def test_a_convocation_excused_by_the_agent_closes_the_page(client, page):
    from parcours.reception import services as reception_services

    reception_services.record_attendance(page.convocation, "excused", actor=None)
    assert client.get(f"/c/{page.token}").status_code == 410
    assert services.send_for_convocations([page.convocation_id], "moved") == []
