"""Webhooks (issue 17, point 3): signed events to partners' systems, retried with backoff.

A partner registers an HTTPS endpoint; each event of its organisation (new referral, referral
withdrawn, seat freed) becomes one `WebhookDelivery` row per active endpoint, created once the
change has committed (referrals.signals), then posted by a Huey task. The body holds the
referral's reference and state and the person as the partner projection shows it
(referrals.projection, through PartnerPersonSerializer), nothing more.

Signature: `X-Parcours-Signature: sha256=<hex>` where hex is HMAC-SHA256, keyed by the
endpoint's secret, over `<X-Parcours-Timestamp>.<body>`; the receiver recomputes it and
refuses a timestamp older than a few minutes (replay).
"""

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from huey.contrib.djhuey import db_task

from parcours.api.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent
from parcours.api.serializers import PartnerPersonSerializer
from parcours.referrals import signals
from parcours.referrals.models import Referral, Scheme

logger = logging.getLogger(__name__)

EVENTS = {
    signals.NEW_REFERRAL: WebhookEvent.NEW_REFERRAL,
    signals.WITHDRAWN: WebhookEvent.REFERRAL_WITHDRAWN,
    signals.SEAT_FREED: WebhookEvent.SEAT_FREED,
}
# Seconds before each retry: 1 min, 5 min, 30 min, 2 h, 12 h; then the delivery is abandoned.
BACKOFF = (60, 300, 1800, 7200, 43200)
MAX_ATTEMPTS = len(BACKOFF) + 1
TIMEOUT = 10


def sign(secret: str, timestamp: str, body: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def _referral_data(referral: Referral) -> dict:
    return {
        "id": referral.pk,
        "reference": referral.reference,
        "status": referral.status,
        "scheme": referral.scheme_id,
        "scheme_name": referral.scheme.name,
        "person": PartnerPersonSerializer(referral.person).data,
    }


def _scheme_data(scheme: Scheme) -> dict:
    return {
        "id": scheme.pk,
        "name": scheme.name,
        "capacity": scheme.capacity,
        "seats_left": scheme.seats_left,
    }


def payload(event: str, *, referral=None, scheme=None) -> dict:
    data = {"referral": _referral_data(referral)} if referral is not None else {}
    if scheme is not None:
        data["scheme"] = _scheme_data(scheme)
    return {"event": event, "occurred_at": timezone.now().isoformat(), "data": data}


@receiver(signals.referral_event)
def record_deliveries(sender, *, event, referral=None, scheme_id=None, **kwargs):
    """One delivery per active endpoint of the scheme's organisation, then post each."""
    if referral is not None:
        referral = Referral.objects.select_related("scheme", "person__department").get(
            pk=referral.pk
        )
        scheme = referral.scheme
    else:
        scheme = Scheme.objects.get(pk=scheme_id)
    endpoints = list(
        WebhookEndpoint.objects.filter(organisation_id=scheme.organisation_id, is_active=True)
    )
    if not endpoints:
        return []
    name = EVENTS[event]
    body = json.dumps(
        payload(name, referral=referral, scheme=scheme if referral is None else None),
        ensure_ascii=False,
        sort_keys=True,
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(endpoint=endpoint, event=name, body=body) for endpoint in endpoints]
    )
    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: deliver_webhook(pk))
    return deliveries


def attempt(delivery: WebhookDelivery) -> bool:
    """Post the delivery once; record the outcome; True when the receiver took it (2xx)."""
    endpoint = delivery.endpoint
    timestamp = str(int(timezone.now().timestamp()))
    # Only web addresses: registration asks for https; http is for a test receiver.
    if not endpoint.url.startswith(("https://", "http://")):
        raise ValueError(endpoint.url)
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        endpoint.url,
        data=delivery.body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Parcours-Webhooks/1",
            "X-Parcours-Event": delivery.event,
            "X-Parcours-Delivery": str(delivery.pk),
            "X-Parcours-Timestamp": timestamp,
            "X-Parcours-Signature": sign(endpoint.secret, timestamp, delivery.body),
        },
    )
    delivery.attempts += 1
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            delivery.last_status_code = response.status
            delivered = 200 <= response.status < 300
            delivery.last_error = ""
    except urllib.error.HTTPError as error:
        delivery.last_status_code = error.code
        delivery.last_error = f"HTTP {error.code}"
        delivered = False
    except (urllib.error.URLError, OSError, ValueError) as error:
        delivery.last_status_code = None
        delivery.last_error = str(error)[:300]
        delivered = False
    if delivered:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = timezone.now()
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
    delivery.save()
    return delivered


def next_delay(delivery: WebhookDelivery) -> int | None:
    """Seconds before the next try, or None when delivered or abandoned."""
    if delivery.status != DeliveryStatus.PENDING:
        return None
    return BACKOFF[delivery.attempts - 1]


@db_task()
def deliver_webhook(delivery_id: int):
    """Try one delivery; on failure schedule the next try after the backoff. Idempotent: a
    delivery already received or abandoned is left alone."""
    delivery = (
        WebhookDelivery.objects.select_related("endpoint")
        .filter(pk=delivery_id, status=DeliveryStatus.PENDING, endpoint__is_active=True)
        .first()
    )
    if delivery is None:
        return None
    attempt(delivery)
    delay = next_delay(delivery)
    if delay is not None:
        deliver_webhook.schedule((delivery_id,), delay=delay)
    return delivery.status
