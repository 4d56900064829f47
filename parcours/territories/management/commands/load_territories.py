"""Refresh regions, départements, directorates and countries from the shipped tables."""

from django.core.management.base import BaseCommand
from django.db import transaction

from parcours.territories.loaders import load_territories


class Command(BaseCommand):
    help = "Charge ou met à jour les référentiels territoriaux (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = load_territories()
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()))
