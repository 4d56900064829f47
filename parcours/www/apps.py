"""HTTP layer of Parcours: views, forms, templates and URLs, kept apart from domain code."""

from django.apps import AppConfig


class WwwConfig(AppConfig):
    name = "parcours.www"
    label = "www"

    def ready(self):
        from parcours.www.menus import declare_menus

        declare_menus()
