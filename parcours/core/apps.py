"""Cross-cutting pieces shared by every domain app: i18n build, checks, small helpers."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "parcours.core"
    label = "core"

    def ready(self):
        from parcours.core import freshness
        from parcours.core.choices import speed_up_choice_displays

        freshness.connect()
        speed_up_choice_displays()
