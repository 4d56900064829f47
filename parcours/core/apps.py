"""Cross-cutting pieces shared by every domain app: i18n build, checks, small helpers."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "parcours.core"
    label = "core"

    def ready(self):
        from parcours.core import freshness

        freshness.connect()
