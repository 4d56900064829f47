"""Refresh regions, départements, directorates and countries from the shipped tables."""

from django.core.management.base import BaseCommand
from django.db import transaction

from parcours.core.freshness import figures_changed
from parcours.territories.loaders import load_territories


class Command(BaseCommand):
    help = "Charge ou met à jour les référentiels territoriaux (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = load_territories()
        figures_changed()  # a DT's départements decide its figures; bulk writes send no signal
        moves = counts.pop("pending_moves")
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()))
        for department, directorate in moves:
            # Issue 13: moving persons' DT is an explicit, logged operation.
            self.stdout.write(
                f"département {department} attached to {directorate} in the reference data: "
                f'run "manage.py move_department {department} {directorate} --reason ..."'
            )
