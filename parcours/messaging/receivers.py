"""What the messages do when the reception day announces convocations (after commit)."""

from django.dispatch import receiver

from parcours.messaging import tasks
from parcours.messaging.letters import letter_extras  # noqa: F401 (registers the QR code)
from parcours.reception.services import convocations_changed


@receiver(convocations_changed, dispatch_uid="messaging_convocations_changed")
def send_messages(sender, convocation_ids, kind, **kwargs):
    # A task: the agent's page does not wait for the SMTP server or the SMS provider.
    tasks.send_convocation_messages(list(convocation_ids), kind)
