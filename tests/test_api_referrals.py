"""API v1 referrals (issue 17): need-to-know by any id, transitions with ETag and If-Match,
scopes, cursor pages, per-token rate limit, and two writers racing with the same ETag."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from parcours.api.models import Scope
from parcours.organisations.roles import OrganisationKind, Role
from parcours.referrals.models import Referral, ReferralTransition
from parcours.referrals.states import ReferralStatus
from tests.factories import OrganisationFactory, PersonFactory, membership_for
from tests.factories_api import bearer, token_key
from tests.factories_referrals import SchemeFactory, make_referral, partner_membership

pytestmark = pytest.mark.django_db


def _partner_client(scheme, scope=Scope.WRITE):
    return Client(**bearer(token_key(partner_membership(scheme), scope)))


def _accept(client, referral, etag):
    headers = {"HTTP_IF_MATCH": etag} if etag is not None else {}
    return client.post(
        f"/api/v1/referrals/{referral.pk}/accept/", {}, content_type="application/json", **headers
    )


def test_a_partner_accepts_with_the_etag_it_read_and_gets_the_new_version():
    referral = make_referral(SchemeFactory())
    client = _partner_client(referral.scheme)
    read = client.get(f"/api/v1/referrals/{referral.pk}/")
    response = _accept(client, referral, read["ETag"])
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    assert response["ETag"] != read["ETag"]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert ReferralTransition.objects.filter(referral=referral, name="accept").count() == 1


def test_a_write_without_if_match_is_a_428_and_changes_nothing():
    referral = make_referral(SchemeFactory())
    response = _accept(_partner_client(referral.scheme), referral, None)
    assert response.status_code == 428
    assert response["Content-Type"] == "application/problem+json"
    assert "If-Match" in response.json()["detail"]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_a_stale_etag_is_a_412_and_the_first_answer_stays():
    referral = make_referral(SchemeFactory())
    client = _partner_client(referral.scheme)
    etag = client.get(f"/api/v1/referrals/{referral.pk}/")["ETag"]
    assert _accept(client, referral, etag).status_code == 200
    refused = client.post(
        f"/api/v1/referrals/{referral.pk}/refuse/",
        {"reason": "no_place"},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert refused.status_code == 412
    assert refused.json()["status"] == 412
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED


def test_a_transition_the_state_machine_forbids_is_a_409_with_a_french_message():
    referral = make_referral(SchemeFactory(), state="refused")
    client = _partner_client(referral.scheme)
    etag = client.get(f"/api/v1/referrals/{referral.pk}/")["ETag"]
    response = _accept(client, referral, etag)
    assert response.status_code == 409
    assert "n'est plus possible" in response.json()["detail"]


def test_a_refusal_needs_a_reason_and_an_exit_date_cannot_be_in_the_future():
    referral = make_referral(SchemeFactory(), state="entered")
    client = _partner_client(referral.scheme)
    etag = client.get(f"/api/v1/referrals/{referral.pk}/")["ETag"]
    future = (timezone.localdate() + timezone.timedelta(days=3)).isoformat()
    response = client.post(
        f"/api/v1/referrals/{referral.pk}/exit/",
        {"exited_on": future, "completed": True},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 400
    assert "futur" in response.json()["detail"]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ENTERED
    no_reason = client.post(
        f"/api/v1/referrals/{referral.pk}/refuse/",
        {},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["errors"]


def test_a_read_only_token_cannot_write():
    referral = make_referral(SchemeFactory())
    client = _partner_client(referral.scheme, scope=Scope.READ)
    etag = client.get(f"/api/v1/referrals/{referral.pk}/")["ETag"]
    response = _accept(client, referral, etag)
    assert response.status_code == 403
    assert "lecture seule" in response.json()["detail"]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_a_partner_token_reaches_nothing_of_another_partner_by_any_id():
    mine = SchemeFactory()
    theirs = SchemeFactory(
        organisation=OrganisationFactory(name="Epide Metz", kind=OrganisationKind.EPIDE)
    )
    their_referral = make_referral(theirs)
    never_referred = PersonFactory(last_name="JAMAIS")
    make_referral(mine)
    client = _partner_client(mine)
    person = their_referral.person
    for url in [
        f"/api/v1/referrals/{their_referral.pk}/",
        f"/api/v1/persons/{person.pk}/",
        f"/api/v1/persons/{never_referred.pk}/",
    ]:
        assert client.get(url).status_code == 404, url
    for name in ("accept", "refuse", "entry", "exit"):
        response = client.post(
            f"/api/v1/referrals/{their_referral.pk}/{name}/",
            {},
            content_type="application/json",
            HTTP_IF_MATCH="*",
        )
        assert response.status_code == 404, name
    received = client.get("/api/v1/referrals/received/").json()["results"]
    assert [row["id"] for row in received] != [] and their_referral.pk not in {
        row["id"] for row in received
    }
    waiting = client.get(f"/api/v1/schemes/{theirs.pk}/waiting-list/")
    assert waiting.status_code in (200, 404)
    body = client.get("/api/v1/persons/").content.decode()
    assert person.last_name not in body and "JAMAIS" not in body
    their_referral.refresh_from_db()
    assert their_referral.status == ReferralStatus.SENT


def test_the_received_list_filters_by_status_and_pages_by_cursor():
    scheme = SchemeFactory()
    for _ in range(3):
        make_referral(scheme)
    make_referral(scheme, state="refused")
    client = _partner_client(scheme)
    sent = client.get("/api/v1/referrals/received/?status=sent&limit=2").json()
    assert len(sent["results"]) == 2 and sent["next"]
    rest = client.get(sent["next"]).json()
    assert len(rest["results"]) == 1 and rest["next"] is None
    ids = [row["id"] for row in sent["results"] + rest["results"]]
    assert len(set(ids)) == 3
    assert client.get("/api/v1/referrals/received/?status=refused").json()["results"][0][
        "refusal_reason"
    ] == ("unreachable")
    bad = client.get("/api/v1/referrals/received/?status=nope")
    assert bad.status_code == 400 and "status" in bad.json()["errors"]


@pytest.mark.parametrize("cursor", ["zz", "cD1hYmM=", "bz0tMQ=="], ids=["garbage", "p=abc", "o=-1"])
def test_a_forged_cursor_is_a_404_problem_not_a_server_error(cursor):
    client = _partner_client(make_referral(SchemeFactory()).scheme)
    response = client.get(f"/api/v1/referrals/received/?cursor={cursor}")
    assert response.status_code == 404
    assert "Curseur" in response.json()["detail"]
    assert response["Content-Type"] == "application/problem+json"


def test_the_rate_limit_counts_per_token(settings):
    settings.PARCOURS_API_RATE = "2/minute"
    from django.core.cache import cache

    cache.clear()
    first = Client(**bearer(token_key(membership_for(Role.INTEGRATION_AUDITOR))))
    second = Client(**bearer(token_key(membership_for(Role.INTEGRATION_AUDITOR))))
    assert [first.get("/api/v1/schemes/").status_code for _ in range(3)] == [200, 200, 429]
    assert first.get("/api/v1/schemes/")["Content-Type"] == "application/problem+json"
    assert second.get("/api/v1/schemes/").status_code == 200
    cache.clear()


def test_reading_referrals_is_access_logged_and_runs_few_queries(django_assert_max_num_queries):
    from parcours.privacy.models import AccessLog

    scheme = SchemeFactory()
    for _ in range(10):
        make_referral(scheme)
    client = _partner_client(scheme)
    with django_assert_max_num_queries(9):
        assert len(client.get("/api/v1/referrals/received/").json()["results"]) == 10
    log = AccessLog.objects.get()
    assert log.operation == "api_read" and log.person_count == 10


def test_the_waiting_list_gives_the_real_position():
    scheme = SchemeFactory(capacity=1)
    make_referral(scheme, state="accepted")
    first = make_referral(scheme, state="waitlisted")
    second = make_referral(scheme, state="waitlisted")
    client = _partner_client(scheme)
    rows = client.get(f"/api/v1/schemes/{scheme.pk}/waiting-list/").json()
    assert [(row["position"], row["referral"]) for row in rows] == [(1, first.pk), (2, second.pk)]
    schemes = client.get("/api/v1/schemes/").json()["results"]
    row = next(row for row in schemes if row["id"] == scheme.pk)
    assert (row["seats_taken"], row["seats_left"], row["waiting_count"]) == (1, 0, 2)


@pytest.mark.transactional
@pytest.mark.django_db(transaction=True)
def test_two_writers_with_the_same_etag_one_200_one_412(threaded_db):
    referral = make_referral(SchemeFactory())
    key = token_key(partner_membership(referral.scheme), Scope.WRITE)
    etag = Client(**bearer(key)).get(f"/api/v1/referrals/{referral.pk}/")["ETag"]
    start = threading.Barrier(2)
    statuses = []

    def write(body_url):
        start.wait()
        try:
            response = Client(**bearer(key)).post(
                body_url[1], body_url[0], content_type="application/json", HTTP_IF_MATCH=etag
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=write, args=(({}, f"/api/v1/referrals/{referral.pk}/accept/"),)),
        threading.Thread(
            target=write,
            args=(({"reason": "no_place"}, f"/api/v1/referrals/{referral.pk}/refuse/"),),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 412]
    referral = Referral.objects.get(pk=referral.pk)
    assert referral.status in (ReferralStatus.ACCEPTED, ReferralStatus.REFUSED)
    # create, send, and one answer: the 412 wrote nothing
    assert ReferralTransition.objects.filter(referral=referral).count() == 3


def test_the_command_issues_a_read_token_unless_asked_for_write():
    from io import StringIO

    from django.core.management import call_command

    from parcours.api.models import ApiToken

    membership = membership_for(Role.PARTNER_ADMIN)
    call_command("create_api_token", membership.pk, name="SI", stdout=StringIO())
    call_command("create_api_token", membership.pk, name="SI2", write=True, stdout=StringIO())
    assert dict(ApiToken.objects.values_list("name", "scope")) == {"SI": "read", "SI2": "write"}
