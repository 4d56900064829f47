"""Webhooks (issue 17, point 3): signed events to a partner's system, retried, logged, and
limited to the partner projection. A real HTTP server started by the test receives them."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from parcours.api import webhooks
from parcours.api.models import DeliveryStatus, WebhookDelivery
from parcours.referrals import services
from tests.factories_api import webhook_endpoint
from tests.factories_referrals import SchemeFactory, make_referral, partner_membership
from tests.test_security_projections import NEVER_TO_PARTNERS, PARTNER_PERSON_API

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    """A local HTTP server recording what it receives; `answer` sets its status code."""
    received = []
    state = {"answer": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body.decode()))
            self.send_response(state["answer"])
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received, state
    server.shutdown()
    server.server_close()


def test_a_new_referral_reaches_the_partner_signed_and_within_the_projection(
    receiver, django_capture_on_commit_callbacks
):
    url, received, _ = receiver
    scheme = SchemeFactory()
    endpoint = webhook_endpoint(scheme.organisation, url=url)
    with django_capture_on_commit_callbacks(execute=True):
        referral = make_referral(scheme)
    assert len(received) == 1
    headers, body = received[0]
    assert headers["X-Parcours-Event"] == "referral.new"
    expected = hmac.new(
        endpoint.secret.encode(),
        f"{headers['X-Parcours-Timestamp']}.{body}".encode(),
        hashlib.sha256,
    ).hexdigest()
    assert headers["X-Parcours-Signature"] == f"sha256={expected}"
    data = json.loads(body)["data"]["referral"]
    assert data["id"] == referral.pk and data["status"] == "sent"
    assert set(data["person"]) == PARTNER_PERSON_API
    assert not NEVER_TO_PARTNERS & set(data["person"])
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.DELIVERED,
        1,
        200,
    )


def test_a_withdrawal_and_the_freed_seat_are_both_announced(
    receiver, django_capture_on_commit_callbacks
):
    url, received, _ = receiver
    scheme = SchemeFactory(capacity=3)
    referral = make_referral(scheme, state="accepted")
    webhook_endpoint(scheme.organisation, url=url)
    referrer = referral.referrer_organisation
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_referral(referral, by=referral.referred_by, organisation=referrer)
    events = sorted(headers["X-Parcours-Event"] for headers, _ in received)
    assert events == ["referral.withdrawn", "scheme.seat_freed"]
    freed = next(json.loads(body) for headers, body in received if "seat" in body)
    assert freed["data"]["scheme"]["seats_left"] == 3


def test_a_failing_receiver_is_retried_with_backoff_then_abandoned(
    receiver, django_capture_on_commit_callbacks
):
    url, received, state = receiver
    state["answer"] = 503
    scheme = SchemeFactory()
    webhook_endpoint(scheme.organisation, url=url)
    with django_capture_on_commit_callbacks(execute=True):
        make_referral(scheme)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        DeliveryStatus.PENDING,
        1,
        "HTTP 503",
    )
    assert webhooks.next_delay(delivery) == webhooks.BACKOFF[0]
    for _ in range(webhooks.MAX_ATTEMPTS - 1):
        webhooks.attempt(delivery)
    assert delivery.status == DeliveryStatus.FAILED
    assert len(received) == webhooks.MAX_ATTEMPTS
    assert webhooks.next_delay(delivery) is None
    # Every retry sent the very same signed bytes.
    assert len({body for _, body in received}) == 1


def test_another_partners_endpoint_receives_nothing(receiver, django_capture_on_commit_callbacks):
    url, received, _ = receiver
    scheme = SchemeFactory()
    other = partner_membership(SchemeFactory(organisation__name="Epide Metz"))
    webhook_endpoint(other.organisation, url=url)
    with django_capture_on_commit_callbacks(execute=True):
        make_referral(scheme)
    assert received == []
    assert WebhookDelivery.objects.count() == 0
