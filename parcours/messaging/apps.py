"""Application configuration of the messages: listens to the reception day once loaded."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "parcours.messaging"
    label = "messaging"
    verbose_name = _("Messages aux personnes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from parcours.messaging import privacy, receivers, tasks  # noqa: F401
