"""Test doubles of the messages: a real local SMTP server and a fake SMS provider over HTTP."""

import datetime
import json
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from parcours.people.models import Language
from parcours.reception import services as reception_services
from tests.factories import PersonFactory
from tests.factories_reception import SessionFactory


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on localhost; Django's SMTP backend sends to it."""
    inbox = _Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    try:
        yield inbox
    finally:
        controller.stop()


class FakeProvider:
    """Answers POST /messages like the provider's API and keeps what it received."""

    def __init__(self):
        self.received = []
        self.fail_next = False
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                body["authorization"] = self.headers.get("Authorization")
                if provider.fail_next or self.path != "/v1/messages":
                    provider.fail_next = False
                    self.send_response(503)
                    self.end_headers()
                    return
                body["id"] = f"msg-{uuid.uuid4().hex[:12]}"
                provider.received.append(body)
                answer = json.dumps({"id": body["id"], "status": "accepted"}).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"


@pytest.fixture
def sms_provider(settings):
    provider = FakeProvider()
    thread = threading.Thread(target=provider.server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "parcours.messaging.sms.HttpProviderBackend"
    settings.SMS_API_URL = provider.url
    settings.SMS_API_TOKEN = "test-token"
    settings.SMS_CALLBACK_SECRET = "callback-secret"
    try:
        yield provider
    finally:
        provider.server.shutdown()
        provider.server.server_close()


def reachable_person(language: str = "", **values):
    values = {"email": "amina@example.org", "phone": "06 12 34 56 78", **values}
    person = PersonFactory(**values)
    if language:
        person.languages.add(Language.objects.get(code=language))
    return person


def convoke_now(person, *, days_ahead: int = 10, session=None, capture=None, actor=None):
    """Convoke through the reception services, running the after-commit announcement."""
    session = session or SessionFactory(
        date=timezone.localdate() + datetime.timedelta(days=days_ahead)
    )
    with capture(execute=True):
        return reception_services.convoke(session, person, actor=actor)
