"""SMS backends: a file (and console) backend by default, and the HTTP adapter of the provider.

`get_backend()` returns the backend named by settings.SMS_BACKEND. A backend's `send(to,
body, reference)` returns a `Submitted(provider_id, status)` or raises `SmsError` with a
reason an agent can read. The delivery status comes later through the signed callback
(`verify_signature`, checked by the web view of `POST /messages/sms/statut/`).

The HTTP adapter speaks the common shape of French SMS providers' REST APIs (a JSON POST
with a bearer token, an id in the answer, delivery reports pushed to a callback URL). The
exact provider is chosen by tender; a provider with another shape is one more adapter here.
"""

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Signature"


class SmsError(Exception):
    """The SMS could not be handed to the provider; the message says why."""


@dataclass(frozen=True)
class Submitted:
    provider_id: str
    status: str  # "sent" (accepted by the provider) or "delivered"


class FileBackend:
    """Writes each SMS as one JSON line under SMS_FILE_PATH and logs it (demo, development)."""

    def send(self, to: str, body: str, reference: str) -> Submitted:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        provider_id = f"file-{uuid.uuid4().hex}"
        line = {"id": provider_id, "to": to, "body": body, "reference": reference}
        line["at"] = timezone.now().isoformat()
        with (folder / f"{timezone.localdate().isoformat()}.jsonl").open("a") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        logger.info("SMS to %s: %s", to, body)
        return Submitted(provider_id, "sent")


class LocmemBackend:
    """Keeps SMS in `LocmemBackend.outbox` (the test suite's default, like Django's mail)."""

    outbox: list = []

    def send(self, to: str, body: str, reference: str) -> Submitted:
        provider_id = f"locmem-{uuid.uuid4().hex}"
        LocmemBackend.outbox.append({"id": provider_id, "to": to, "body": body})
        return Submitted(provider_id, "sent")


class HttpProviderBackend:
    """POST {SMS_API_URL}/messages {"sender", "to", "text", "reference", "callback_url"}
    with `Authorization: Bearer SMS_API_TOKEN`; the answer is {"id": ..., "status": ...}."""

    def send(self, to: str, body: str, reference: str) -> Submitted:
        if not settings.SMS_API_URL:
            raise SmsError("SMS_API_URL is not set")
        payload = {
            "sender": settings.SMS_SENDER,
            "to": to,
            "text": body,
            "reference": reference,
            "callback_url": f"{settings.PARCOURS_BASE_URL.rstrip('/')}/messages/sms/statut/",
        }
        request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
            settings.SMS_API_URL.rstrip("/") + "/messages",
            data=json.dumps(payload).encode(),
            headers={
                "Authorization": f"Bearer {settings.SMS_API_TOKEN}",
                "Content-Type": "application/json",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(  # noqa: S310
                request, timeout=settings.SMS_TIMEOUT_SECONDS
            ) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise SmsError(f"provider answered {error.code}") from error
        except (urllib.error.URLError, TimeoutError, ValueError) as error:
            raise SmsError(f"provider unreachable: {error}") from error
        provider_id = str(answer.get("id") or "")
        if not provider_id:
            raise SmsError("provider gave no message id")
        status = "delivered" if answer.get("status") == "delivered" else "sent"
        return Submitted(provider_id, status)


def get_backend():
    return import_string(settings.SMS_BACKEND)()


def sign(body: bytes, secret: str | None = None) -> str:
    """The signature the provider puts on a callback: hex HMAC-SHA256 of the raw body."""
    key = (secret if secret is not None else settings.SMS_CALLBACK_SECRET).encode()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, signature: str) -> bool:
    """True when the callback is signed with our secret; always False without a secret."""
    if not settings.SMS_CALLBACK_SECRET or not signature:
        return False
    return hmac.compare_digest(sign(body), signature)
