"""Demo data for `make demo`: the DTs and partners of the source documents, fictitious people."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "parcours.demo"
    label = "demo"
